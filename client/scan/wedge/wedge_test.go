package wedge

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)

// script builds key events on a clock that the test advances.
type script struct {
	now    time.Time
	events []Event
}

func (s *script) wait(d time.Duration) { s.now = s.now.Add(d) }

func (s *script) typeText(text string, gap time.Duration) {
	for _, r := range text {
		s.wait(gap)
		s.events = append(s.events, Event{Rune: r, At: s.now})
	}
}

func (s *script) press(k Key, after time.Duration) {
	s.wait(after)
	s.events = append(s.events, Event{Key: k, At: s.now})
}

// run feeds every event and a final silence, and checks that each input
// key comes out exactly once, in order.
func run(t *testing.T, cfg Config, events []Event) []Output {
	t.Helper()
	w, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []Output
	for _, ev := range events {
		out = append(out, w.Feed(ev)...)
	}
	end := t0
	if len(events) > 0 {
		end = events[len(events)-1].At
	}
	out = append(out, w.Advance(end.Add(time.Hour))...)
	if w.Pending() != 0 {
		t.Fatalf("%d keys still pending after an hour of silence", w.Pending())
	}
	var keys []Event
	for _, o := range out {
		keys = append(keys, o.Keys...)
	}
	if !slices.Equal(keys, events) {
		t.Fatalf("outputs account for keys %v, want %v", keys, events)
	}
	return out
}

// summary renders outputs compactly: scans as [text], typed keys as runes
// or <enter>, <tab>, <bs>.
func summary(out []Output) []string {
	var s []string
	for _, o := range out {
		if o.Kind == Scan {
			s = append(s, "["+o.Text+"]")
			continue
		}
		switch k := o.Keys[0]; k.Key {
		case KeyNone:
			s = append(s, string(k.Rune))
		case KeyEnter:
			s = append(s, "<enter>")
		case KeyTab:
			s = append(s, "<tab>")
		case KeyBackspace:
			s = append(s, "<bs>")
		default:
			s = append(s, fmt.Sprintf("<%d>", k.Key))
		}
	}
	return s
}

func scans(out []Output) []string {
	var s []string
	for _, o := range out {
		if o.Kind == Scan {
			s = append(s, o.Text)
		}
	}
	return s
}

// humanGap returns a person's inter-key time: mostly 80-300 ms, with the
// occasional fast rollover down to 20 ms.
func humanGap(rng *rand.Rand) time.Duration {
	if rng.IntN(5) == 0 {
		return time.Duration(20+rng.IntN(15)) * time.Millisecond
	}
	return time.Duration(80+rng.IntN(220)) * time.Millisecond
}

func TestFiftyScansWithinOneSecondAndAPersonTyping(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := &script{now: t0}
	var human []string

	// A person types a quantity and a lot number into the scan field.
	for _, text := range []string{"24", "ab12cd"} {
		for _, r := range text {
			s.wait(humanGap(rng))
			s.events = append(s.events, Event{Rune: r, At: s.now})
			human = append(human, string(r))
		}
		s.press(KeyEnter, humanGap(rng))
		human = append(human, "<enter>")
	}
	s.wait(time.Second)

	// 50 scans within one second: 13 digits and Enter each, 0.5-1.5 ms per
	// key, 0-4 ms between scans; halfway the person presses "7" and Tab.
	var want []string
	start := s.now
	for i := range 50 {
		code := fmt.Sprintf("40063813%05d", i)
		want = append(want, code)
		s.wait(time.Duration(rng.IntN(4)) * time.Millisecond)
		for _, r := range code {
			s.wait(time.Duration(500+rng.IntN(1000)) * time.Microsecond)
			s.events = append(s.events, Event{Rune: r, At: s.now})
		}
		s.press(KeyEnter, time.Duration(500+rng.IntN(1000))*time.Microsecond)
		if i == 24 {
			s.typeText("7", 60*time.Millisecond)
			s.press(KeyTab, 90*time.Millisecond)
			s.wait(40 * time.Millisecond)
		}
	}
	if took := s.now.Sub(start); took >= time.Second {
		t.Fatalf("test setup: the scans took %v, want under a second", took)
	}
	// The person types again afterwards, with a correction.
	s.typeText("99", 150*time.Millisecond)
	s.press(KeyBackspace, 200*time.Millisecond)
	s.press(KeyEnter, 180*time.Millisecond)

	out := run(t, Config{}, s.events)
	if got := scans(out); !slices.Equal(got, want) {
		t.Fatalf("got %d scans %q, want the 50 in order %q", len(got), got, want)
	}
	var typedKeys []string
	for _, o := range summary(out) {
		if o[0] != '[' {
			typedKeys = append(typedKeys, o)
		}
	}
	wantTyped := append(human, "7", "<tab>", "9", "9", "<bs>", "<enter>")
	if !slices.Equal(typedKeys, wantTyped) {
		t.Errorf("typed keys = %q, want %q", typedKeys, wantTyped)
	}
}

func TestHumanIsNotAScan(t *testing.T) {
	tests := []struct {
		name  string
		build func(s *script)
	}{
		{"slow digits and Enter", func(s *script) {
			s.typeText("4006381333931", 110*time.Millisecond)
			s.press(KeyEnter, 200*time.Millisecond)
		}},
		{"fast rollover of four keys, then Enter", func(s *script) {
			s.typeText("ab12", 20*time.Millisecond)
			s.press(KeyEnter, 120*time.Millisecond)
		}},
		{"rollover inside slower typing", func(s *script) {
			s.typeText("ab", 150*time.Millisecond)
			s.typeText("cdef", 25*time.Millisecond)
			s.typeText("gh", 140*time.Millisecond)
			s.press(KeyTab, 90*time.Millisecond)
		}},
		{"three fast keys are too short for a scan", func(s *script) {
			s.typeText("123", 2*time.Millisecond)
			s.press(KeyEnter, 2*time.Millisecond)
		}},
		{"Enter alone", func(s *script) { s.press(KeyEnter, time.Second) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{now: t0}
			tt.build(s)
			out := run(t, Config{}, s.events)
			if got := scans(out); len(got) != 0 {
				t.Errorf("typing was taken for scans %q", got)
			}
			if len(out) != len(s.events) {
				t.Errorf("%d outputs for %d typed keys", len(out), len(s.events))
			}
		})
	}
}

