package wedge

import (
	"slices"
	"testing"
	"time"
)

// FuzzWedge drives the Wedge with arbitrary keys and gaps under several
// scanner setups: every key must come out exactly once and in order, scans
// must not be empty, and nothing may stay pending after a long silence.
func FuzzWedge(f *testing.F) {
	f.Add([]byte{0, 'A', 1, 'B', 1, 'C', 1, 'D', 1, 0xF0, 1})
	f.Add([]byte{1, '#', 1, 'A', 1, 'B', 1, 'C', 1, 'D', 1, '$', 1, 0xF1, 200, 'x', 90})
	f.Add([]byte{2, 'A', 0, 'A', 0, 'A', 0, 'A', 0, 0xF2, 0, '9', 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		configs := []Config{
			{},
			{Prefix: "#", Suffix: "$"},
			{Suffix: "$", Terminators: []Key{}},
			{Prefix: "#", EndBySilence: true, Terminators: []Key{}},
			{GSSubstitute: "~", MinLength: 1},
		}
		cfg := configs[int(data[0])%len(configs)]
		w, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		var events []Event
		var out []Output
		for i := 1; i+1 < len(data); i += 2 {
			now = now.Add(time.Duration(data[i+1]) * time.Millisecond)
			ev := Event{At: now}
			switch b := data[i]; b {
			case 0xF0, 0xF1, 0xF2:
				ev.Key = Key(int(b-0xF0) + 1) // Enter, Tab, Backspace
			default:
				ev.Rune = rune(b)
			}
			events = append(events, ev)
			out = append(out, w.Feed(ev)...)
			if data[i+1] > 100 {
				out = append(out, w.Advance(now)...)
			}
		}
		out = append(out, w.Advance(now.Add(time.Hour))...)
		if w.Pending() != 0 {
			t.Fatalf("%d keys pending after an hour", w.Pending())
		}
		var keys []Event
		for i, o := range out {
			if len(o.Keys) == 0 || !o.At.Equal(o.Keys[0].At) {
				t.Fatalf("output %d: %+v", i, o)
			}
			if o.Kind == Scan && o.Text == "" {
				t.Fatalf("empty scan from keys %v", o.Keys)
			}
			if o.Kind == Typed && len(o.Keys) != 1 {
				t.Fatalf("typed output with %d keys", len(o.Keys))
			}
			keys = append(keys, o.Keys...)
		}
		if !slices.Equal(keys, events) {
			t.Fatalf("outputs account for %v, want %v", keys, events)
		}
	})
}
