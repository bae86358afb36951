package sqlite_test

import (
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
)

func TestConflicts(t *testing.T) {
	storetest.RunConflicts(t, func(t *testing.T) server.CatalogStore { return MustOpen(t) })
}
