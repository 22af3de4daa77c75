// SPDX-License-Identifier: MIT

// errors.go: every error class the SDK types, provoked through the SDK and checked as the SDK
// parses it: *scw.InvalidArgumentsError (argument named in details), *scw.ResourceNotFoundError
// (resource and id), *scw.DeniedAuthenticationError (method and reason: invalid_argument,
// not_found, expired), *scw.PermissionsDeniedError (another organization) and
// *scw.QuotasExceededError (the per-organization key quota, with current and quota).
package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	iam "github.com/scaleway/scaleway-sdk-go/api/iam/v1alpha1"
	"github.com/scaleway/scaleway-sdk-go/scw"
)

func (s *suite) testInvalidArguments() {
	var app *iam.Application
	s.t.run("CreateAPIKey with expires_at in the past gives *scw.InvalidArgumentsError naming expires_at", func() error {
		var err error
		app, err = s.newApp("sdk-errors")
		if err != nil {
			return err
		}
		past := time.Now().Add(-time.Hour)
		_, err = s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, ExpiresAt: &past})
		if err := expectInvalidArgument(err, "expires_at"); err != nil {
			return err
		}
		return s.expectStatus("POST", 400)
	})
	s.t.run("CreateAPIKey with a 201-character description gives *scw.InvalidArgumentsError naming description", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		_, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: strings.Repeat("x", 201)})
		return expectInvalidArgument(err, "description")
	})
	s.t.run("a 200-character description is accepted (the limit is inclusive)", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		d := strings.Repeat("é", 200) // 200 characters, 400 bytes
		k, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: d})
		if err != nil {
			return errorf("CreateAPIKey: %s", describe(err))
		}
		if k.Description != d {
			return errorf("description came back as %d bytes", len(k.Description))
		}
		return nil
	})
	s.t.run("UpdateAPIKey with a 201-character description gives *scw.InvalidArgumentsError and changes nothing", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		k, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: "keep me"})
		if err != nil {
			return errorf("CreateAPIKey: %s", describe(err))
		}
		_, err = s.api.UpdateAPIKey(&iam.UpdateAPIKeyRequest{AccessKey: k.AccessKey, Description: strp(strings.Repeat("x", 201))})
		if err := expectInvalidArgument(err, "description"); err != nil {
			return err
		}
		got, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: k.AccessKey})
		if err != nil {
			return errorf("GetAPIKey: %s", describe(err))
		}
		if got.Description != "keep me" {
			return errorf("description is now %q", got.Description)
		}
		return nil
	})
	s.t.run("CreateAPIKey with both bearers gives *scw.InvalidArgumentsError", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		_, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, UserID: &s.userID})
		var ia *scw.InvalidArgumentsError
		if !errors.As(err, &ia) || len(ia.Details) == 0 {
			return errorf("want *scw.InvalidArgumentsError with details, got %s", describe(err))
		}
		return nil
	})
	s.t.run("CreateAPIKey with no bearer gives *scw.InvalidArgumentsError", func() error {
		_, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{Description: "nobody"})
		var ia *scw.InvalidArgumentsError
		if !errors.As(err, &ia) || len(ia.Details) == 0 {
			return errorf("want *scw.InvalidArgumentsError with details, got %s", describe(err))
		}
		return nil
	})
	s.t.run("CreateAPIKey with a malformed default_project_id gives *scw.InvalidArgumentsError naming it", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		_, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, DefaultProjectID: strp("not-a-uuid")})
		return expectInvalidArgument(err, "default_project_id")
	})
	s.t.run("the rejected creates left no key behind (nb_api_keys)", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		got, err := s.api.GetApplication(&iam.GetApplicationRequest{ApplicationID: app.ID})
		if err != nil {
			return errorf("GetApplication: %s", describe(err))
		}
		if got.NbAPIKeys != 2 {
			return errorf("nb_api_keys %d, want 2 (the two accepted creates)", got.NbAPIKeys)
		}
		return nil
	})
}

