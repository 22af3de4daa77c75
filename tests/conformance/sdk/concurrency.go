// SPDX-License-Identifier: MIT

// concurrency.go: several SDK clients at once. Keys created and deleted in parallel on one
// application must all be there (or all gone) afterwards, with nb_api_keys and total_count
// exact: what a multi-threaded server with group commit must get right under real clients.
package main

import (
	"fmt"
	"sync"

	iam "github.com/scaleway/scaleway-sdk-go/api/iam/v1alpha1"
	"github.com/scaleway/scaleway-sdk-go/scw"
)

const (
	parallelClients = 8
	parallelEach    = 6
)

func (s *suite) testConcurrency() {
	var app *iam.Application
	var made []string

	s.t.run(fmt.Sprintf("%d SDK clients create %d keys each at once: all succeed, all distinct", parallelClients, parallelEach), func() error {
		var err error
		app, err = s.newApp("sdk-parallel")
		if err != nil {
			return err
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		var firstErr error
		for g := 0; g < parallelClients; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				// one client (and connection pool) per goroutine, like independent programs
				c, err := scw.NewClient(scw.WithEnv(), scw.WithHTTPClient(newRecorder()))
				if err == nil {
					api := iam.NewAPI(c)
					for i := 0; i < parallelEach && err == nil; i++ {
						var k *iam.APIKey
						k, err = api.CreateAPIKey(&iam.CreateAPIKeyRequest{ApplicationID: &app.ID, Description: fmt.Sprintf("parallel %d/%d", g, i)})
						if err == nil {
							mu.Lock()
							made = append(made, k.AccessKey)
							mu.Unlock()
						}
					}
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = errorf("client %d: %s", g, describe(err))
					}
					mu.Unlock()
				}
			}(g)
		}
		wg.Wait()
		if firstErr != nil {
			return firstErr
		}
		list, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{ApplicationID: &app.ID}, scw.WithAllPages())
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		if err = sameSet(keyList(list.APIKeys), made); err != nil {
			return err
		}
		got, err := s.api.GetApplication(&iam.GetApplicationRequest{ApplicationID: app.ID})
		if err != nil {
			return errorf("GetApplication: %s", describe(err))
		}
		if got.NbAPIKeys != parallelClients*parallelEach {
			return errorf("nb_api_keys %d, want %d", got.NbAPIKeys, parallelClients*parallelEach)
		}
		return nil
	})

	s.t.run("the same keys deleted from parallel clients: every delete answers once, none remain", func() error {
		if len(made) != parallelClients*parallelEach {
			return errorf("keys missing (earlier failure)")
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		deleted, notFound := 0, 0
		var firstErr error
		// two clients race on each key: exactly one delete may succeed, the other gets not_found
		for g := 0; g < 2*parallelClients; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				c, err := scw.NewClient(scw.WithEnv(), scw.WithHTTPClient(newRecorder()))
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				api := iam.NewAPI(c)
				for i := g % parallelClients; i < len(made); i += parallelClients {
					err := api.DeleteAPIKey(&iam.DeleteAPIKeyRequest{AccessKey: made[i]})
					mu.Lock()
					if err == nil {
						deleted++
					} else if expectNotFound(err, "access_key", made[i]) == nil {
						notFound++
					} else if firstErr == nil {
						firstErr = errorf("delete %s: %s", made[i], describe(err))
					}
					mu.Unlock()
				}
			}(g)
		}
		wg.Wait()
		if firstErr != nil {
			return firstErr
		}
		if deleted != len(made) || notFound != len(made) {
			return errorf("%d deletes succeeded and %d got not_found, want %d each", deleted, notFound, len(made))
		}
		got, err := s.api.GetApplication(&iam.GetApplicationRequest{ApplicationID: app.ID})
		if err != nil {
			return errorf("GetApplication: %s", describe(err))
		}
		list, err := s.api.ListAPIKeys(&iam.ListAPIKeysRequest{ApplicationID: &app.ID})
		if err != nil {
			return errorf("ListAPIKeys: %s", describe(err))
		}
		if got.NbAPIKeys != 0 || list.TotalCount != 0 {
			return errorf("nb_api_keys %d, total_count %d after deleting them all", got.NbAPIKeys, list.TotalCount)
		}
		return nil
	})
}
