package sqlite_test

import (
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
)

func TestRoles(t *testing.T) {
	storetest.RunRoles(t, func(t *testing.T) server.CatalogStore { return MustOpen(t) })
}
