# An application (a non-human bearer) and an API key for it.
terraform {
  required_providers {
    scaleway = {
      source = "scaleway/scaleway"
    }
  }
}

resource "scaleway_iam_application" "ci_cd" {
  name = "example-api-key-application"
}

resource "scaleway_iam_api_key" "main" {
  application_id = scaleway_iam_application.ci_cd.id
  description    = "a description"
}

output "access_key" {
  value = scaleway_iam_api_key.main.access_key
}
