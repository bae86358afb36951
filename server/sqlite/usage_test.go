package sqlite_test

import (
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
)

func TestUsage(t *testing.T) {
	storetest.RunUsage(t, func(t *testing.T) server.CatalogStore { return MustOpen(t) })
}
