package syncer_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"reflect"
	"testing"

	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/server"
)

// roundTripper adapts a function to http.RoundTripper.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestSnapshotOfManyPages: a snapshot of many small pages stores exactly
// the server's view and its stock, whether the server names the next page
// in the Snapshot-Next header (the next download overlaps the decoding)
// or only in the body (an older server); a header that disagrees with its
// body fails the snapshot and leaves it to be taken again.
func TestSnapshotOfManyPages(t *testing.T) {
	rs := startRefServer(t)
	ed := &catalogEditor{tb: t, cat: rs.cat, rng: rand.New(rand.NewPCG(7, 8))}
	ed.seed("W1", "W2")
	if err := rs.cat.ImportOpeningStock(context.Background(), []server.OpeningStock{
		{Warehouse: "W1", Location: ed.locs["W1"][0], SKU: ed.skus[0], Qty: 5},
		{Warehouse: "W1", Location: ed.locs["W1"][1], SKU: ed.skus[1], Qty: 7},
		{Warehouse: "W1", Location: ed.locs["W1"][1], SKU: ed.skus[2], Qty: 1},
	}); err != nil {
		t.Fatal(err)
	}
	want := serverView(t, rs.cat, "W1")

	for _, tc := range []struct {
		name   string
		header func(h http.Header)
		fails  bool
	}{
		{name: "next in header", header: func(http.Header) {}},
		{name: "next in body only", header: func(h http.Header) { h.Del("Snapshot-Next") }},
		{name: "header disagrees", header: func(h http.Header) {
			if h.Get("Snapshot-Next") != "" {
				h.Set("Snapshot-Next", "bogus")
			}
		}, fails: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers int
			client := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
				if r.URL.Query().Get("page") == "" {
					// Pages of 7 rows: a dozen pages.
					r = r.Clone(r.Context())
					q := r.URL.Query()
					q.Set("limit", "7")
					r.URL.RawQuery = q.Encode()
				}
				resp, err := http.DefaultTransport.RoundTrip(r)
				if err == nil {
					if resp.Header.Get("Snapshot-Next") != "" {
						headers++
					}
					tc.header(resp.Header)
				}
				return resp, err
			})}
			st, _ := rs.enroll(t, "W1")
			eng := syncer.New(st, syncer.Config{AppVersion: "test", HTTPClient: client,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			stats, err := eng.Snapshot(context.Background())
			plan, perr := st.SnapshotPlan(context.Background())
			if perr != nil {
				t.Fatal(perr)
			}
			if tc.fails {
				// Either the decoding notices, or the server refuses the
				// bogus token first.
				if err == nil {
					t.Fatal("a snapshot with a disagreeing header succeeded")
				}
				if !plan.NeedCatalog {
					t.Fatal("a failed snapshot counts as taken")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if stats.Pages < 5 || headers != stats.Pages-1 {
				t.Fatalf("%d pages, %d with a Snapshot-Next header; want many, all but the last", stats.Pages, headers)
			}
			if plan.NeedCatalog {
				t.Fatal("the snapshot does not count as taken")
			}
			got, err := st.ReferenceData(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("reference data after the snapshot:\n got %+v\nwant %+v", got, want)
			}
			levels, err := st.StockLevels(context.Background())
			if err != nil || len(levels) != 3 {
				t.Fatalf("stock after the snapshot: %+v, %v; want W1's 3 levels", levels, err)
			}
		})
	}
}
