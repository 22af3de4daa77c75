# Least privilege: an application for CI, a policy granting it IAMReadOnly on the organization,
# and its API key. The key can list and read IAM objects and cannot change any of them (403).
terraform {
  required_providers {
    scaleway = {
      source = "scaleway/scaleway"
    }
  }
}

resource "scaleway_iam_application" "ci" {
  name = "ci"
}

resource "scaleway_iam_policy" "ci" {
  name           = "ci-read-iam"
  application_id = scaleway_iam_application.ci.id
  rule {
    # the organization of the application (the provider's); var.organization_id works as well
    organization_id      = scaleway_iam_application.ci.organization_id
    permission_set_names = ["IAMReadOnly"]
  }
}

resource "scaleway_iam_api_key" "ci" {
  application_id = scaleway_iam_application.ci.id
  description    = "CI, read-only IAM"
}

output "access_key" {
  value = scaleway_iam_api_key.ci.access_key
}

output "secret_key" {
  value     = scaleway_iam_api_key.ci.secret_key
  sensitive = true
}
