package sqlite_test

import (
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
)

func TestReplenishment(t *testing.T) {
	storetest.RunReplenishment(t, func(t *testing.T) server.CatalogStore { return MustOpen(t) })
}
