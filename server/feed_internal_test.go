package server

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/driftless/driftless/syncproto"
)

// TestCutPageKeyNumbers: a page cut with the feed's key numbers (kept
// across trims, renumbered at each) equals the page cut numbering its own
// keys, at random cursors, limits and feed sizes.
func TestCutPageKeyNumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		f := &feed{max: 8 + rng.IntN(64)}
		var all []syncproto.Entry
		for pos := uint64(1); pos <= 300; pos++ {
			e := syncproto.Entry{Position: pos, DeviceID: fmt.Sprint("d", rng.IntN(3)), Location: fmt.Sprint("L", rng.IntN(5)),
				SKU: fmt.Sprint("S", rng.IntN(7)), Lot: fmt.Sprint(rng.IntN(2)), Balance: rng.Int64N(100)}
			all = append(all, e)
			f.entries = append(f.entries, e)
			f.keyOf = append(f.keyOf, f.keyID(e))
			f.trim()
		}
		for range 20 {
			i := rng.IntN(len(f.entries))
			limit := 1 + rng.IntN(2*f.max)
			cursor := f.entries[i].Position - 1
			compact := rng.IntN(2) == 0
			got := cutPage(cursor, f.entries[i:], f.keyOf[i:], len(f.keys), nil, "d1", limit, compact)
			want := cutPage(cursor, all[cursor:], nil, 0, nil, "d1", limit, compact)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, cursor %d, limit %d:\n got %+v\nwant %+v", round, cursor, limit, got, want)
			}
		}
	}
}