func (s *suite) testNotFound() {
	s.t.run("GetAPIKey on a never-issued access key gives *scw.ResourceNotFoundError", func() error {
		ak := randomAccessKey()
		_, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: ak})
		return expectNotFound(err, "access_key", ak)
	})
	s.t.run("UpdateAPIKey on a never-issued access key gives *scw.ResourceNotFoundError", func() error {
		ak := randomAccessKey()
		_, err := s.api.UpdateAPIKey(&iam.UpdateAPIKeyRequest{AccessKey: ak, Description: strp("x")})
		return expectNotFound(err, "access_key", ak)
	})
	s.t.run("GetApplication on an unknown id gives *scw.ResourceNotFoundError", func() error {
		id := randomUUID4()
		_, err := s.api.GetApplication(&iam.GetApplicationRequest{ApplicationID: id})
		return expectNotFound(err, "application", id)
	})
	s.t.run("GetUser on an unknown id gives *scw.ResourceNotFoundError", func() error {
		id := randomUUID4()
		_, err := s.api.GetUser(&iam.GetUserRequest{UserID: id})
		return expectNotFound(err, "user", id)
	})
	s.t.run("CreateAPIKey for an unknown application is refused with a typed error and creates nothing", func() error {
		id := randomUUID4()
		before, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{PageSize: u32p(1)})
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		_, err = s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &id})
		var nf *scw.ResourceNotFoundError
		var ia *scw.InvalidArgumentsError
		switch {
		case errors.As(err, &nf):
			if nf.Resource != "application" || nf.ResourceID != id {
				return errorf("not_found for %q %q", nf.Resource, nf.ResourceID)
			}
		case errors.As(err, &ia):
			if err := expectInvalidArgument(err, "application_id"); err != nil {
				return err
			}
		default:
			return errorf("want *scw.ResourceNotFoundError or *scw.InvalidArgumentsError, got %s", describe(err))
		}
		after, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{PageSize: u32p(1)})
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		if after.TotalCount != before.TotalCount {
			return errorf("total_count went from %d to %d", before.TotalCount, after.TotalCount)
		}
		return nil
	})
}

func (s *suite) testAuthentication() {
	s.t.run("a wrong secret key gives *scw.DeniedAuthenticationError reason not_found (401)", func() error {
		_, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: s.accessKey}, scw.WithAuthRequest(s.accessKey, randomUUID4()))
		if err := expectDenied(err, "not_found"); err != nil {
			return err
		}
		if !strings.Contains(err.Error(), "API key does not exist") {
			return errorf("SDK message %q", err.Error())
		}
		return s.expectStatus("GET", 401)
	})
	s.t.run("a secret key that is not a UUID gives *scw.DeniedAuthenticationError reason invalid_argument", func() error {
		_, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{}, scw.WithAuthRequest(s.accessKey, "not-a-uuid"))
		return expectDenied(err, "invalid_argument")
	})
	s.t.run("a client without credentials gives *scw.DeniedAuthenticationError reason invalid_argument", func() error {
		c, err := scw.NewClient(scw.WithAPIURL(s.apiURL), scw.WithoutAuth(), scw.WithDefaultOrganizationID(s.orgID))
		if err != nil {
			return errorf("NewClient: %v", err)
		}
		_, err = iam.NewAPI(c).ListApplications(&iam.ListApplicationsRequest{})
		return expectDenied(err, "invalid_argument")
	})
	s.t.run("an expired key gives *scw.DeniedAuthenticationError reason expired (and worked before)", func() error {
		app, err := s.newApp("sdk-expiry")
		if err == nil {
			err = s.grantReadOnly(app.ID)
		}
		if err != nil {
			return err
		}
		// The key must be used once before its expiry and once after. On a slow machine (the
		// sanitizer build under load) the first use may land after a short expiry: then the
		// attempt proves nothing and is repeated with a longer one.
		for _, window := range []time.Duration{2 * time.Second, 10 * time.Second} {
			exp := time.Now().Add(window)
			k, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, ExpiresAt: &exp})
			if err != nil {
				return errorf("CreateAPIKey: %s", describe(err))
			}
			_, err = s.api.ListApplications(&iam.ListApplicationsRequest{}, scw.WithAuthRequest(k.AccessKey, *k.SecretKey))
			if time.Now().After(exp) {
				continue // too slow to tell
			}
			if err != nil {
				return errorf("the key was refused before its expiry: %s", describe(err))
			}
			time.Sleep(time.Until(exp) + 300*time.Millisecond)
			_, err = s.api.ListApplications(&iam.ListApplicationsRequest{}, scw.WithAuthRequest(k.AccessKey, *k.SecretKey))
			if err := expectDenied(err, "expired"); err != nil {
				return err
			}
			// Expired keys stay listed, with their past expiry.
			got, err := s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: k.AccessKey})
			if err != nil {
				return errorf("GetAPIKey on the expired key: %s", describe(err))
			}
			if got.ExpiresAt == nil || got.ExpiresAt.After(time.Now()) {
				return errorf("expires_at %v", got.ExpiresAt)
			}
			return nil
		}
		return errorf("the first use of a key took longer than its 10 s lifetime")
	})
}

// testPermissions: a key only ever acts inside its own organization.
func (s *suite) testPermissions() {
	foreign := randomUUID4()
	s.t.run("CreateApplication in another organization gives *scw.PermissionsDeniedError", func() error {
		_, err := s.api.CreateApplication(&iam.CreateApplicationRequest{Name: "sdk-foreign", OrganizationID: foreign})
		var pd *scw.PermissionsDeniedError
		if !errors.As(err, &pd) {
			return errorf("want *scw.PermissionsDeniedError, got %s", describe(err))
		}
		return s.expectStatus("POST", 403)
	})
	s.t.run("ListAPIKeys of another organization gives *scw.PermissionsDeniedError", func() error {
		_, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{OrganizationID: &foreign})
		var pd *scw.PermissionsDeniedError
		if !errors.As(err, &pd) {
			return errorf("want *scw.PermissionsDeniedError, got %s", describe(err))
		}
		return nil
	})
}

