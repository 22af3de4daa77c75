// SPDX-License-Identifier: MIT

// helpers.go: value checks shared by the conformance checks: identifier formats, timestamps,
// and the typed-error expectations (each returns nil when the error is exactly the typed SDK
// error with the expected fields, and a diagnostic naming what was received otherwise).
package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/scaleway/scaleway-sdk-go/scw"
)

var (
	// SCW + 17 Crockford base32 characters (no I, L, O, U).
	accessKeyRe = regexp.MustCompile(`^SCW[0-9A-HJKMNP-TV-Z]{17}$`)
	uuid4Re     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

func strp(s string) *string  { return &s }
func u32p(v uint32) *uint32  { return &v }
func i32p(v int32) *int32    { return &v }
func boolp(v bool) *bool     { return &v }
func deref(p *string) string { return fmtPtr(p) }

func fmtPtr(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%q", *p)
}

// randomUUID4 makes a fresh UUID v4 that the server cannot know.
func randomUUID4() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// randomAccessKey makes a well-formed access key that the server has (almost surely) never issued.
func randomAccessKey() string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b [17]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	var sb strings.Builder
	sb.WriteString("SCW")
	for _, c := range b {
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

// suffix returns a short random string to keep names unique between runs.
func suffix() string {
	return randomUUID4()[:8]
}

func checkUUID4(what, v string) error {
	if !uuid4Re.MatchString(v) {
		return errorf("%s %q is not a lowercase UUID v4", what, v)
	}
	return nil
}

// checkRecent: a server timestamp must be set, in UTC, and close to now (the server runs here).
func checkRecent(what string, ts *time.Time) error {
	if ts == nil {
		return errorf("%s is null", what)
	}
	if ts.Location() != time.UTC {
		return errorf("%s %s is not UTC (Z)", what, ts.Format(time.RFC3339Nano))
	}
	d := time.Since(*ts)
	if d < -2*time.Minute || d > 10*time.Minute {
		return errorf("%s %s is not close to now (%s)", what, ts.Format(time.RFC3339Nano), time.Now().UTC().Format(time.RFC3339))
	}
	return nil
}

// checkPast: a timestamp of an object made before the run: set, UTC, not in the future.
func checkPast(what string, ts *time.Time) error {
	if ts == nil {
		return errorf("%s is null", what)
	}
	if ts.Location() != time.UTC {
		return errorf("%s %s is not UTC (Z)", what, ts.Format(time.RFC3339Nano))
	}
	if time.Until(*ts) > 2*time.Minute {
		return errorf("%s %s is in the future", what, ts.Format(time.RFC3339Nano))
	}
	return nil
}

func describe(err error) string {
	if err == nil {
		return "no error"
	}
	return fmt.Sprintf("%T: %v", err, err)
}

// expectNotFound: err must be *scw.ResourceNotFoundError for (resource, id).
func expectNotFound(err error, resource, id string) error {
	var nf *scw.ResourceNotFoundError
	if !errors.As(err, &nf) {
		return errorf("want *scw.ResourceNotFoundError, got %s", describe(err))
	}
	if nf.Resource != resource || nf.ResourceID != id {
		return errorf("want resource %q id %q, got resource %q id %q (body %s)", resource, id, nf.Resource, nf.ResourceID, nf.RawBody)
	}
	return nil
}

// expectInvalidArgument: err must be *scw.InvalidArgumentsError naming argName with a known reason.
func expectInvalidArgument(err error, argName string) error {
	var ia *scw.InvalidArgumentsError
	if !errors.As(err, &ia) {
		return errorf("want *scw.InvalidArgumentsError, got %s", describe(err))
	}
	names := []string{}
	for _, d := range ia.Details {
		names = append(names, d.ArgumentName)
		if d.ArgumentName != argName {
			continue
		}
		switch d.Reason {
		case "unknown", "required", "format", "constraint":
		default:
			return errorf("argument %q has reason %q, not one of unknown/required/format/constraint", argName, d.Reason)
		}
		if !strings.Contains(ia.Error(), argName) {
			return errorf("the SDK's message %q does not name %q", ia.Error(), argName)
		}
		return nil
	}
	return errorf("no detail names %q; details name %v (body %s)", argName, names, ia.RawBody)
}

// expectDenied: err must be *scw.DeniedAuthenticationError with method api_key and the reason.
func expectDenied(err error, reason string) error {
	var da *scw.DeniedAuthenticationError
	if !errors.As(err, &da) {
		return errorf("want *scw.DeniedAuthenticationError, got %s", describe(err))
	}
	if da.Method != "api_key" || da.Reason != reason {
		return errorf("want method api_key reason %q, got method %q reason %q (body %s)", reason, da.Method, da.Reason, da.RawBody)
	}
	return nil
}

// expectStatus: the last exchange on the wire had this status (and a JSON content type).
func (s *suite) expectStatus(method string, status int) error {
	ex := s.rec.last()
	if ex.Method != method || ex.Status != status {
		return errorf("want %s answered %d, last exchange was %s %v -> %d", method, status, ex.Method, ex.URL, ex.Status)
	}
	return nil
}
