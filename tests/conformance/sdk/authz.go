// SPDX-License-Identifier: MIT

package main

import (
	"errors"

	iam "github.com/scaleway/scaleway-sdk-go/api/iam/v1alpha1"
	"github.com/scaleway/scaleway-sdk-go/scw"
)

// grantReadOnly gives an application IAMReadOnly on the organization (without a policy its keys
// are refused, as on Scaleway). The policy goes with the application (orphaned, then deleted).
func (s *suite) grantReadOnly(appID string) error {
	_, err := s.api.CreatePolicy(&iam.CreatePolicyRequest{
		Name: "sdk-ro-" + suffix(), ApplicationID: &appID,
		Rules: []*iam.RuleSpecs{{OrganizationID: &s.orgID, PermissionSetNames: &[]string{"IAMReadOnly"}}},
	})
	if err != nil {
		return errorf("CreatePolicy: %s", describe(err))
	}
	return nil
}

// testAuthz: groups, policies, rules and permission sets through the official SDK, and a
// denied call decoded as *scw.PermissionsDeniedError.
func (s *suite) testAuthz() {
	var app *iam.Application
	var group *iam.Group
	var policy *iam.Policy
	var secret, accessKey string
	s.t.run("CreateGroup, SetGroupMembers, AddGroupMember, ListGroups(user/application filters)", func() error {
		var err error
		if app, err = s.newApp("sdk-authz"); err != nil {
			return err
		}
		if group, err = s.api.CreateGroup(&iam.CreateGroupRequest{Name: "sdk-group-" + suffix(), Description: "d"}); err != nil {
			return errorf("CreateGroup: %s", describe(err))
		}
		g, err := s.api.SetGroupMembers(&iam.SetGroupMembersRequest{GroupID: group.ID, UserIDs: []string{s.userID}, ApplicationIDs: []string{}})
		if err != nil || len(g.UserIDs) != 1 || len(g.ApplicationIDs) != 0 {
			return errorf("SetGroupMembers: %v %s", g, describe(err))
		}
		g, err = s.api.AddGroupMember(&iam.AddGroupMemberRequest{GroupID: group.ID, ApplicationID: &app.ID})
		if err != nil || len(g.ApplicationIDs) != 1 || g.ApplicationIDs[0] != app.ID {
			return errorf("AddGroupMember: %v %s", g, describe(err))
		}
		l, err := s.api.ListGroups(&iam.ListGroupsRequest{ApplicationIDs: []string{app.ID}})
		if err != nil || l.TotalCount != 1 || l.Groups[0].ID != group.ID {
			return errorf("ListGroups(application_ids): %v %s", l, describe(err))
		}
		return nil
	})
	s.t.run("an application key without policy gives *scw.PermissionsDeniedError (read application)", func() error {
		if app == nil {
			return errorf("no application (earlier failure)")
		}
		k, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: "authz"})
		if err != nil {
			return errorf("CreateAPIKey: %s", describe(err))
		}
		accessKey, secret = k.AccessKey, *k.SecretKey
		_, err = s.api.ListApplications(&iam.ListApplicationsRequest{}, scw.WithAuthRequest(accessKey, secret))
		var pd *scw.PermissionsDeniedError
		if !errors.As(err, &pd) || len(pd.Details) != 1 || pd.Details[0].Action != "read" || pd.Details[0].Resource != "application" {
			return errorf("want *scw.PermissionsDeniedError read application, got %s", describe(err))
		}
		return s.expectStatus("GET", 403)
	})
	s.t.run("CreatePolicy on the group (IAMReadOnly) lets the member read; ListRules, SetRules, ClonePolicy", func() error {
		if group == nil || secret == "" {
			return errorf("no group or key (earlier failure)")
		}
		var err error
		policy, err = s.api.CreatePolicy(&iam.CreatePolicyRequest{
			Name: "sdk-policy-" + suffix(), GroupID: &group.ID,
			Rules: []*iam.RuleSpecs{{OrganizationID: &s.orgID, PermissionSetNames: &[]string{"IAMReadOnly"}}},
		})
		if err != nil || policy.GroupID == nil || *policy.GroupID != group.ID {
			return errorf("CreatePolicy: %v %s", policy, describe(err))
		}
		if _, err := s.api.ListApplications(&iam.ListApplicationsRequest{}, scw.WithAuthRequest(accessKey, secret)); err != nil {
			return errorf("the member cannot read after the grant: %s", describe(err))
		}
		rules, err := s.api.ListRules(&iam.ListRulesRequest{PolicyID: &policy.ID})
		if err != nil || rules.TotalCount != 1 || (*rules.Rules[0].PermissionSetNames)[0] != "IAMReadOnly" ||
			rules.Rules[0].PermissionSetsScopeType != iam.PermissionSetScopeTypeOrganization {
			return errorf("ListRules: %v %s", rules, describe(err))
		}
		set, err := s.api.SetRules(&iam.SetRulesRequest{PolicyID: policy.ID, Rules: []*iam.RuleSpecs{
			{ProjectIDs: &[]string{s.projectID}, PermissionSetNames: &[]string{"AllProductsFullAccess"}}}})
		if err != nil || len(set.Rules) != 1 || set.Rules[0].ProjectIDs == nil {
			return errorf("SetRules: %v %s", set, describe(err))
		}
		_, err = s.api.ListApplications(&iam.ListApplicationsRequest{}, scw.WithAuthRequest(accessKey, secret))
		var pd *scw.PermissionsDeniedError
		if !errors.As(err, &pd) {
			return errorf("a projects rule must not grant IAM: %s", describe(err))
		}
		c, err := s.api.ClonePolicy(&iam.ClonePolicyRequest{PolicyID: policy.ID})
		if err != nil || c.Name != "Copy of "+policy.Name || c.NoPrincipal == nil || !*c.NoPrincipal {
			return errorf("ClonePolicy: %v %s", c, describe(err))
		}
		return s.api.DeletePolicy(&iam.DeletePolicyRequest{PolicyID: c.ID})
	})
	s.t.run("ListPermissionSets pages the catalogue", func() error {
		l, err := s.api.ListPermissionSets(&iam.ListPermissionSetsRequest{PageSize: u32p(100)})
		if err != nil || int(l.TotalCount) != len(l.PermissionSets) || l.TotalCount < 60 {
			return errorf("ListPermissionSets: %s", describe(err))
		}
		for _, p := range l.PermissionSets {
			if p.Name == "IAMManager" && p.ScopeType == iam.PermissionSetScopeTypeOrganization {
				return nil
			}
		}
		return errorf("IAMManager (organization) missing")
	})
	s.t.run("DeleteGroup and DeletePolicy answer 204", func() error {
		if group == nil || policy == nil {
			return errorf("no group or policy (earlier failure)")
		}
		if err := s.api.DeletePolicy(&iam.DeletePolicyRequest{PolicyID: policy.ID}); err != nil {
			return errorf("DeletePolicy: %s", describe(err))
		}
		if err := s.api.DeleteGroup(&iam.DeleteGroupRequest{GroupID: group.ID}); err != nil {
			return errorf("DeleteGroup: %s", describe(err))
		}
		return s.expectStatus("DELETE", 204)
	})
}
