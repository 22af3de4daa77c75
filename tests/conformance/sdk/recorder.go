// SPDX-License-Identifier: MIT

// recorder.go: an http client wrapper handed to the SDK with scw.WithHTTPClient. It records the
// method, URL, status and content type of every exchange so that checks can assert what went on
// the wire (how many pages WithAllPages fetched, which query the SDK sent, that a delete answered
// 204) while the SDK itself still does all the encoding, decoding and error typing.
package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// secretsFile, when set (SCW_CONFORMANCE_SECRETS_FILE), receives every secret key the server
// hands out, one per line, so that the suite can check the server never logged any of them.
var (
	secretsMu   sync.Mutex
	secretsFile = os.Getenv("SCW_CONFORMANCE_SECRETS_FILE")
)

// noteSecret peeks at a successful key creation answer and appends its secret to secretsFile;
// the body is handed on to the SDK unchanged.
func noteSecret(req *http.Request, resp *http.Response) error {
	if secretsFile == "" || req.Method != "POST" || resp.StatusCode != 200 ||
		!strings.HasSuffix(req.URL.Path, "/api-keys") {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return err
	}
	var k struct {
		SecretKey *string `json:"secret_key"`
	}
	if json.Unmarshal(body, &k) != nil || k.SecretKey == nil {
		return nil // the SDK will report the broken answer itself
	}
	secretsMu.Lock()
	defer secretsMu.Unlock()
	f, err := os.OpenFile(secretsFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(*k.SecretKey + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

type exchange struct {
	Method      string
	URL         *url.URL
	Status      int
	ContentType string
	RequestID   string
}

type recorder struct {
	inner *http.Client
	mu    sync.Mutex
	log   []exchange
}

func newRecorder() *recorder {
	return &recorder{inner: &http.Client{Timeout: 15 * time.Second}}
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.inner.Do(req)
	if err != nil {
		return nil, err
	}
	if err = noteSecret(req, resp); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.log = append(r.log, exchange{
		Method:      req.Method,
		URL:         req.URL,
		Status:      resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		RequestID:   resp.Header.Get("X-Request-Id"),
	})
	r.mu.Unlock()
	return resp, nil
}

// mark returns a position in the log; since(mark) returns the exchanges recorded after it.
func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.log)
}

func (r *recorder) since(m int) []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]exchange, len(r.log)-m)
	copy(out, r.log[m:])
	return out
}

// last returns the most recent exchange (zero value when none).
func (r *recorder) last() exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.log) == 0 {
		return exchange{}
	}
	return r.log[len(r.log)-1]
}
