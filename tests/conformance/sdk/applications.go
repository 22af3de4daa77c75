// SPDX-License-Identifier: MIT

// applications.go: applications through the SDK: create, get, update (including the SDK's
// explicit nulls), filtered lists and delete, and the deletion of an application's keys with it.
package main

import (
	"strings"
	"time"

	iam "github.com/scaleway/scaleway-sdk-go/api/iam/v1alpha1"
	"github.com/scaleway/scaleway-sdk-go/scw"
)

func (s *suite) testApplications() {
	var app, other *iam.Application
	name := "sdk-app-" + suffix()

	s.t.run("CreateApplication fills the organization from SCW_DEFAULT_ORGANIZATION_ID", func() error {
		var err error
		app, err = s.api.CreateApplication(&iam.CreateApplicationRequest{Name: name, Description: "made by the SDK"})
		if err != nil {
			return errorf("CreateApplication: %s", describe(err))
		}
		s.apps = append(s.apps, app.ID)
		if err = s.expectStatus("POST", 200); err != nil {
			return err
		}
		if err = checkUUID4("id", app.ID); err != nil {
			return err
		}
		if app.Name != name || app.Description != "made by the SDK" || app.OrganizationID != s.orgID {
			return errorf("name %q description %q organization_id %q", app.Name, app.Description, app.OrganizationID)
		}
		if !app.Editable || app.NbAPIKeys != 0 {
			return errorf("editable %v nb_api_keys %d, want true 0", app.Editable, app.NbAPIKeys)
		}
		if err = checkRecent("created_at", app.CreatedAt); err != nil {
			return err
		}
		if app.UpdatedAt == nil || !app.UpdatedAt.Equal(*app.CreatedAt) {
			return errorf("updated_at %v differs from created_at %v", app.UpdatedAt, app.CreatedAt)
		}
		return nil
	})

	s.t.run("GetApplication returns what was created", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		got, err := s.api.GetApplication(&iam.GetApplicationRequest{ApplicationID: app.ID})
		if err != nil {
			return errorf("GetApplication: %s", describe(err))
		}
		if got.ID != app.ID || got.Name != app.Name || got.Description != app.Description ||
			got.OrganizationID != app.OrganizationID || !got.CreatedAt.Equal(*app.CreatedAt) ||
			!got.UpdatedAt.Equal(*app.UpdatedAt) || got.Editable != app.Editable || got.NbAPIKeys != 0 {
			return errorf("GET %+v differs from create %+v", got, app)
		}
		return nil
	})

	s.t.run("UpdateApplication renames; a field the SDK sends as null stays unchanged", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		time.Sleep(5 * time.Millisecond)
		name += "-renamed"
		// Description is nil: this SDK sends "description":null, which must mean "unchanged".
		got, err := s.api.UpdateApplication(&iam.UpdateApplicationRequest{ApplicationID: app.ID, Name: &name})
		if err != nil {
			return errorf("UpdateApplication: %s", describe(err))
		}
		if got.Name != name || got.Description != "made by the SDK" {
			return errorf("after PATCH name %q description %q", got.Name, got.Description)
		}
		if !got.CreatedAt.Equal(*app.CreatedAt) || !got.UpdatedAt.After(*app.UpdatedAt) {
			return errorf("created_at %v -> %v, updated_at %v -> %v", app.CreatedAt, got.CreatedAt, app.UpdatedAt, got.UpdatedAt)
		}
		got, err = s.api.UpdateApplication(&iam.UpdateApplicationRequest{ApplicationID: app.ID, Description: strp("")})
		if err != nil {
			return errorf("UpdateApplication (description): %s", describe(err))
		}
		if got.Name != name || got.Description != "" {
			return errorf("after second PATCH name %q description %q", got.Name, got.Description)
		}
		app = got
		return nil
	})

	s.t.run("ListApplications filters by name and by application_ids", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		var err error
		other, err = s.newApp("sdk-app-other")
		if err != nil {
			return err
		}
		byName, err := s.api.ListApplications(&iam.ListApplicationsRequest{Name: &name})
		if err != nil {
			return errorf("ListApplications(name): %s", describe(err))
		}
		if byName.TotalCount != 1 || len(byName.Applications) != 1 || byName.Applications[0].ID != app.ID {
			return errorf("by name: total_count %d, %d listed", byName.TotalCount, len(byName.Applications))
		}
		byIDs, err := s.api.ListApplications(&iam.ListApplicationsRequest{ApplicationIDs: []string{app.ID, other.ID}})
		if err != nil {
			return errorf("ListApplications(application_ids): %s", describe(err))
		}
		if byIDs.TotalCount != 2 || len(byIDs.Applications) != 2 {
			return errorf("by ids: total_count %d, %d listed", byIDs.TotalCount, len(byIDs.Applications))
		}
		// created_at_asc is the default order: app was created first.
		if byIDs.Applications[0].ID != app.ID || byIDs.Applications[1].ID != other.ID {
			return errorf("by ids: order %s, %s; want %s, %s", byIDs.Applications[0].ID, byIDs.Applications[1].ID, app.ID, other.ID)
		}
		desc, err := s.api.ListApplications(&iam.ListApplicationsRequest{ApplicationIDs: []string{app.ID, other.ID},
			OrderBy: iam.ListApplicationsRequestOrderByCreatedAtDesc})
		if err != nil {
			return errorf("ListApplications(created_at_desc): %s", describe(err))
		}
		if len(desc.Applications) != 2 || desc.Applications[0].ID != other.ID {
			return errorf("created_at_desc did not put the newest first")
		}
		return nil
	})

	s.t.run("ListApplications with all pages agrees with total_count and stays in the organization", func() error {
		one, err := s.api.ListApplications(&iam.ListApplicationsRequest{PageSize: u32p(1)})
		if err != nil {
			return errorf("ListApplications(page_size=1): %s", describe(err))
		}
		m := s.rec.mark()
		all, err := s.api.ListApplications(&iam.ListApplicationsRequest{PageSize: u32p(1)}, scw.WithAllPages())
		if err != nil {
			return errorf("ListApplications(all pages): %s", describe(err))
		}
		if uint32(len(all.Applications)) != one.TotalCount || one.TotalCount < 2 {
			return errorf("all pages gave %d applications, total_count said %d", len(all.Applications), one.TotalCount)
		}
		if n := len(s.rec.since(m)); n != int(one.TotalCount) {
			return errorf("%d requests for %d pages of 1", n, one.TotalCount)
		}
		for _, a := range all.Applications {
			if a.OrganizationID != s.orgID {
				return errorf("application %s of organization %s listed", a.ID, a.OrganizationID)
			}
		}
		return nil
	})

	s.t.run("DeleteApplication deletes its keys too; GetApplication then gives *scw.ResourceNotFoundError", func() error {
		if other == nil {
			return errorf("no application (earlier failure)")
		}
		k, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &other.ID, Description: "goes with its app"})
		if err != nil {
			return errorf("CreateAPIKey: %s", describe(err))
		}
		if err = s.api.DeleteApplication(&iam.DeleteApplicationRequest{ApplicationID: other.ID}); err != nil {
			return errorf("DeleteApplication: %s", describe(err))
		}
		if err = s.expectStatus("DELETE", 204); err != nil {
			return err
		}
		s.forget(other.ID)
		_, err = s.api.GetApplication(&iam.GetApplicationRequest{ApplicationID: other.ID})
		if err = expectNotFound(err, "application", other.ID); err != nil {
			return err
		}
		_, err = s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: k.AccessKey})
		if err = expectNotFound(err, "access_key", k.AccessKey); err != nil {
			return errorf("the application's key survived: %v", err)
		}
		err = s.api.DeleteApplication(&iam.DeleteApplicationRequest{ApplicationID: other.ID})
		return expectNotFound(err, "application", other.ID)
	})

	s.t.run("UpdateApplication on an unknown id gives *scw.ResourceNotFoundError", func() error {
		id := randomUUID4()
		_, err := s.api.UpdateApplication(&iam.UpdateApplicationRequest{ApplicationID: id, Name: strp("x")})
		return expectNotFound(err, "application", id)
	})

	s.t.run("CreateApplication with a 65-character name gives *scw.InvalidArgumentsError naming name", func() error {
		_, err := s.api.CreateApplication(&iam.CreateApplicationRequest{Name: strings.Repeat("n", 65)})
		return expectInvalidArgument(err, "name")
	})

	s.t.run("CreateApplication with a 201-character description gives *scw.InvalidArgumentsError naming description", func() error {
		_, err := s.api.CreateApplication(&iam.CreateApplicationRequest{Name: "sdk-long-desc", Description: strings.Repeat("d", 201)})
		return expectInvalidArgument(err, "description")
	})
}

// forget removes an application from the cleanup list once a test deleted it.
func (s *suite) forget(id string) {
	for i, a := range s.apps {
		if a == id {
			s.apps = append(s.apps[:i], s.apps[i+1:]...)
			return
		}
	}
}
