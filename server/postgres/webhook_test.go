package postgres_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/postgres"
)

// Two `syncd serve` replicas on one database each run a Deliverer: every
// delivery reaches the endpoint exactly once.
func TestDeliverersOnTwoReplicasDeliverOnce(t *testing.T) {
	ctx := context.Background()
	st1, dsn := mustOpenDSN(t)
	st2, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()

	var mu sync.Mutex
	got := map[string]int{}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond) // attempts overlap
		mu.Lock()
		got[r.Header.Get("X-Driftless-Delivery")]++
		mu.Unlock()
	}))
	defer recv.Close()

	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c1 := server.NewCatalog(st1, server.NewLedger(st1, server.WithClock(clock)))
	c2 := server.NewCatalog(st2, server.NewLedger(st2, server.WithClock(clock)))
	wh, err := c1.CreateWebhook(ctx, server.Webhook{URL: recv.URL, Secret: "0123456789abcdef-secret"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 120
	err = st1.UpdateCatalog(ctx, func(ctx context.Context, tx server.CatalogTx) error {
		rtx := tx.(server.ReplenishTx)
		for i := range n {
			id := server.DeliveryID(fmt.Sprintf("AL-%06d", i+1), wh.ID, server.EventAlertRaised)
			if _, err := rtx.AddDelivery(ctx, server.Delivery{ID: id, Webhook: wh.ID, Event: server.EventAlertRaised,
				Alert: fmt.Sprintf("AL-%06d", i+1), Warehouse: "W1", Body: `{"id":"` + id + `"}`,
				Status: server.DeliveryPending, NextAt: now, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var g errgroup.Group
	tried := make([]int, 2)
	for i, c := range []*server.Catalog{c1, c2} {
		d := &server.Deliverer{Catalog: c, Now: clock}
		g.Go(func() error {
			for {
				k, err := d.RunOnce(ctx)
				if err != nil {
					return err
				}
				if k == 0 {
					return nil
				}
				tried[i] += k
			}
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if tried[0]+tried[1] != n {
		t.Fatalf("the replicas tried %v, want %d in all", tried, n)
	}
	if len(got) != n {
		t.Fatalf("%d deliveries reached the endpoint, want %d", len(got), n)
	}
	for id, k := range got {
		if k != 1 {
			t.Fatalf("delivery %s reached the endpoint %d times", id, k)
		}
	}
	log, err := c2.Deliveries(ctx, wh.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, dl := range log {
		if dl.Status != server.DeliveryDelivered || len(dl.Attempts) != 1 {
			t.Fatalf("delivery %s: %s after %d attempts", dl.ID, dl.Status, len(dl.Attempts))
		}
	}
	if len(log) != n {
		t.Fatalf("delivery log has %d", len(log))
	}
}
