// Package feedback plays the scan feedback the clerk hears (and, where the
// platform allows, feels): the good, warn and bad sounds of package assets.
// It imports no Fyne, so the app state and the screens can share it and
// tests can run it anywhere.
//
// A Player never blocks its caller: Good, Warn and Bad start the sound in
// the background and return at once. A sound asked for while another is
// still playing is dropped, not queued: scans come faster than sounds end,
// and a queue of beeps running behind the screen would tell the clerk about
// a scan they already moved past.
//
// On Linux the sound is piped to `paplay` (PulseAudio or PipeWire) or, if
// that is missing, `aplay` (ALSA), whichever is found on PATH first. With
// neither the Player stays silent and logs that once through slog; a player
// that fails (no sound device) is also logged once and tried again on the
// next scan.
//
// Vibration: Fyne has no vibration API, so Vibrate is a documented no-op
// hook on the desktop. On Android handhelds the hardware scanner vibrates by
// itself on a good decode when its profile says so (Zebra DataWedge: the
// profile's Barcode input → Scan params → decode haptic feedback; Honeywell:
// the scan settings' good-read notification, vibrate), which covers wedge
// scans; the README's Handheld app section lists the profile settings the app
// expects.
package feedback