// testQuota fills the organization up to its key quota with one application's keys.
func (s *suite) testQuota() {
	var app *iam.Application
	var last *iam.APIKey
	made := 0
	s.t.run(fmt.Sprintf("creating keys past the quota (%d) gives *scw.QuotasExceededError with current and quota", s.quota), func() error {
		var err error
		app, err = s.newApp("sdk-quota")
		if err != nil {
			return err
		}
		one, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{PageSize: u32p(1)})
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		room := s.quota - int(one.TotalCount)
		if room < 0 {
			return errorf("the organization already holds %d keys, over the quota %d", one.TotalCount, s.quota)
		}
		for i := 0; i < room; i++ {
			last, err = s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: "filler"})
			if err != nil {
				return errorf("create %d of %d (under the quota) failed: %s", i+1, room, describe(err))
			}
			made++
		}
		_, err = s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: "one too many"})
		var qe *scw.QuotasExceededError
		if !errors.As(err, &qe) {
			return errorf("want *scw.QuotasExceededError, got %s", describe(err))
		}
		if len(qe.Details) != 1 || qe.Details[0].Quota != uint32(s.quota) || qe.Details[0].Current != uint32(s.quota) || qe.Details[0].Resource == "" {
			return errorf("details %+v (body %s), want one with current = quota = %d", qe.Details, qe.RawBody, s.quota)
		}
		return s.expectStatus("POST", 403)
	})
	s.t.run("after deleting one key, one more can be created", func() error {
		if last == nil {
			return errorf("no key (earlier failure)")
		}
		if err := s.api.DeleteAPIKey(&iam.DeleteAPIKeyRequest{AccessKey: last.AccessKey}); err != nil {
			return errorf("DeleteAPIKey: %s", describe(err))
		}
		if _, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: "back under"}); err != nil {
			return errorf("CreateAPIKey: %s", describe(err))
		}
		return nil
	})
}

// testWire: facts about every exchange the main client made during the run.
func (s *suite) testWire() {
	s.t.run("every answer had Content-Type application/json and its own X-Request-Id (a UUID)", func() error {
		all := s.rec.since(0)
		if len(all) < 100 {
			return errorf("only %d exchanges recorded", len(all))
		}
		seen := map[string]bool{}
		for _, ex := range all {
			if ex.ContentType != "application/json" {
				return errorf("%s %s -> %d with Content-Type %q", ex.Method, ex.URL.Path, ex.Status, ex.ContentType)
			}
			if err := checkUUID4("X-Request-Id of "+ex.Method+" "+ex.URL.Path, ex.RequestID); err != nil {
				return err
			}
			if seen[ex.RequestID] {
				return errorf("X-Request-Id %s answered twice", ex.RequestID)
			}
			seen[ex.RequestID] = true
		}
		return nil
	})
}

// snapshot records what the organization holds before the run.
func (s *suite) snapshot() {
	s.t.run("ListAPIKeys and ListApplications answer before anything is created", func() error {
		keys, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{}, scw.WithAllPages())
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		s.initialKeys = keyList(keys.APIKeys)
		found := false
		for _, ak := range s.initialKeys {
			found = found || ak == s.accessKey
		}
		if !found {
			return errorf("the bootstrap key %s is not among the %d listed keys", s.accessKey, len(s.initialKeys))
		}
		apps, err := s.api.ListApplications(&iam.ListApplicationsRequest{PageSize: u32p(1)})
		if err != nil {
			return errorf("ListApplications: %s", describe(err))
		}
		s.initialApps = apps.TotalCount
		return nil
	})
}

// cleanup deletes what the run created; the organization is then back to what snapshot saw.
func (s *suite) cleanup() {
	s.t.run("cleanup: delete every application and key made here; the organization is as before", func() error {
		for _, id := range s.apps {
			if err := s.api.DeleteApplication(&iam.DeleteApplicationRequest{ApplicationID: id}); err != nil {
				return errorf("DeleteApplication %s: %s", id, describe(err))
			}
		}
		for _, ak := range s.userKeys {
			if err := s.api.DeleteAPIKey(&iam.DeleteAPIKeyRequest{AccessKey: ak}); err != nil {
				return errorf("DeleteAPIKey %s: %s", ak, describe(err))
			}
		}
		list, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{}, scw.WithAllPages())
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		if err = sameSet(keyList(list.APIKeys), s.initialKeys); err != nil {
			return errorf("keys after cleanup: %v", err)
		}
		apps, err := s.api.ListApplications(&iam.ListApplicationsRequest{PageSize: u32p(1)})
		if err != nil {
			return errorf("ListApplications: %s", describe(err))
		}
		if apps.TotalCount != s.initialApps {
			return errorf("%d applications, %d before the run", apps.TotalCount, s.initialApps)
		}
		return nil
	})
}
