// SPDX-License-Identifier: MIT

// apikeys.go: API keys through the SDK: the bootstrap key, the full life of a key borne by an
// application (create with and without expiry, get, update, use it to authenticate, delete) and
// of a key borne by the owner user.
package main

import (
	"errors"
	"time"

	iam "github.com/scaleway/scaleway-sdk-go/api/iam/v1alpha1"
	"github.com/scaleway/scaleway-sdk-go/scw"
)

// testBootstrapKey: the key the SDK authenticates with is visible through the API.
func (s *suite) testBootstrapKey() {
	s.t.run("GetAPIKey on the bootstrap key returns it, borne by the owner, without its secret", func() error {
		k, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: s.accessKey})
		if err != nil {
			return errorf("GetAPIKey: %s", describe(err))
		}
		if k.AccessKey != s.accessKey {
			return errorf("access_key %q, want %q", k.AccessKey, s.accessKey)
		}
		if k.SecretKey != nil {
			return errorf("secret_key is not null on GET")
		}
		if k.UserID == nil || *k.UserID != s.userID || k.ApplicationID != nil {
			return errorf("bearer user_id %s application_id %s, want user %q only", deref(k.UserID), deref(k.ApplicationID), s.userID)
		}
		if k.DefaultProjectID != s.projectID {
			return errorf("default_project_id %q, want %q", k.DefaultProjectID, s.projectID)
		}
		return checkPast("created_at", k.CreatedAt)
	})
	s.t.run("responses carry Content-Type application/json and an X-Request-Id", func() error {
		ex := s.rec.last()
		if ex.ContentType != "application/json" {
			return errorf("Content-Type %q (the SDK only decodes exactly application/json)", ex.ContentType)
		}
		if ex.RequestID == "" {
			return errorf("no X-Request-Id header")
		}
		return nil
	})
}

// newApp creates an application for a test and registers it for cleanup.
func (s *suite) newApp(name string) (*iam.Application, error) {
	app, err := s.api.CreateApplication(&iam.CreateApplicationRequest{Name: name + "-" + suffix(), Description: "sdk conformance"})
	if err != nil {
		return nil, errorf("CreateApplication: %s", describe(err))
	}
	s.apps = append(s.apps, app.ID)
	return app, nil
}

