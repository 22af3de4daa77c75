# A member user and an API key borne by that user.
terraform {
  required_providers {
    scaleway = {
      source = "scaleway/scaleway"
    }
  }
}

resource "scaleway_iam_user" "main" {
  email    = "example-api-key-user@example.com"
  username = "example-api-key-user"
}

resource "scaleway_iam_api_key" "for_user" {
  user_id     = scaleway_iam_user.main.id
  description = "a description"
}
