// Package storetest opens real client stores for tests: a SQLite file in
// the test's temporary directory, closed when the test ends.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/driftless/driftless/client/store"
)

// Identity is the identity Enrolled uses unless told otherwise.
var Identity = store.Identity{
	DeviceID:  "device-1",
	Token:     "token-1",
	ServerURL: "ws://127.0.0.1:0/api/v1/sync",
	Warehouse: "W1",
}

// MustOpen opens a new, unenrolled store in tb.TempDir().
func MustOpen(tb testing.TB, opts ...store.Option) *store.Store {
	tb.Helper()
	return MustOpenPath(tb, filepath.Join(tb.TempDir(), "device.db"), opts...)
}

// MustOpenPath opens (or reopens) the store at path and closes it when the
// test ends.
func MustOpenPath(tb testing.TB, path string, opts ...store.Option) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), path, opts...)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

// Enrolled opens a new store enrolled as id (Identity when id is zero).
func Enrolled(tb testing.TB, id store.Identity, opts ...store.Option) *store.Store {
	tb.Helper()
	if id == (store.Identity{}) {
		id = Identity
	}
	s := MustOpen(tb, opts...)
	if err := s.Enroll(context.Background(), id); err != nil {
		tb.Fatalf("enroll: %v", err)
	}
	return s
}
