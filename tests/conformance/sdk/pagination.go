// SPDX-License-Identifier: MIT

// pagination.go: ListAPIKeys over more keys than one default page (20), with the SDK's
// WithAllPages (which trusts total_count to know how many pages to fetch), explicit pages,
// page sizes, both creation orders, and the deletion of the keys with their application.
package main

import (
	"fmt"
	"sort"

	iam "github.com/scaleway/scaleway-sdk-go/api/iam/v1alpha1"
	"github.com/scaleway/scaleway-sdk-go/scw"
)

const pagerKeys = 25

func keyList(keys []*iam.APIKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.AccessKey
	}
	return out
}

func sameSet(a, b []string) error {
	if len(a) != len(b) {
		return errorf("%d keys, want %d", len(a), len(b))
	}
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	for i := range x {
		if x[i] != y[i] {
			return errorf("key sets differ (%s vs %s)", x[i], y[i])
		}
		if i > 0 && x[i] == x[i-1] {
			return errorf("key %s listed twice", x[i])
		}
	}
	return nil
}

func (s *suite) testPagination() {
	var app *iam.Application
	var created []string
	var all []*iam.APIKey

	s.t.run(fmt.Sprintf("create %d keys for one application", pagerKeys), func() error {
		var err error
		app, err = s.newApp("sdk-pager")
		if err != nil {
			return err
		}
		for i := 0; i < pagerKeys; i++ {
			k, err := s.api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: fmt.Sprintf("page key %02d", i)})
			if err != nil {
				return errorf("CreateAPIKey #%d: %s", i, describe(err))
			}
			created = append(created, k.AccessKey)
		}
		return nil
	})

	s.t.run("ListAPIKeys with scw.WithAllPages() returns every key once, in two requests of the default page size", func() error {
		if len(created) != pagerKeys {
			return errorf("keys missing (earlier failure)")
		}
		m := s.rec.mark()
		list, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{ApplicationID: &app.ID}, scw.WithAllPages())
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		if err = sameSet(keyList(list.APIKeys), created); err != nil {
			return err
		}
		if list.TotalCount != pagerKeys {
			return errorf("aggregated total_count %d, want %d", list.TotalCount, pagerKeys)
		}
		reqs := s.rec.since(m)
		if len(reqs) != 2 {
			return errorf("%d requests, want 2 (pages of 20)", len(reqs))
		}
		for i, r := range reqs {
			q := r.URL.Query()
			if q.Get("page") != fmt.Sprint(i+1) || q.Get("order_by") != "created_at_asc" || q.Get("application_id") != app.ID {
				return errorf("request %d query %q", i, r.URL.RawQuery)
			}
			if r.Status != 200 || r.ContentType != "application/json" {
				return errorf("request %d answered %d %q", i, r.Status, r.ContentType)
			}
		}
		for i, k := range list.APIKeys {
			if k.SecretKey != nil || k.ApplicationID == nil || *k.ApplicationID != app.ID {
				return errorf("listed key %s: secret %v application %s", k.AccessKey, k.SecretKey != nil, deref(k.ApplicationID))
			}
			if i > 0 && k.CreatedAt.Before(*list.APIKeys[i-1].CreatedAt) {
				return errorf("created_at_asc: key %d (%v) before key %d (%v)", i, k.CreatedAt, i-1, list.APIKeys[i-1].CreatedAt)
			}
		}
		all = list.APIKeys
		return nil
	})

	s.t.run("single pages: total_count exact on each, page 2 of 10 is keys 11-20, page 4 is empty", func() error {
		if len(all) != pagerKeys {
			return errorf("no full list (earlier failure)")
		}
		want := keyList(all)
		for page, n := range map[int32]int{1: 10, 2: 10, 3: 5, 4: 0} {
			list, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{ApplicationID: &app.ID, Page: i32p(page), PageSize: u32p(10)})
			if err != nil {
				return errorf("page %d: %s", page, describe(err))
			}
			if list.TotalCount != pagerKeys || len(list.APIKeys) != n {
				return errorf("page %d: total_count %d with %d keys, want %d with %d", page, list.TotalCount, len(list.APIKeys), pagerKeys, n)
			}
			got := keyList(list.APIKeys)
			for i := range got {
				if got[i] != want[int(page-1)*10+i] {
					return errorf("page %d item %d is %s, want %s", page, i, got[i], want[int(page-1)*10+i])
				}
			}
		}
		return nil
	})

	s.t.run("WithAllPages with page_size 7 fetches exactly ceil(25/7) = 4 pages", func() error {
		if len(created) != pagerKeys {
			return errorf("keys missing (earlier failure)")
		}
		m := s.rec.mark()
		list, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{ApplicationID: &app.ID, PageSize: u32p(7)}, scw.WithAllPages())
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		if err = sameSet(keyList(list.APIKeys), created); err != nil {
			return err
		}
		if n := len(s.rec.since(m)); n != 4 {
			return errorf("%d requests, want 4", n)
		}
		return nil
	})

	s.t.run("ListAPIKeys created_at_desc lists the same keys newest first", func() error {
		if len(all) != pagerKeys {
			return errorf("no full list (earlier failure)")
		}
		list, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{ApplicationID: &app.ID, PageSize: u32p(100),
			OrderBy: iam.ListAPIKeysRequestOrderByCreatedAtDesc})
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		if err = sameSet(keyList(list.APIKeys), created); err != nil {
			return err
		}
		for i := 1; i < len(list.APIKeys); i++ {
			if list.APIKeys[i].CreatedAt.After(*list.APIKeys[i-1].CreatedAt) {
				return errorf("key %d is newer than key %d", i, i-1)
			}
		}
		if list.APIKeys[0].AccessKey != created[pagerKeys-1] {
			return errorf("first key %s, want the last created %s", list.APIKeys[0].AccessKey, created[pagerKeys-1])
		}
		return nil
	})

	s.t.run("ListAPIKeys over the organization: all pages agree with total_count", func() error {
		one, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{OrganizationID: &s.orgID, PageSize: u32p(100)})
		if err != nil {
			return errorf("ListAPIKeys(page_size=100): %s", describe(err))
		}
		if one.TotalCount < pagerKeys+1 || int(one.TotalCount) != len(one.APIKeys) {
			return errorf("total_count %d with %d keys on one page of 100", one.TotalCount, len(one.APIKeys))
		}
		all, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{OrganizationID: &s.orgID}, scw.WithAllPages())
		if err != nil {
			return errorf("ListAPIKeys(all pages): %s", describe(err))
		}
		return sameSet(keyList(all.APIKeys), keyList(one.APIKeys))
	})

	s.t.run("ListAPIKeys page_size 101 and page 0 give *scw.InvalidArgumentsError", func() error {
		_, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{PageSize: u32p(101)})
		if err := expectInvalidArgument(err, "page_size"); err != nil {
			return err
		}
		_, err = s.api.ListAPIKeys(&iam.ListAPIKeysRequest{Page: i32p(0)})
		return expectInvalidArgument(err, "page")
	})

	s.t.run("deleting the application deletes its 25 keys: the list is empty, total_count 0", func() error {
		if app == nil || len(created) != pagerKeys {
			return errorf("keys missing (earlier failure)")
		}
		if err := s.api.DeleteApplication(&iam.DeleteApplicationRequest{ApplicationID: app.ID}); err != nil {
			return errorf("DeleteApplication: %s", describe(err))
		}
		s.forget(app.ID)
		list, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{ApplicationID: &app.ID})
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		if list.TotalCount != 0 || len(list.APIKeys) != 0 {
			return errorf("total_count %d with %d keys after the delete", list.TotalCount, len(list.APIKeys))
		}
		_, err = s.api.GetAPIKey(&iam.GetAPIKeyRequest{AccessKey: created[7]})
		return expectNotFound(err, "access_key", created[7])
	})
}
