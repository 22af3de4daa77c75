# A short-lived API key that never touches the state: the key exists only while Terraform runs
# (created when Terraform opens it, deleted when it closes it), and a second provider block is
# configured from it. Requires Terraform >= 1.10.
terraform {
  required_providers {
    scaleway = {
      source = "scaleway/scaleway"
    }
  }
}

resource "scaleway_iam_application" "deployer" {
  name = "deployer"
}

# Without a policy the deployer's keys can do nothing (least privilege).
resource "scaleway_iam_policy" "deployer" {
  name           = "deployer"
  application_id = scaleway_iam_application.deployer.id
  rule {
    organization_id      = scaleway_iam_application.deployer.organization_id
    permission_set_names = ["IAMApplicationManager"]
  }
}

ephemeral "scaleway_iam_api_key" "deployer" {
  application_id = scaleway_iam_application.deployer.id
  description    = "short-lived key of one Terraform run"
}

provider "scaleway" {
  alias      = "deployer"
  access_key = ephemeral.scaleway_iam_api_key.deployer.access_key
  secret_key = ephemeral.scaleway_iam_api_key.deployer.secret_key
}

resource "scaleway_iam_application" "made_by_deployer" {
  provider    = scaleway.deployer
  name        = "made-by-deployer"
  description = "created with the deployer's short-lived key"
  depends_on  = [scaleway_iam_policy.deployer]
}
