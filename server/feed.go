package server

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// The feed: every device of a warehouse pulls the same ledger, each from
// its own cursor, and in a busy warehouse all of them are a few seconds
// behind the head. Reading each page from the database per device made
// the read pool a queue (200 handhelds pulling 2,000 entries every two
// seconds, four read connections) and put every push that followed a
// pull in a device's stream behind it. So the ledger keeps each
// warehouse's recent positions in memory: one database read brings new
// entries and supervisors' decisions in for every device, and a pull
// whose cursor is within the feed is cut from memory. A cursor older than
// the feed (a device back from a long time offline) is served from the
// database as before.
//
// The feed holds every position in (base, top]: the store answers in
// position order and a warehouse's positions are taken by one writer at a
// time, so when a read sees a position it has seen every committed one
// before it. It is brought up to date when the hub has announced a head
// past top (every commit that grows a ledger publishes its head, here or,
// through the Announcer, on another replica) and at least every
// feedRecheck anyway, so an announcement that never came delays a pull,
// never skips an entry.

// DefaultFeedEntries bounds the entries a warehouse's feed keeps (about
// 250 bytes each): a minute of a 200-device fleet at 10 scans per second
// each. Decisions are kept for the same positions. WithFeed changes it.
const DefaultFeedEntries = 1 << 17

// feedRead is the most entries (and decisions) one store read adds (or
// the feed's size, when smaller).
const feedRead = 4 * syncproto.MaxPage

// feedRecheck is how stale a feed may be when no head was announced.
const feedRecheck = time.Second

type feeds struct {
	max int // entries per feed; 0: no feeds
	mu  sync.Mutex
	m   map[string]*feed
}

// get returns a warehouse's feed (nil when feeds are off).
func (fs *feeds) get(warehouse string) *feed {
	if fs.max <= 0 {
		return nil
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.m == nil {
		fs.m = map[string]*feed{}
	}
	f := fs.m[warehouse]
	if f == nil {
		f = &feed{warehouse: warehouse, max: fs.max, read: min(feedRead, fs.max)}
		fs.m[warehouse] = f
	}
	return f
}

// feed is one warehouse's recent ledger positions.
type feed struct {
	warehouse string
	max       int // entries kept
	read      int // entries (and decisions) one store read adds

	// mu serialises filling: one pull reads the database, the others
	// wait for it and use what it read. Entries and decisions are only
	// ever appended or dropped from the front, so a pull that copied the
	// slices reads them after unlocking.
	mu      sync.Mutex
	primed  bool   // base is set
	base    uint64 // positions above base are held ...
	top     uint64 // ... through top
	entries []syncproto.Entry
	// keyOf numbers each entry's key (keys), so cutting a page indexes
	// an array instead of hashing three strings per entry: a page's
	// levels map was most of the server's allocation in the soak.
	keyOf   []int32
	keys    map[stockKey3]int32
	decided []ParkRecord
	checked time.Time
	// partial: the last fill stopped before the end of what the store
	// held.
	partial bool
}

// page cuts the page after cursor for deviceID from the feed, bringing
// the feed up to announced (the head the hub last announced) first. ok is
// false when the cursor is older than the feed.
func (f *feed) page(ctx context.Context, st Store, now time.Time, announced uint64, deviceID string, cursor uint64, limit int, compact bool) (*syncproto.Changes, bool, error) {
	f.mu.Lock()
	if !f.primed {
		// Start at the first pull's cursor, or not much more than a
		// feed's worth before the announced head: older cursors are
		// served from the database.
		f.base = cursor
		if announced > cursor+uint64(f.max/2) {
			f.base = announced - uint64(f.max/2)
		}
		f.top, f.primed = f.base, true
	}
	if f.partial || f.top < announced || now.Sub(f.checked) >= feedRecheck {
		if err := f.fill(ctx, st, now); err != nil {
			f.mu.Unlock()
			return nil, false, err
		}
	}
	if cursor < f.base {
		f.mu.Unlock()
		return nil, false, nil
	}
	entries, keyOf, nkeys, decided, partial := f.entries, f.keyOf, len(f.keys), f.decided, f.partial
	f.mu.Unlock()

	i := sort.Search(len(entries), func(k int) bool { return entries[k].Position > cursor })
	j := sort.Search(len(decided), func(k int) bool { return decided[k].Position > cursor })
	ch := cutPage(cursor, entries[i:], keyOf[i:], nkeys, decided[j:], deviceID, limit, compact)
	ch.More = ch.More || partial
	return ch, true, nil
}

// fill reads what the store holds after top, a few reads at most (a
// pull finding the feed's end while more is left fills again), and
// drops the oldest positions beyond max. Called with mu held.
func (f *feed) fill(ctx context.Context, st Store, now time.Time) error {
	for range 8 {
		var entries []syncproto.Entry
		var decided []ParkRecord
		err := st.View(ctx, func(ctx context.Context, tx ReadTx) (err error) {
			entries, decided, err = readPositions(ctx, tx, f.warehouse, f.top, f.read)
			return err
		})
		if err != nil {
			return err
		}
		f.checked = now
		// A full list may stop short of the other's last position: keep
		// only what both lists cover.
		cut := ^uint64(0)
		if len(entries) == f.read {
			cut = entries[len(entries)-1].Position
		}
		if len(decided) == f.read {
			cut = min(cut, decided[len(decided)-1].Position)
		}
		for _, e := range entries {
			if e.Position > cut {
				break
			}
			f.entries = append(f.entries, e)
			f.keyOf = append(f.keyOf, f.keyID(e))
			f.top = max(f.top, e.Position)
		}
		for _, d := range decided {
			if d.Position > cut {
				break
			}
			f.decided = append(f.decided, d)
			f.top = max(f.top, d.Position)
		}
		f.trim()
		f.partial = cut != ^uint64(0) // the store holds more after top
		if !f.partial {
			return nil
		}
	}
	return nil
}

// trim drops the oldest positions beyond max entries; base becomes the
// last position dropped. The slices are copied, not shifted, so pulls
// holding the old ones read them undisturbed.
func (f *feed) trim() {
	if len(f.entries) <= f.max {
		return
	}
	drop := len(f.entries) - max(f.max/2, 1)
	f.base = f.entries[drop-1].Position
	f.entries = slices.Clone(f.entries[drop:])
	// Number the keys afresh, so they stay as few as the keys the feed
	// holds (lots come and go). Pulls holding the old numbers keep them.
	f.keys, f.keyOf = nil, make([]int32, 0, len(f.entries))
	for _, e := range f.entries {
		f.keyOf = append(f.keyOf, f.keyID(e))
	}
	k := sort.Search(len(f.decided), func(i int) bool { return f.decided[i].Position > f.base })
	f.decided = slices.Clone(f.decided[k:])
}

// keyID numbers an entry's key.
func (f *feed) keyID(e syncproto.Entry) int32 {
	k := stockKey3{e.Location, e.SKU, e.Lot}
	id, ok := f.keys[k]
	if !ok {
		if f.keys == nil {
			f.keys = map[stockKey3]int32{}
		}
		id = int32(len(f.keys))
		f.keys[k] = id
	}
	return id
}
