package crashtest

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/syncproto"
)

// Report is what Audit found.
type Report struct {
	Devices  int `json:"devices"`
	Events   int `json:"events"` // recorded on the devices
	Applied  int `json:"applied"`
	Parked   int `json:"parked"`
	Rejected int `json:"rejected"`
	// Lost counts recorded events the server does not hold (or holds with
	// another payload or without an outcome) and ledger entries an applied
	// event is missing.
	Lost int `json:"lost"`
	// Duplicated counts events held more than once or never recorded and
	// ledger entries beyond an event's deltas.
	Duplicated int `json:"duplicated"`
	// Problems says what broke, one line each (the counts above included).
	Problems []string `json:"problems,omitempty"`
}

// OK says whether every invariant held.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Audit compares the device databases with the server's data directory.
// Neither may be open in another process (stop them first).
func Audit(ctx context.Context, serverData string, deviceDBs []string) (*Report, error) {
	st, err := sqlite.OpenDir(ctx, serverData)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer st.Close()
	l := server.NewLedger(st)
	rep := &Report{Devices: len(deviceDBs)}

	held, err := l.Events(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	heldByID := map[string][]server.EventRecord{}
	for _, h := range held {
		heldByID[h.Event.ID] = append(heldByID[h.Event.ID], h)
	}
	recorded := map[string]syncproto.Event{}
	var warehouse, anyDevice string
	views := make([][]syncproto.Level, len(deviceDBs))
	for i, path := range deviceDBs {
		ds, err := store.Open(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		evs, outs, state, view, err := readDevice(ctx, ds)
		ds.Close()
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", path, err)
		}
		views[i] = view
		warehouse, anyDevice = state.Warehouse, state.DeviceID
		if state.Unacked != 0 || state.AckedThrough != state.LastSeq {
			rep.problem("device %s: outbox not empty: acked_through %d, last_seq %d", state.DeviceID, state.AckedThrough, state.LastSeq)
		}
		dev, err := l.Device(ctx, state.DeviceID)
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		if dev.AckedThrough != state.LastSeq {
			rep.problem("device %s: the server acked through %d, the device recorded %d", state.DeviceID, dev.AckedThrough, state.LastSeq)
		}
		for j, ev := range evs {
			rep.Events++
			recorded[ev.ID] = ev
			if ev.Seq != uint64(j+1) {
				rep.problem("device %s: outbox row %d has seq %d", state.DeviceID, j, ev.Seq)
			}
			hs := heldByID[ev.ID]
			if len(hs) == 0 || hs[0].Event.Hash != ev.Hash || hs[0].Event.Seq != ev.Seq || hs[0].Event.DeviceID != ev.DeviceID {
				rep.Lost++
				rep.problem("lost: device %s seq %d (%s) is not held by the server as recorded", ev.DeviceID, ev.Seq, ev.ID)
				continue
			}
			if len(hs) > 1 {
				rep.Duplicated += len(hs) - 1
				rep.problem("duplicated: event %s held %d times", ev.ID, len(hs))
			}
			out := hs[0].Outcome
			switch out.Status {
			case syncproto.StatusApplied:
				rep.Applied++
			case syncproto.StatusParked:
				rep.Parked++
			case syncproto.StatusRejected:
				rep.Rejected++
			default:
				rep.Lost++
				rep.problem("lost: event %s held without an outcome", ev.ID)
			}
			if got := outs[j]; got.Status != out.Status || got.Code != out.Code || got.Position != out.Position {
				rep.problem("device %s seq %d: the device holds outcome %+v, the server %+v", ev.DeviceID, ev.Seq, got, out)
			}
		}
	}
	for _, h := range held {
		if _, ok := recorded[h.Event.ID]; !ok {
			rep.Duplicated++
			rep.problem("duplicated: the server holds event %s (device %s seq %d) that no device recorded", h.Event.ID, h.Event.DeviceID, h.Event.Seq)
		}
	}
	if anyDevice == "" {
		return rep, nil
	}

	// The ledger: each applied event has exactly its deltas, in order of
	// position the balance at each key is the running sum and never
	// negative, and the stock levels are the final sums.
	var entries []syncproto.Entry
	for cursor := uint64(0); ; {
		ch, err := l.Pull(ctx, anyDevice, &syncproto.Pull{Cursor: cursor})
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		entries = append(entries, ch.Entries...)
		cursor = ch.Cursor
		if !ch.More {
			break
		}
	}
	status := func(id string) syncproto.Status {
		if hs := heldByID[id]; len(hs) > 0 {
			return hs[0].Outcome.Status
		}
		return ""
	}
	byEvent := map[string][]syncproto.Delta{}
	sums := map[[3]string]int64{}
	for _, e := range entries {
		byEvent[e.EventID] = append(byEvent[e.EventID], syncproto.Delta{Location: e.Location, Qty: e.Delta})
		k := [3]string{e.Location, e.SKU, e.Lot}
		sums[k] += e.Delta
		if sums[k] != e.Balance {
			rep.problem("ledger position %d at %v: balance %d, running sum of deltas %d", e.Position, k, e.Balance, sums[k])
		}
		if e.Balance < 0 {
			rep.problem("ledger position %d at %v: negative balance %d", e.Position, k, e.Balance)
		}
	}
	for id, got := range byEvent {
		ev, ok := recorded[id]
		if !ok || status(id) != syncproto.StatusApplied {
			rep.Duplicated += len(got)
			rep.problem("duplicated: %d ledger entries for event %s, which was not applied", len(got), id)
			continue
		}
		want := ev.Deltas()
		if ev.Kind == syncproto.KindCount && len(got) == 1 && got[0].Location == ev.From {
			want = got // an applied count's entry is its variance, the server's figure
		}
		if !slices.Equal(got, want) {
			if len(got) > len(want) {
				rep.Duplicated += len(got) - len(want)
			} else {
				rep.Lost += len(want) - len(got)
			}
			rep.problem("event %s: ledger entries %v, its deltas %v", id, got, want)
		}
	}
	for id, ev := range recorded {
		if _, ok := byEvent[id]; !ok && entriesOf(&ev) > 0 && status(id) == syncproto.StatusApplied {
			rep.Lost += entriesOf(&ev)
			rep.problem("lost: applied event %s has no ledger entries", id)
		}
	}
	levels, err := l.Stock(ctx, server.StockFilter{Warehouse: warehouse, Limit: math.MaxInt32})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var serverView []syncproto.Level
	for _, lv := range levels {
		k := [3]string{lv.Location, lv.SKU, lv.Lot}
		if lv.Qty != sums[k] {
			rep.problem("stock at %v is %d, the sum of its deltas %d", k, lv.Qty, sums[k])
		}
		if lv.Qty < 0 {
			rep.problem("stock at %v is negative: %d", k, lv.Qty)
		}
		delete(sums, k)
		serverView = append(serverView, syncproto.Level{Location: lv.Location, SKU: lv.SKU, Lot: lv.Lot, Qty: lv.Qty})
	}
	for k, sum := range sums {
		if sum != 0 {
			rep.problem("no stock level at %v, whose deltas sum to %d", k, sum)
		}
	}
	for i, view := range views {
		if a, b := nonZero(view), nonZero(serverView); !slices.Equal(a, b) {
			rep.problem("device %s: view %v, server stock %v", deviceDBs[i], a, b)
		}
	}
	return rep, nil
}

func readDevice(ctx context.Context, ds *store.Store) ([]syncproto.Event, []syncproto.Outcome, store.State, []syncproto.Level, error) {
	state, err := ds.State(ctx)
	if err != nil {
		return nil, nil, state, nil, err
	}
	eos, err := ds.Outcomes(ctx)
	if err != nil {
		return nil, nil, state, nil, err
	}
	evs := make([]syncproto.Event, len(eos))
	outs := make([]syncproto.Outcome, len(eos))
	for i, eo := range eos {
		evs[i], outs[i] = eo.Event, eo.Outcome
	}
	view, err := ds.StockLevels(ctx)
	return evs, outs, state, view, err
}

// nonZero renders the levels that are not zero, sorted.
func nonZero(ls []syncproto.Level) []string {
	var out []string
	for _, l := range ls {
		if l.Qty != 0 {
			out = append(out, fmt.Sprintf("%s|%s|%s=%d", l.Location, l.SKU, l.Lot, l.Qty))
		}
	}
	slices.Sort(out)
	return out
}

// entriesOf is how many ledger entries an applied event must have: one
// per delta. A count has its variance at the bin, or nothing where the
// server's store keeps no counting (the crash server's wrapped store
// applies exact counts alone).
func entriesOf(ev *syncproto.Event) int {
	if ev.Kind == syncproto.KindCount {
		return 0
	}
	return len(ev.Deltas())
}
