# Key rotation: a new API key (with a new secret) every 30 days, valid for 45, so that whatever
# uses it always has a valid key between two runs. Any change of expires_at replaces the key
# (docs/resources/iam_api_key.md); with create_before_destroy the new key exists before the old
# one is deleted. time_rotating comes from the hashicorp/time provider.
terraform {
  required_providers {
    scaleway = {
      source = "scaleway/scaleway"
    }
    time = {
      source = "hashicorp/time"
    }
  }
}

resource "time_rotating" "api_key" {
  rotation_days = 30
}

locals {
  rotated_at = time_rotating.api_key.rfc3339
}

resource "scaleway_iam_application" "rotated" {
  name = "example-api-key-rotation"
}

resource "scaleway_iam_api_key" "rotated" {
  application_id = scaleway_iam_application.rotated.id
  description    = "rotated every 30 days"
  expires_at     = timeadd(local.rotated_at, "1080h")

  lifecycle {
    create_before_destroy = true
  }
}

output "access_key" {
  value = scaleway_iam_api_key.rotated.access_key
}

output "secret_key" {
  value     = scaleway_iam_api_key.rotated.secret_key
  sensitive = true
}
