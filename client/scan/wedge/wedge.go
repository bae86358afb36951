package wedge

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Key names a non-character key; KeyNone marks an event carrying a rune.
type Key int

const (
	KeyNone Key = iota
	KeyEnter
	KeyTab
	KeyBackspace
	KeyEscape
	KeyOther // any other named key: it ends a burst and passes through
)

// Event is one key as the field received it.
type Event struct {
	Rune rune // the character typed, when Key is KeyNone
	Key  Key
	At   time.Time
}

// Kind tells what an Output is.
type Kind int

const (
	Typed Kind = iota + 1 // a key typed by a person: Keys holds exactly one event
	Scan                  // a code from a scanner: Text holds it
)

func (k Kind) String() string {
	switch k {
	case Typed:
		return "typed"
	case Scan:
		return "scan"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Output is one decision of the Wedge.
type Output struct {
	Kind Kind
	// Text is the scanned code without prefix, suffix and terminator, with
	// GSSubstitute replaced by the group separator; empty for Typed.
	Text string
	// Keys are the input events this output accounts for, in order.
	Keys []Event
	// At is the time of the first key.
	At time.Time
}

// Config describes how the scanners in use are set up.
type Config struct {
	// Prefix and Suffix are the strings the scanner adds around each code;
	// empty when it adds none. With a Prefix, only bursts starting with it
	// are scans, and the Prefix appearing inside a burst starts a new scan.
	// With a Suffix, a burst ending in it is a complete scan (a terminator
	// straight after it is part of the scan).
	Prefix, Suffix string
	// Terminators are the keys the scanner sends after a code; nil means
	// Enter and Tab.
	Terminators []Key
	// EndBySilence makes a pause longer than MaxGap end a scan, for
	// scanners set up to send no terminator and no suffix.
	EndBySilence bool
	// MaxGap is the longest pause between two keys of one scan
	// (default 30ms).
	MaxGap time.Duration
	// HiccupGap is how long an unterminated burst that already looks like a
	// scan waits for the rest of it (default 250ms).
	HiccupGap time.Duration
	// MinLength is the fewest data characters (without prefix and suffix) a
	// scan has (default 4); shorter fast bursts are typed keys.
	MinLength int
	// GSSubstitute is what the scanner types for the ASCII group separator
	// when it cannot send 0x1D, e.g. "~" or "{GS}"; empty for none.
	GSSubstitute string
}

const (
	defaultMaxGap    = 30 * time.Millisecond
	defaultHiccupGap = 250 * time.Millisecond
	defaultMinLength = 4
)

// Wedge tells scanner bursts from typing. It is not safe for concurrent
// use; Reader is.
type Wedge struct {
	cfg     Config
	terms   map[Key]bool
	pending []Event // the current burst, not yet decided
	// complete: pending ends with the suffix; only a terminator straight
	// after it can still belong to the scan.
	complete bool
}

// New returns a Wedge for cfg, with defaults filled in.
func New(cfg Config) (*Wedge, error) {
	if cfg.MaxGap == 0 {
		cfg.MaxGap = defaultMaxGap
	}
	if cfg.HiccupGap == 0 {
		cfg.HiccupGap = defaultHiccupGap
	}
	if cfg.MinLength == 0 {
		cfg.MinLength = defaultMinLength
	}
	if cfg.Terminators == nil {
		cfg.Terminators = []Key{KeyEnter, KeyTab}
	}
	switch {
	case cfg.MaxGap < 0 || cfg.HiccupGap < cfg.MaxGap:
		return nil, errors.New("new wedge: want 0 < MaxGap <= HiccupGap")
	case cfg.MinLength < 1:
		return nil, errors.New("new wedge: MinLength must be positive")
	case len(cfg.Terminators) == 0 && cfg.Suffix == "" && !cfg.EndBySilence:
		return nil, errors.New("new wedge: without terminators and suffix a scan can only end by silence: set EndBySilence")
	}
	w := &Wedge{cfg: cfg, terms: make(map[Key]bool)}
	for _, k := range cfg.Terminators {
		if k == KeyNone {
			return nil, errors.New("new wedge: KeyNone is not a terminator")
		}
		w.terms[k] = true
	}
	return w, nil
}

// Feed takes one key and returns what it decided, in order. Events should
// arrive in time order; an event older than the previous one counts as
// arriving at the same time.
func (w *Wedge) Feed(ev Event) []Output {
	var out []Output
	var gap time.Duration
	if len(w.pending) > 0 {
		last := w.pending[len(w.pending)-1].At
		if ev.At.Before(last) {
			ev.At = last
		}
		if gap = ev.At.Sub(last); gap > w.allowedGap() {
			out = w.flush(out, w.complete)
		}
	}
	if w.terms[ev.Key] && gap > w.cfg.MaxGap {
		// Scanners send the terminator straight after the code: a late one
		// was pressed by a person and ends the burst as typed.
		out = w.flush(out, w.complete)
		return append(out, typed(ev))
	}
	if w.complete {
		if w.terms[ev.Key] { // the scan's own terminator after its suffix
			w.pending = append(w.pending, ev)
			return w.flush(out, true)
		}
		out = w.flush(out, true)
	}
	switch {
	case w.terms[ev.Key] && len(w.pending) == 0:
		return append(out, typed(ev))
	case w.terms[ev.Key]:
		w.pending = append(w.pending, ev)
		return w.flush(out, true)
	case ev.Key != KeyNone: // Backspace, Escape...: ends a burst, never part of a scan
		out = w.flush(out, false)
		return append(out, typed(ev))
	}
	w.pending = append(w.pending, ev)
	if p := w.cfg.Prefix; p != "" && len(w.pending) > runeCount(p) && w.pendingHasSuffix(p) {
		// The prefix of the next scan: what came before it is a burst of its own.
		n := len(w.pending) - runeCount(p)
		rest := append([]Event(nil), w.pending[n:]...)
		w.pending = w.pending[:n]
		out = w.flush(out, false)
		w.pending = rest
	}
	if s := w.cfg.Suffix; s != "" && w.pendingHasSuffix(s) && w.looksLikeScan(w.pending) {
		w.complete = true
	}
	return out
}

// Advance tells the Wedge that the clock reached now without a key: a
// burst whose silence has lasted too long is decided.
func (w *Wedge) Advance(now time.Time) []Output {
	if len(w.pending) == 0 {
		return nil
	}
	if now.Sub(w.pending[len(w.pending)-1].At) > w.allowedGap() {
		return w.flush(nil, w.complete)
	}
	return nil
}

// Deadline returns when Advance will next have something to decide.
func (w *Wedge) Deadline() (time.Time, bool) {
	if len(w.pending) == 0 {
		return time.Time{}, false
	}
	return w.pending[len(w.pending)-1].At.Add(w.allowedGap() + time.Nanosecond), true
}

// Pending returns how many keys are held back, undecided.
func (w *Wedge) Pending() int { return len(w.pending) }

// allowedGap is the pause that ends the current burst: MaxGap, or
// HiccupGap once the burst could only be an unterminated scan.
func (w *Wedge) allowedGap() time.Duration {
	if !w.complete && !w.cfg.EndBySilence && w.looksLikeScan(w.pending) {
		return w.cfg.HiccupGap
	}
	return w.cfg.MaxGap
}

// looksLikeScan reports whether a burst has the shape of a scan so far:
// the prefix (if any) and at least MinLength data characters. A burst
// holds runes only, but for a terminator at its end.
func (w *Wedge) looksLikeScan(keys []Event) bool {
	if n := len(keys); n > 0 && keys[n-1].Key != KeyNone {
		keys = keys[:n-1]
	}
	p, s := []rune(w.cfg.Prefix), []rune(w.cfg.Suffix)
	if !runesAt(keys, 0, p) {
		return false
	}
	n := len(keys) - len(p)
	if len(s) > 0 && n >= len(s) && runesAt(keys, len(keys)-len(s), s) {
		n -= len(s)
	}
	return n >= w.cfg.MinLength
}

// runesAt reports whether keys[at:] begins with the runes rs.
func runesAt(keys []Event, at int, rs []rune) bool {
	if at < 0 || len(keys)-at < len(rs) {
		return false
	}
	for i, r := range rs {
		if k := keys[at+i]; k.Key != KeyNone || k.Rune != r {
			return false
		}
	}
	return true
}

// flush decides the pending burst. A burst is a scan when it looks like
// one and was ended by a terminator or suffix (terminated), or by silence
// when EndBySilence is set.
func (w *Wedge) flush(out []Output, terminated bool) []Output {
	keys := w.pending
	w.pending, w.complete = nil, false
	if len(keys) == 0 {
		return out
	}
	data := keys
	if w.terms[keys[len(keys)-1].Key] {
		data = keys[:len(keys)-1]
	}
	text := runesOf(data)
	text, hasSuffix := strings.CutSuffix(text, w.cfg.Suffix)
	if (terminated || w.cfg.EndBySilence) && w.looksLikeScan(data) && (w.cfg.Suffix == "" || hasSuffix) {
		text = strings.TrimPrefix(text, w.cfg.Prefix)
		if w.cfg.GSSubstitute != "" {
			text = strings.ReplaceAll(text, w.cfg.GSSubstitute, "\x1d")
		}
		return append(out, Output{Kind: Scan, Text: text, Keys: keys, At: keys[0].At})
	}
	for _, k := range keys {
		out = append(out, typed(k))
	}
	return out
}

func (w *Wedge) pendingHasSuffix(s string) bool {
	r := []rune(s)
	return runesAt(w.pending, len(w.pending)-len(r), r)
}

func runeCount(s string) int { return len([]rune(s)) }

func typed(ev Event) Output { return Output{Kind: Typed, Keys: []Event{ev}, At: ev.At} }

func runesOf(keys []Event) string {
	var b strings.Builder
	for _, k := range keys {
		if k.Key == KeyNone {
			b.WriteRune(k.Rune)
		}
	}
	return b.String()
}
