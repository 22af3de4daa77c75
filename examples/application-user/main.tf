# An application and a member user, with tags, then the same objects read back through the data
# sources (by name and by email). See docs/resources/iam_application.md and iam_user.md.
terraform {
  required_providers {
    scaleway = {
      source = "scaleway/scaleway"
    }
  }
}

resource "scaleway_iam_application" "ci_cd" {
  name        = "example-application-user"
  description = "a description"
  tags        = ["ci", "deploy"]
}

# No name: a tf-application-... name is generated once and kept.
resource "scaleway_iam_application" "unnamed" {
}

resource "scaleway_iam_user" "main" {
  email      = "example-jane@example.com"
  username   = "example-jane"
  first_name = "Jane"
  last_name  = "Doe"
  locale     = "en_US"
  tags       = ["team-a"]
}

data "scaleway_iam_application" "by_name" {
  name       = scaleway_iam_application.ci_cd.name
  depends_on = [scaleway_iam_application.ci_cd]
}

data "scaleway_iam_user" "by_email" {
  email      = scaleway_iam_user.main.email
  depends_on = [scaleway_iam_user.main]
}

output "application_id" {
  value = data.scaleway_iam_application.by_name.id
}

output "generated_name" {
  value = scaleway_iam_application.unnamed.name
}

output "user_id" {
  value = data.scaleway_iam_user.by_email.id
}
