package sqlite_test

import (
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
)

func TestCounting(t *testing.T) {
	storetest.RunCounting(t, func(t *testing.T) server.CatalogStore { return MustOpen(t) })
}
