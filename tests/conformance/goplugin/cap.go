// SPDX-License-Identifier: MIT

package main

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// grpcTestServerCap is grpc-test-server's max_request (tests/conformance/grpcsrv: 8 MiB). The
// cap is on the request message; its 5-byte gRPC prefix comes on top.
const grpcTestServerCap = 8 << 20

// capChecks: the request cap at its exact size, through grpc-go: a message of exactly the cap is
// served (echoed back whole), one byte more is RESOURCE_EXHAUSTED naming the size, and the
// connection serves the next call. An off-by-one in either direction fails one of the checks.
func capChecks(call func(method string, req []byte, d time.Duration) ([]byte, error)) {
	check("[grpc] request of exactly the 8 MiB cap is served", func() error {
		req := bytes.Repeat([]byte("0123456789abcdef"), grpcTestServerCap/16)
		req[len(req)-1] = 'Z' // the last byte must make it to the handler
		resp, err := call("/test.T/Echo", req, 20*time.Second)
		if err != nil {
			return err
		}
		if !bytes.Equal(resp, req) {
			return fmt.Errorf("echo of %d bytes came back as %d bytes", len(req), len(resp))
		}
		return nil
	}())
	check("[grpc] request of the cap + 1 byte is RESOURCE_EXHAUSTED", func() error {
		_, err := call("/test.T/Echo", make([]byte, grpcTestServerCap+1), 20*time.Second)
		st, _ := status.FromError(err)
		if st.Code() != codes.ResourceExhausted || !strings.Contains(st.Message(), "too large") {
			return fmt.Errorf("got %v / %q, want ResourceExhausted / request message too large", st.Code(), st.Message())
		}
		resp, err := call("/test.T/Echo", []byte("next call"), 5*time.Second)
		if err != nil || string(resp) != "next call" {
			return fmt.Errorf("the next call on the connection: %q, %v", resp, err)
		}
		return nil
	}())
}
