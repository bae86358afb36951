package loadtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/syncproto"
)

// memStore is a light simulated handheld's storage: the outbox, the
// outcomes and the pulled balances in memory, behind the interface the
// real sync engine drives (syncer.Store). A light device runs the real
// engine and speaks the real protocol, but skips the SQLite work of a
// real handheld (the outbox and view transactions, the local view's
// pending deltas), which real devices do on their own CPUs: a fleet of
// 200 real stores in one process on the server's cores measures the
// load generator, not the server. It keeps what the audit needs: every
// event recorded, its outcome, and the server's balances as pulled.
type memStore struct {
	mu       sync.Mutex
	id       store.Identity
	events   []syncproto.Event // by seq: events[i].Seq == i+1
	outcomes map[uint64]syncproto.Outcome
	acked    uint64 // acked_through
	cursor   uint64
	levels   map[key3]level
	synced   time.Time
	// names interns the locations, SKUs and lots of levels (names[0] is
	// ""), so the level map holds no pointers: 200 devices' views of a
	// warehouse of thousands of keys were most of the load generator's
	// garbage collection work, and hashing three strings per level most
	// of its applying.
	names []string
	ids   map[string]uint32
}

// key3 is a stock key of interned names.
type key3 struct{ location, sku, lot uint32 }

// level is a key's last pulled balance and its position.
type level struct {
	qty int64
	pos uint64
}

func (m *memStore) intern(s string) uint32 {
	if s == "" {
		return 0
	}
	id, ok := m.ids[s]
	if !ok {
		id = uint32(len(m.names))
		m.names = append(m.names, s)
		m.ids[s] = id
	}
	return id
}

var _ syncer.Store = (*memStore)(nil)

func newMemStore(id store.Identity) *memStore {
	return &memStore{id: id, outcomes: map[uint64]syncproto.Outcome{}, levels: map[key3]level{},
		names: []string{""}, ids: map[string]uint32{}}
}

func (m *memStore) Identity(context.Context) (store.Identity, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.id, nil
}

// Record seals a scan's event as store.Store.Record does (UUIDv7 ID, the
// next sequence, the cursor as the seen position) and appends it.
func (m *memStore) Record(_ context.Context, sc store.Scan) (syncproto.Event, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return syncproto.Event{}, fmt.Errorf("record scan: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ev := syncproto.Event{
		ID: id.String(), DeviceID: m.id.DeviceID, Seq: uint64(len(m.events)) + 1,
		User: sc.User, Kind: sc.Kind, SKU: sc.SKU, Lot: sc.Lot, From: sc.From, To: sc.To, Qty: sc.Qty,
		Reason: sc.Reason, Ref: sc.Ref, DeviceTime: time.Now().UTC(), SeenPosition: m.cursor,
	}
	ev.Seal()
	if err := ev.Validate(); err != nil {
		return syncproto.Event{}, fmt.Errorf("record scan: %w", err)
	}
	m.events = append(m.events, ev)
	return ev, nil
}

func (m *memStore) State(context.Context) (store.State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := store.State{DeviceID: m.id.DeviceID, Warehouse: m.id.Warehouse, LastSeq: uint64(len(m.events)),
		AckedThrough: m.acked, Cursor: m.cursor, Unacked: len(m.events) - int(m.acked), LastSyncAt: m.synced}
	if st.Unacked > 0 {
		st.OldestUnacked = m.events[m.acked].DeviceTime
	}
	return st, nil
}

func (m *memStore) Events(_ context.Context, afterSeq uint64, limit int) ([]syncproto.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if afterSeq >= uint64(len(m.events)) {
		return nil, nil
	}
	evs := m.events[afterSeq:]
	return slices.Clone(evs[:min(len(evs), limit)]), nil
}

// ApplyAck stores the outcomes and advances acked_through as far as the
// outcomes held reach, as store.Store.ApplyAck does.
func (m *memStore) ApplyAck(_ context.Context, ack *syncproto.Ack) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range ack.Outcomes {
		if o.Seq == 0 || o.Seq > uint64(len(m.events)) || m.events[o.Seq-1].ID != o.ID {
			return fmt.Errorf("apply ack: event %s seq %d: not in the outbox", o.ID, o.Seq)
		}
		m.outcomes[o.Seq] = o
	}
	target := min(ack.AckedThrough, uint64(len(m.events)))
	for m.acked < target {
		if _, ok := m.outcomes[m.acked+1]; !ok {
			break
		}
		m.acked++
	}
	return nil
}

// ApplyChanges keeps the last balance of every key (a level never
// overrides a later one) and advances the cursor; like the real store it
// refuses a page that starts after the cursor.
func (m *memStore) ApplyChanges(_ context.Context, ch *syncproto.Changes) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ch.From > m.cursor {
		return fmt.Errorf("apply changes %d..%d: page starts after the cursor %d", ch.From, ch.Cursor, m.cursor)
	}
	if ch.Cursor <= m.cursor {
		return nil
	}
	set := func(location, sku, lot string, l level) {
		k := key3{m.intern(location), m.intern(sku), m.intern(lot)}
		if cur, ok := m.levels[k]; !ok || l.pos > cur.pos {
			m.levels[k] = l
		}
	}
	for _, e := range ch.Entries {
		if e.Position > m.cursor {
			set(e.Location, e.SKU, e.Lot, level{e.Balance, e.Position})
		}
	}
	for _, l := range ch.Levels {
		if l.Position > m.cursor {
			set(l.Location, l.SKU, l.Lot, level{l.Qty, l.Position})
		}
	}
	m.cursor = ch.Cursor
	return nil
}

func (m *memStore) ResetPulled(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cursor = 0
	clear(m.levels)
	return nil
}

func (m *memStore) MarkSynced(_ context.Context, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.synced = at
	return nil
}

// StockLevels returns the pulled balances: a light device's view once
// everything it recorded is acknowledged and pulled back.
func (m *memStore) StockLevels(context.Context) ([]syncproto.Level, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]syncproto.Level, 0, len(m.levels))
	for k, l := range m.levels {
		out = append(out, syncproto.Level{Location: m.names[k.location], SKU: m.names[k.sku], Lot: m.names[k.lot], Qty: l.qty, Position: l.pos})
	}
	return out, nil
}
