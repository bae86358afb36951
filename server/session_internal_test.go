package server

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// TestChangesSizeBound: the bound pullCatalog budgets with instead of
// encoding the page must never be below the page's encoded size,
// whatever its strings hold (quotes, control bytes, non-ASCII).
func TestChangesSizeBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "0", "-", "\"", "\\", "\x01", "\n", "<", "&", "é", "😀", "\u2028"}
	str := func() string {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 500 {
		ch := &syncproto.Changes{From: rng.Uint64(), Cursor: rng.Uint64(), More: rng.IntN(2) == 0}
		for range rng.IntN(20) {
			ch.Entries = append(ch.Entries, syncproto.Entry{Position: rng.Uint64(), EventID: str(), DeviceID: str(), Kind: syncproto.Kind(str()),
				Location: str(), SKU: str(), Lot: str(), Delta: -rng.Int64(), Balance: -rng.Int64(), RecordedAt: time.Unix(0, rng.Int64N(1<<62))})
		}
		for range rng.IntN(20) {
			ch.Levels = append(ch.Levels, syncproto.Level{Location: str(), SKU: str(), Lot: str(), Qty: -rng.Int64(), Position: rng.Uint64()})
		}
		for range rng.IntN(5) {
			ch.Resolutions = append(ch.Resolutions, syncproto.Resolution{EventID: str(), Seq: rng.Uint64(), Status: syncproto.Status(str()),
				Reason: str(), By: str(), At: time.Unix(0, rng.Int64N(1<<62)), Position: rng.Uint64()})
		}
		b, err := json.Marshal(ch)
		if err != nil {
			t.Fatal(err)
		}
		if bound := changesSizeBound(ch); bound < len(b) {
			t.Fatalf("bound %d below the encoded %d bytes: %s", bound, len(b), b)
		}
	}
}
