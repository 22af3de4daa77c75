// SPDX-License-Identifier: MIT

// tap.go: the smallest TAP producer the conformance program needs. Each check is a named
// function returning an error; nil prints "ok N - name", anything else (or a panic) prints
// "not ok N - name" followed by "# " diagnostic lines. The plan "1..N" is printed at the end,
// so a run that dies half-way is caught by scripts/run-tests as a plan mismatch.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
)

type tap struct {
	n      int
	failed int
}

// run executes one named check and prints its TAP line.
func (t *tap) run(name string, fn func() error) bool {
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			}
		}()
		err = fn()
	}()
	t.n++
	if err == nil {
		fmt.Printf("ok %d - %s\n", t.n, name)
		return true
	}
	t.failed++
	fmt.Printf("not ok %d - %s\n", t.n, name)
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Printf("#   %s\n", line)
	}
	return false
}

// diag prints a comment line (not a test).
func (t *tap) diag(format string, args ...interface{}) {
	fmt.Printf("# "+format+"\n", args...)
}

// done prints the plan and returns the process exit status.
func (t *tap) done() int {
	fmt.Printf("1..%d\n", t.n)
	os.Stdout.Sync()
	if t.failed > 0 {
		return 1
	}
	return 0
}

// errorf builds a check failure.
func errorf(format string, args ...interface{}) error {
	return fmt.Errorf(format, args...)
}