func (s *suite) testApplicationKeys() {
	var app *iam.Application
	var key, expiring *iam.APIKey
	var secret string

	s.t.run("CreateAPIKey for an application returns the key and its secret, once", func() error {
		var err error
		app, err = s.newApp("sdk-keys")
		if err == nil {
			err = s.grantReadOnly(app.ID)
		}
		if err != nil {
			return err
		}
		key, err = s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: "first key"})
		if err != nil {
			return errorf("CreateAPIKey: %s", describe(err))
		}
		if err = s.expectStatus("POST", 200); err != nil {
			return err
		}
		if !accessKeyRe.MatchString(key.AccessKey) {
			return errorf("access_key %q is not SCW + 17 Crockford base32 characters", key.AccessKey)
		}
		if key.SecretKey == nil {
			return errorf("secret_key is null on create")
		}
		secret = *key.SecretKey
		if !uuid4Re.MatchString(secret) {
			return errorf("secret_key is not a lowercase UUID v4")
		}
		if key.ApplicationID == nil || *key.ApplicationID != app.ID || key.UserID != nil {
			return errorf("bearer application_id %s user_id %s, want application %q only", deref(key.ApplicationID), deref(key.UserID), app.ID)
		}
		if key.Description != "first key" || key.ExpiresAt != nil || !key.Editable {
			return errorf("description %q expires_at %v editable %v", key.Description, key.ExpiresAt, key.Editable)
		}
		if key.DefaultProjectID != s.projectID {
			return errorf("default_project_id %q, want the organization's default project %q", key.DefaultProjectID, s.projectID)
		}
		if key.CreationIP != "127.0.0.1" {
			return errorf("creation_ip %q, want 127.0.0.1 (the SDK connects over loopback)", key.CreationIP)
		}
		if err = checkRecent("created_at", key.CreatedAt); err != nil {
			return err
		}
		if key.UpdatedAt == nil || !key.UpdatedAt.Equal(*key.CreatedAt) {
			return errorf("updated_at %v differs from created_at %v on a new key", key.UpdatedAt, key.CreatedAt)
		}
		return nil
	})

	s.t.run("CreateAPIKey with an expiry written +02:00 stores the same instant, in UTC", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		plus2 := time.FixedZone("+02:00", 2*3600)
		want := time.Now().Add(48 * time.Hour).Truncate(time.Millisecond).In(plus2)
		var err error
		expiring, err = s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: "expiring", ExpiresAt: &want})
		if err != nil {
			return errorf("CreateAPIKey: %s", describe(err))
		}
		if expiring.ExpiresAt == nil || !expiring.ExpiresAt.Equal(want) {
			return errorf("expires_at %v, want the instant %v", expiring.ExpiresAt, want)
		}
		if expiring.ExpiresAt.Location() != time.UTC {
			return errorf("expires_at %v is not written in UTC", expiring.ExpiresAt)
		}
		got, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: expiring.AccessKey})
		if err != nil {
			return errorf("GetAPIKey: %s", describe(err))
		}
		if got.ExpiresAt == nil || !got.ExpiresAt.Equal(want) {
			return errorf("GET expires_at %v, want %v", got.ExpiresAt, want)
		}
		return nil
	})

	s.t.run("GetAPIKey returns the created key without its secret", func() error {
		if key == nil {
			return errorf("no key (earlier failure)")
		}
		got, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: key.AccessKey})
		if err != nil {
			return errorf("GetAPIKey: %s", describe(err))
		}
		if got.SecretKey != nil {
			return errorf("secret_key is not null on GET")
		}
		if got.AccessKey != key.AccessKey || got.Description != key.Description ||
			got.ApplicationID == nil || *got.ApplicationID != app.ID || got.UserID != nil ||
			!got.CreatedAt.Equal(*key.CreatedAt) || !got.UpdatedAt.Equal(*key.UpdatedAt) ||
			got.DefaultProjectID != key.DefaultProjectID || got.CreationIP != key.CreationIP || got.ExpiresAt != nil {
			return errorf("GET differs from create: %+v vs %+v", got, key)
		}
		return nil
	})

	s.t.run("GetApplication counts the application's keys (nb_api_keys)", func() error {
		if app == nil || expiring == nil {
			return errorf("no application or keys (earlier failure)")
		}
		got, err := s.api.GetApplication(&iam.GetApplicationRequest{ApplicationID: app.ID})
		if err != nil {
			return errorf("GetApplication: %s", describe(err))
		}
		if got.NbAPIKeys != 2 {
			return errorf("nb_api_keys %d, want 2", got.NbAPIKeys)
		}
		return nil
	})

	s.t.run("UpdateAPIKey changes the description, keeps what the SDK sends as null, moves updated_at", func() error {
		if key == nil {
			return errorf("no key (earlier failure)")
		}
		time.Sleep(5 * time.Millisecond)
		// This SDK sends "default_project_id":null for an unset field: it must mean "unchanged".
		got, err := s.api.UpdateAPIKey(&iam.UpdateAPIKeyRequest{AccessKey: key.AccessKey, Description: strp("renamed key")})
		if err != nil {
			return errorf("UpdateAPIKey: %s", describe(err))
		}
		if got.Description != "renamed key" || got.SecretKey != nil || got.DefaultProjectID != s.projectID {
			return errorf("after PATCH: description %q secret %v project %q", got.Description, got.SecretKey != nil, got.DefaultProjectID)
		}
		if !got.CreatedAt.Equal(*key.CreatedAt) || !got.UpdatedAt.After(*key.UpdatedAt) {
			return errorf("created_at %v -> %v, updated_at %v -> %v (want same, later)", key.CreatedAt, got.CreatedAt, key.UpdatedAt, got.UpdatedAt)
		}
		again, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: key.AccessKey})
		if err != nil {
			return errorf("GetAPIKey: %s", describe(err))
		}
		if again.Description != "renamed key" || !again.UpdatedAt.Equal(*got.UpdatedAt) {
			return errorf("GET after PATCH: description %q updated_at %v", again.Description, again.UpdatedAt)
		}
		return nil
	})

	s.t.run("UpdateAPIKey with an explicit default_project_id and no description keeps the description", func() error {
		if key == nil {
			return errorf("no key (earlier failure)")
		}
		got, err := s.api.UpdateAPIKey(&iam.UpdateAPIKeyRequest{AccessKey: key.AccessKey, DefaultProjectID: strp(s.projectID)})
		if err != nil {
			return errorf("UpdateAPIKey: %s", describe(err))
		}
		if got.Description != "renamed key" || got.DefaultProjectID != s.projectID {
			return errorf("after PATCH: description %q project %q", got.Description, got.DefaultProjectID)
		}
		return nil
	})

	s.t.run("UpdateAPIKey moves default_project_id in place (same key, same secret)", func() error {
		if key == nil {
			return errorf("no key (earlier failure)")
		}
		other := randomUUID4()
		got, err := s.api.UpdateAPIKey(&iam.UpdateAPIKeyRequest{AccessKey: key.AccessKey, DefaultProjectID: &other})
		if err != nil {
			return errorf("UpdateAPIKey: %s", describe(err))
		}
		if got.AccessKey != key.AccessKey || got.DefaultProjectID != other || got.Description != "renamed key" {
			return errorf("after PATCH: access_key %q project %q description %q", got.AccessKey, got.DefaultProjectID, got.Description)
		}
		back, err := s.api.UpdateAPIKey(&iam.UpdateAPIKeyRequest{AccessKey: key.AccessKey, DefaultProjectID: &s.projectID})
		if err != nil {
			return errorf("UpdateAPIKey (back): %s", describe(err))
		}
		if back.DefaultProjectID != s.projectID {
			return errorf("project %q after moving it back", back.DefaultProjectID)
		}
		return nil
	})

	s.t.run("ListAPIKeys editable=true lists the application's keys, editable=false none", func() error {
		if app == nil || key == nil {
			return errorf("no application (earlier failure)")
		}
		yes, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{ApplicationID: &app.ID, Editable: boolp(true)})
		if err != nil {
			return errorf("ListAPIKeys(editable=true): %s", describe(err))
		}
		no, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{ApplicationID: &app.ID, Editable: boolp(false)})
		if err != nil {
			return errorf("ListAPIKeys(editable=false): %s", describe(err))
		}
		if yes.TotalCount != 2 || no.TotalCount != 0 || len(no.APIKeys) != 0 {
			return errorf("editable=true: %d, editable=false: %d (want 2 and 0)", yes.TotalCount, no.TotalCount)
		}
		return nil
	})

	s.t.run("the new key's secret authenticates SDK calls", func() error {
		if key == nil || secret == "" {
			return errorf("no key (earlier failure)")
		}
		got, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: key.AccessKey}, scw.WithAuthRequest(key.AccessKey, secret))
		if err != nil {
			return errorf("GetAPIKey with the new key: %s", describe(err))
		}
		if got.AccessKey != key.AccessKey {
			return errorf("got %q", got.AccessKey)
		}
		return nil
	})

	s.t.run("DeleteAPIKey answers 204; GetAPIKey then gives *scw.ResourceNotFoundError", func() error {
		if key == nil {
			return errorf("no key (earlier failure)")
		}
		if err := s.api.DeleteAPIKey(&iam.DeleteAPIKeyRequest{AccessKey: key.AccessKey}); err != nil {
			return errorf("DeleteAPIKey: %s", describe(err))
		}
		if err := s.expectStatus("DELETE", 204); err != nil {
			return err
		}
		_, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: key.AccessKey})
		if err := expectNotFound(err, "access_key", key.AccessKey); err != nil {
			return err
		}
		return s.expectStatus("GET", 404)
	})

	s.t.run("DeleteAPIKey on a deleted key gives *scw.ResourceNotFoundError", func() error {
		if key == nil {
			return errorf("no key (earlier failure)")
		}
		err := s.api.DeleteAPIKey(&iam.DeleteAPIKeyRequest{AccessKey: key.AccessKey})
		return expectNotFound(err, "access_key", key.AccessKey)
	})

	s.t.run("a deleted key's secret is refused: *scw.DeniedAuthenticationError reason not_found", func() error {
		if key == nil || secret == "" {
			return errorf("no key (earlier failure)")
		}
		_, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: s.accessKey}, scw.WithAuthRequest(key.AccessKey, secret))
		if err := expectDenied(err, "not_found"); err != nil {
			return err
		}
		return s.expectStatus("GET", 401)
	})

	s.t.run("GetApplication's nb_api_keys follows the delete", func() error {
		if app == nil || expiring == nil {
			return errorf("no application or keys (earlier failure)")
		}
		got, err := s.api.GetApplication(&iam.GetApplicationRequest{ApplicationID: app.ID})
		if err != nil {
			return errorf("GetApplication: %s", describe(err))
		}
		if got.NbAPIKeys != 1 {
			return errorf("nb_api_keys %d, want 1", got.NbAPIKeys)
		}
		return nil
	})
}

