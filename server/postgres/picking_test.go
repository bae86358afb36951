package postgres_test

import (
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
)

func TestPicking(t *testing.T) {
	storetest.RunPicking(t, func(t *testing.T) server.CatalogStore { return MustOpen(t) })
}
