// SPDX-License-Identifier: MIT

// Command sdk is the independent-client conformance test of scw-iamd: it drives a running server
// with the official Scaleway Go SDK (the Debian package golang-github-scaleway-scaleway-sdk-go-dev,
// api/iam/v1alpha1 + scw), exactly as any Go program pointed at it with SCW_API_URL would, and
// prints TAP. It checks that the SDK can create, read, update, list (all pages) and delete API
// keys, applications and user keys, and that every error comes back as the typed error the SDK
// builds from the server's JSON (ResourceNotFoundError, InvalidArgumentsError,
// DeniedAuthenticationError, QuotasExceededError, PermissionsDeniedError).
//
// Environment (all required unless marked optional):
//
//	SCW_API_URL, SCW_ACCESS_KEY, SCW_SECRET_KEY, SCW_DEFAULT_ORGANIZATION_ID   read by the SDK itself
//	SCW_DEFAULT_PROJECT_ID              the organization's default project (from bootstrap)
//	SCW_CONFORMANCE_USER_ID             the owner user that bootstrap created
//	SCW_CONFORMANCE_KEY_QUOTA           optional: the server's per-organization key quota (default 100)
//
// It never prints a secret key. It leaves the organization as it found it (it deletes what it made).
package main

import (
	"fmt"
	"os"
	"strconv"

	iam "github.com/scaleway/scaleway-sdk-go/api/iam/v1alpha1"
	"github.com/scaleway/scaleway-sdk-go/scw"
)

// suite carries what every check needs: the configuration, the SDK client, the recorder of what
// went on the wire and the objects created by earlier checks (nil when their creation failed).
type suite struct {
	t         *tap
	apiURL    string
	accessKey string
	secretKey string
	orgID     string
	projectID string
	userID    string
	quota     int

	client *scw.Client
	api    *iam.API
	rec    *recorder

	// cleanup: applications to delete at the end (their keys go with them)
	apps []string
	// keys made outside applications (user keys) to delete at the end
	userKeys []string
	// what the organization held before the run (cleanup restores it)
	initialKeys []string
	initialApps uint32
}

func mustEnv(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("%s is not set", name)
	}
	return v, nil
}

func main() {
	t := &tap{}
	s := &suite{t: t, quota: 100}
	var err error
	for _, p := range []struct {
		dst  *string
		name string
	}{
		{&s.apiURL, "SCW_API_URL"}, {&s.accessKey, "SCW_ACCESS_KEY"}, {&s.secretKey, "SCW_SECRET_KEY"},
		{&s.orgID, "SCW_DEFAULT_ORGANIZATION_ID"}, {&s.projectID, "SCW_DEFAULT_PROJECT_ID"},
		{&s.userID, "SCW_CONFORMANCE_USER_ID"},
	} {
		*p.dst, err = mustEnv(p.name)
		if err != nil {
			t.run("environment is complete", func() error { return err })
			os.Exit(t.done())
		}
	}
	if q := os.Getenv("SCW_CONFORMANCE_KEY_QUOTA"); q != "" {
		s.quota, err = strconv.Atoi(q)
		if err != nil || s.quota < 1 {
			t.run("SCW_CONFORMANCE_KEY_QUOTA is a positive integer", func() error {
				return errorf("got %q", q)
			})
			os.Exit(t.done())
		}
	}
	t.diag("scaleway-sdk-go (Debian golang-github-scaleway-scaleway-sdk-go-dev) against %s", s.apiURL)

	s.rec = newRecorder()
	ok := t.run("scw.NewClient(scw.WithEnv()) accepts the bootstrap credentials", func() error {
		c, err := scw.NewClient(scw.WithEnv(), scw.WithHTTPClient(s.rec))
		if err != nil {
			return err
		}
		s.client = c
		s.api = iam.NewAPI(c)
		return nil
	})
	if !ok {
		os.Exit(t.done())
	}

	s.snapshot()
	s.testBootstrapKey()
	s.testApplications()
	s.testApplicationKeys()
	s.testUserKeys()
	s.testPagination()
	s.testConcurrency()
	s.testInvalidArguments()
	s.testNotFound()
	s.testAuthentication()
	s.testPermissions()
	s.testAuthz()
	s.testQuota()
	s.cleanup()
	s.testWire()
	os.Exit(t.done())
}