func (s *suite) testUserKeys() {
	var key *iam.APIKey

	s.t.run("ListUsers and GetUser show the bootstrap owner", func() error {
		list, err := s.api.ListUsers(&iam.ListUsersRequest{OrganizationID: &s.orgID}, scw.WithAllPages())
		if err != nil {
			return errorf("ListUsers: %s", describe(err))
		}
		found := false
		for _, u := range list.Users {
			if u.ID == s.userID {
				found = true
			}
			if u.OrganizationID != s.orgID {
				return errorf("user %s of organization %q listed for %q", u.ID, u.OrganizationID, s.orgID)
			}
		}
		if !found {
			return errorf("owner %s not among %d listed users", s.userID, len(list.Users))
		}
		u, err := s.api.GetUser(&iam.GetUserRequest{UserID: s.userID})
		if err != nil {
			return errorf("GetUser: %s", describe(err))
		}
		if u.ID != s.userID || u.OrganizationID != s.orgID || u.Type != iam.UserTypeOwner || u.Deletable {
			return errorf("owner: id %q org %q type %q deletable %v", u.ID, u.OrganizationID, u.Type, u.Deletable)
		}
		return checkPast("created_at", u.CreatedAt)
	})

	s.t.run("DeleteUser on the owner is refused with a typed error; the owner and its keys stay", func() error {
		err := s.api.DeleteUser(&iam.DeleteUserRequest{UserID: s.userID})
		var pf *scw.PreconditionFailedError
		var pd *scw.PermissionsDeniedError
		if !errors.As(err, &pf) && !errors.As(err, &pd) {
			return errorf("want *scw.PreconditionFailedError or *scw.PermissionsDeniedError, got %s", describe(err))
		}
		if _, err = s.api.GetUser(&iam.GetUserRequest{UserID: s.userID}); err != nil {
			return errorf("GetUser after the refused delete: %s", describe(err))
		}
		if _, err = s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: s.accessKey}); err != nil {
			return errorf("GetAPIKey(bootstrap) after the refused delete: %s", describe(err))
		}
		return nil
	})

	s.t.run("CreateAPIKey for a user: user_id set, application_id absent", func() error {
		var err error
		key, err = s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{UserID: &s.userID, Description: "user key"})
		if err != nil {
			return errorf("CreateAPIKey: %s", describe(err))
		}
		s.userKeys = append(s.userKeys, key.AccessKey)
		if key.UserID == nil || *key.UserID != s.userID || key.ApplicationID != nil {
			return errorf("bearer user_id %s application_id %s", deref(key.UserID), deref(key.ApplicationID))
		}
		if key.SecretKey == nil || !uuid4Re.MatchString(*key.SecretKey) {
			return errorf("secret_key missing or not a UUID v4")
		}
		return nil
	})

	s.t.run("ListAPIKeys filtered by user_id lists the user's keys only", func() error {
		if key == nil {
			return errorf("no key (earlier failure)")
		}
		list, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{UserID: &s.userID}, scw.WithAllPages())
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		seen := map[string]bool{}
		for _, k := range list.APIKeys {
			if k.UserID == nil || *k.UserID != s.userID || k.ApplicationID != nil || k.SecretKey != nil {
				return errorf("key %s: user_id %s application_id %s secret %v", k.AccessKey, deref(k.UserID), deref(k.ApplicationID), k.SecretKey != nil)
			}
			seen[k.AccessKey] = true
		}
		if !seen[key.AccessKey] || !seen[s.accessKey] {
			return errorf("listed %d keys; new key present %v, bootstrap key present %v", len(list.APIKeys), seen[key.AccessKey], seen[s.accessKey])
		}
		return nil
	})

	s.t.run("UpdateAPIKey then DeleteAPIKey on a user key", func() error {
		if key == nil {
			return errorf("no key (earlier failure)")
		}
		got, err := s.api.UpdateAPIKey(&iam.UpdateAPIKeyRequest{AccessKey: key.AccessKey, Description: strp("")})
		if err != nil {
			return errorf("UpdateAPIKey: %s", describe(err))
		}
		if got.Description != "" || got.UserID == nil || *got.UserID != s.userID {
			return errorf("after PATCH description %q user_id %s", got.Description, deref(got.UserID))
		}
		if err = s.api.DeleteAPIKey(&iam.DeleteAPIKeyRequest{AccessKey: key.AccessKey}); err != nil {
			return errorf("DeleteAPIKey: %s", describe(err))
		}
		s.userKeys = s.userKeys[:len(s.userKeys)-1]
		_, err = s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: key.AccessKey})
		return expectNotFound(err, "access_key", key.AccessKey)
	})
}
