package store_test

import (
	"testing"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// BenchmarkRecord measures durable scans per second: one Record (outbox
// row, pending deltas, view update, one transaction, one commit) per
// iteration, for each synchronous level. The issue asks for ≥ 2,000/s with
// the durable default (FULL).
func BenchmarkRecord(b *testing.B) {
	for _, level := range []string{store.SyncFull, store.SyncNormal} {
		b.Run("synchronous="+level, func(b *testing.B) {
			s := storetest.Enrolled(b, store.Identity{}, store.WithSynchronous(level))
			scans := []store.Scan{
				{User: "ann", Kind: syncproto.KindReceive, SKU: "SKU-1", Lot: "L1", To: "DOCK", Qty: 12, Ref: "PO-1"},
				{User: "ann", Kind: syncproto.KindMove, SKU: "SKU-1", Lot: "L1", From: "DOCK", To: "B-01-02", Qty: 12},
				{User: "ann", Kind: syncproto.KindPick, SKU: "SKU-1", Lot: "L1", From: "B-01-02", Qty: 1, Ref: "SO-9"},
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := s.Record(ctx, scans[i%len(scans)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scans/s")
		})
	}
}

// BenchmarkCatchUp measures the device's side of a catch-up of 10,000
// offline events: applying the acks (500 outcomes each) and then the pulled
// ledger (pages of 2,000 entries), each a durable transaction, reported as
// events per second of device CPU and disk (no network, no server).
func BenchmarkCatchUp(b *testing.B) {
	const n = 10000
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		path := dir + "/device.db"
		s := storetest.MustOpenPath(b, path, store.WithSynchronous(store.SyncNormal))
		if err := s.Enroll(ctx, storetest.Identity); err != nil {
			b.Fatal(err)
		}
		var evs []syncproto.Event
		for i := 0; i < n; i++ {
			sc := store.Scan{User: "u", Kind: syncproto.KindReceive, SKU: "SKU-" + string(rune('A'+i%20)), To: "DOCK", Qty: 2}
			if i%2 == 1 {
				sc = store.Scan{User: "u", Kind: syncproto.KindPutaway, SKU: sc.SKU, From: "DOCK", To: "B-" + string(rune('A'+i%50)), Qty: 1}
			}
			ev, err := s.Record(ctx, sc)
			if err != nil {
				b.Fatal(err)
			}
			evs = append(evs, ev)
		}
		s.Close()
		s = storetest.MustOpenPath(b, path) // durable (FULL) from here
		var entries []syncproto.Entry
		bal := map[[2]string]int64{}
		for _, ev := range evs {
			for _, d := range ev.Deltas() {
				bal[[2]string{d.Location, ev.SKU}] += d.Qty
				entries = append(entries, syncproto.Entry{Position: uint64(len(entries) + 1), EventID: ev.ID, DeviceID: ev.DeviceID,
					Kind: ev.Kind, Location: d.Location, SKU: ev.SKU, Delta: d.Qty, Balance: bal[[2]string{d.Location, ev.SKU}]})
			}
		}
		b.StartTimer()

		t0 := time.Now()
		for i := 0; i < n; i += 500 {
			ack := &syncproto.Ack{AckedThrough: uint64(i + 500)}
			for _, ev := range evs[i : i+500] {
				ack.Outcomes = append(ack.Outcomes, syncproto.Outcome{ID: ev.ID, Seq: ev.Seq, Status: syncproto.StatusApplied, Position: ev.Seq})
			}
			if err := s.ApplyAck(ctx, ack); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		for i := 0; i < len(entries); i += 2000 {
			page := entries[i:min(i+2000, len(entries))]
			ch := &syncproto.Changes{From: uint64(i), Cursor: page[len(page)-1].Position, Entries: page, More: i+2000 < len(entries)}
			if err := s.ApplyChanges(ctx, ch); err != nil {
				b.Fatal(err)
			}
		}
		t2 := time.Now()
		b.ReportMetric(n/t1.Sub(t0).Seconds(), "acked_events/s")
		b.ReportMetric(float64(len(entries))/t2.Sub(t1).Seconds(), "pulled_entries/s")
		st, _ := s.State(ctx)
		if st.Unacked != 0 || st.Cursor != uint64(len(entries)) {
			b.Fatalf("state %+v", st)
		}
		view, _ := s.StockLevels(ctx)
		server, _ := s.ServerLevels(ctx)
		if len(view) != len(server) {
			b.Fatalf("view has %d keys, server %d", len(view), len(server))
		}
		for i := range view {
			if view[i].Qty != server[i].Qty {
				b.Fatalf("view %+v != server %+v", view[i], server[i])
			}
		}
	}
}

// BenchmarkPullOthers measures applying pulled pages of other devices'
// entries (2,000 per page over 200 stock keys), the bulk of what every
// device pulls in a busy warehouse.
func BenchmarkPullOthers(b *testing.B) {
	s := storetest.Enrolled(b, store.Identity{})
	bal := map[int]int64{}
	var pos uint64
	entries := 0
	for b.Loop() {
		page := &syncproto.Changes{From: pos}
		for i := 0; i < 2000; i++ {
			pos++
			k := int(pos % 200)
			bal[k] += 3
			page.Entries = append(page.Entries, syncproto.Entry{Position: pos, EventID: "e", DeviceID: "device-9", Kind: syncproto.KindReceive,
				Location: "B-" + string(rune('A'+k%26)), SKU: "SKU-" + string(rune('A'+k/26)), Delta: 3, Balance: bal[k]})
		}
		page.Cursor = pos
		if err := s.ApplyChanges(ctx, page); err != nil {
			b.Fatal(err)
		}
		entries += 2000
	}
	b.ReportMetric(float64(entries)/b.Elapsed().Seconds(), "entries/s")
}