func TestScannerSetups(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		cfg   Config
		build func(s *script)
		want  []string
	}{
		{"Tab terminator", Config{}, func(s *script) {
			s.typeText("LOC-A-01", ms)
			s.press(KeyTab, ms)
		}, []string{"[LOC-A-01]"}},
		{"Enter only: Tab is typed", Config{Terminators: []Key{KeyEnter}}, func(s *script) {
			s.typeText("ABCD", ms)
			s.press(KeyTab, ms)
			s.typeText("EFGH", ms)
			s.press(KeyEnter, ms)
		}, []string{"A", "B", "C", "D", "<tab>", "[EFGH]"}},
		{"prefix and suffix stripped, terminator kept in the scan", Config{Prefix: "#!", Suffix: "$"}, func(s *script) {
			s.typeText("#!0109501101530003$", ms)
			s.press(KeyEnter, ms)
		}, []string{"[0109501101530003]"}},
		{"suffix alone ends back-to-back scans", Config{Suffix: "$", Terminators: []Key{}}, func(s *script) {
			s.typeText("AAAA$BBBB$CCCC$", ms)
		}, []string{"[AAAA]", "[BBBB]", "[CCCC]"}},
		{"prefix splits back-to-back scans without terminators", Config{Prefix: "#", EndBySilence: true, Terminators: []Key{}}, func(s *script) {
			s.typeText("#AAAA#BBBB#CCCC", ms)
		}, []string{"[AAAA]", "[BBBB]", "[CCCC]"}},
		{"a fast burst without the prefix is typing", Config{Prefix: "#"}, func(s *script) {
			s.typeText("ABCD", ms)
			s.press(KeyEnter, ms)
		}, []string{"A", "B", "C", "D", "<enter>"}},
		{"suffix missing: typing", Config{Suffix: "$"}, func(s *script) {
			s.typeText("ABCD", ms)
			s.press(KeyEnter, ms)
		}, []string{"A", "B", "C", "D", "<enter>"}},
		{"end by silence", Config{EndBySilence: true, Terminators: []Key{}}, func(s *script) {
			s.typeText("AAAA", ms)
			s.wait(100 * ms)
			s.typeText("BBBB", ms)
		}, []string{"[AAAA]", "[BBBB]"}},
		{"a wireless stall inside a code is bridged", Config{}, func(s *script) {
			s.typeText("400638", 2*ms)
			s.wait(120 * ms)
			s.typeText("1333931", 2*ms)
			s.press(KeyEnter, 2*ms)
		}, []string{"[4006381333931]"}},
		{"a late Enter after a fast burst is a person's", Config{}, func(s *script) {
			s.typeText("ABCD", ms)
			s.press(KeyEnter, 100*ms)
		}, []string{"A", "B", "C", "D", "<enter>"}},
		{"group separator substitute", Config{GSSubstitute: "{GS}"}, func(s *script) {
			s.typeText("]C10109501101530003"+"10ABC{GS}21X", ms)
			s.press(KeyEnter, ms)
		}, []string{"[]C10109501101530003" + "10ABC\x1d21X]"}},
		{"Backspace ends a burst and passes through", Config{}, func(s *script) {
			s.typeText("ABCD", ms)
			s.press(KeyBackspace, ms)
			s.typeText("EFGH", ms)
			s.press(KeyEnter, ms)
		}, []string{"A", "B", "C", "D", "<bs>", "[EFGH]"}},
		{"clock going backwards counts as no gap", Config{}, func(s *script) {
			s.typeText("AB", ms)
			s.wait(-50 * ms)
			s.typeText("CD", ms)
			s.press(KeyEnter, ms)
		}, []string{"[ABCD]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{now: t0}
			tt.build(s)
			w, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			var out []Output
			for _, ev := range s.events {
				out = append(out, w.Feed(ev)...)
			}
			out = append(out, w.Advance(s.now.Add(time.Hour))...)
			if got := summary(out); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHumanKeysAreHeldOnlyBriefly(t *testing.T) {
	w, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if out := w.Feed(Event{Rune: '5', At: t0}); len(out) != 0 {
		t.Fatalf("a single key was decided at once: %v", out)
	}
	d, ok := w.Deadline()
	if !ok || d.Sub(t0) > 31*time.Millisecond {
		t.Fatalf("deadline %v after the key, want at most 31ms", d.Sub(t0))
	}
	if out := w.Advance(t0.Add(10 * time.Millisecond)); len(out) != 0 {
		t.Fatalf("decided before the gap ran out: %v", out)
	}
	out := w.Advance(d)
	if got := summary(out); !slices.Equal(got, []string{"5"}) {
		t.Fatalf("at the deadline got %q, want the typed 5", got)
	}
}

func TestNewRejectsImpossibleConfigs(t *testing.T) {
	for _, cfg := range []Config{
		{Terminators: []Key{}},
		{MaxGap: time.Second, HiccupGap: time.Millisecond},
		{MinLength: -1},
		{Terminators: []Key{KeyNone}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
