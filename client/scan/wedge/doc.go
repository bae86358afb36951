// Package wedge reads hardware barcode scanners that work as a keyboard
// ("keyboard wedge"): the scanner types the code into whatever field has
// the focus, usually followed by Enter or Tab, and sometimes with a
// configured prefix and suffix around it.
//
// A Wedge is a pure state machine over key events, each a rune or a named
// key (Enter, Tab, Backspace...) with the time it arrived. It groups keys
// into bursts by inter-key timing: a scanner sends a whole code within a
// few milliseconds (typically 1–10 ms per key), a person needs 60 ms or
// more per key. A burst of at least MinLength keys whose gaps never
// exceed MaxGap, carrying the configured prefix and closed by a terminator
// (Enter or Tab by default) sent within MaxGap of the last key, by the
// configured suffix, or - with EndBySilence - by silence, is a Scan; every
// other key comes out as Typed,
// one Output per key, so the field can apply it as if typed directly. Keys
// are held back only while they might still start a scan: at most MaxGap
// for a person's keys, and up to HiccupGap for a burst that already looks
// like an unterminated scan, so that a wireless scanner's short stall does
// not split one code into two.
//
// Timing cannot separate a person's key pressed less than MaxGap before a
// scan from the scan itself; a configured Prefix can, and is recommended
// where people type into the scan field as well.
//
// Every key comes out exactly once, in order, inside exactly one Output
// (Output.Keys): rapid consecutive scans are split at their terminators or
// suffixes and never merged or dropped.
//
// The clock is injected: events carry their own time, and Advance(now)
// flushes what a silence has decided. Reader wraps a Wedge for a UI: Key
// never blocks the UI thread, outputs queue without bound, and Serve(ctx)
// delivers them in order and runs the timeouts. The package does not
// import Fyne: a Fyne entry forwards TypedRune and TypedKey (KeyReturn and
// KeyEnter as Enter, KeyTab as Tab) to Reader.Key.
package wedge
