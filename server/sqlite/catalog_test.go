package sqlite_test

import (
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
)

func TestCatalog(t *testing.T) {
	storetest.RunCatalog(t, func(t *testing.T) server.CatalogStore { return MustOpen(t) })
}
