// SPDX-License-Identifier: MIT

// recorder.go: an http client wrapper handed to the SDK with scw.WithHTTPClient. It records the
// method, URL, status and content type of every exchange so that checks can assert what went on
// the wire (how many pages WithAllPages fetched, which query the SDK sent, that a delete answered
// 204) while the SDK itself still does all the encoding, decoding and error typing.
package main

import (
	"net/http"
	"net/url"
	"sync"
	"time"
)

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
