// Package assets holds the files bundled into the handheld app: the app
// icon (icon.png, 512×512, also named by FyneApp.toml for packaging) and the
// scan feedback sounds (sounds/*.wav, 16-bit mono PCM at 22.05 kHz), embedded
// with go:embed so the binary needs no files beside it.
//
// The sounds are:
//
//   - good.wav: one 880 Hz beep of 80 ms — the scan was accepted.
//   - warn.wav: two 660 Hz beeps of 70 ms, 60 ms apart — accepted and
//     flagged (a short-dated lot, units over the tolerance set aside).
//   - bad.wav: a 220 Hz buzz of 250 ms — refused, or recorded as an
//     exception.
//
// The files are drawn and synthesised by assets/internal/synth and
// committed; `go generate ./assets` rewrites them and the package's tests
// check that the committed files still match. Playing the sounds is
// client/feedback's job; screenshots of the app for the README live in
// assets/screenshots (written by `make screenshots`, not embedded).
package assets
