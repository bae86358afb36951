// Package ui is the handheld's screens, in Fyne (the only package besides
// cmd/scanner that imports it).
//
// New(state, window, options) shows one screen at a time under a sync
// status bar that every screen keeps on top: online or offline, unsynced
// scans and the age of the oldest, the last sync, and the parked or
// rejected events needing attention (tap it to list and dismiss them).
// The screens: first-run set-up (server address, enrollment code, the
// catalog snapshot's progress), sign-in (users as big buttons, a PIN pad),
// home (the workflows the user's roles allow), receiving (choose or scan a
// purchase order or SSCC, then scan items with a running tally per line,
// quantity, damage with a reason, undo, and a summary to confirm),
// put-away (scan the item, see the suggested bin and why, scan the bin),
// returns (scan items with a reference, then restock, damage or scrap
// each waiting line with a reason), picking (choose a list or take the
// next one, then the current task with its bin in huge text: scan the bin,
// the items, Qty, Short with a keypad, Skip, Finish, and the tasks in
// walking order with their status), moves (from-bin, item, to-bin, with
// what the from-bin holds), transfers (ship: a move to transit; receive:
// item scans with a tally) and, for supervisors, the parked queue (each
// parked event with its evidence, Accept or Cancel with a reason).
//
// Screens depend on small interfaces of the app state declared here
// (State, Receipt, Putaway, Returns, Picking, Move, TransferReceipt,
// Supervisor); FromApp adapts *app.App. Work the clerk waits for (a scan,
// a disposition) runs on the UI goroutine: it is one SQLite transaction.
// Enrollment, Next list and the parked queue's requests run in a goroutine
// and report through fyne.Do; so does the watcher of state.Changed(),
// which refreshes the status bar and the current screen.
//
// Scanning: the scan field is an Entry that keeps the focus, so a
// keyboard-wedge scanner's characters and Enter land in it (OnSubmitted
// handles the scan; the focus returns to it after every action). A camera
// button appears when Options.Camera is set, and "Image…" (scan from an
// image file, decoded by client/scan/decode) on desktops; both go down the
// same path as a wedge scan. Every result shows in the feedback panel -
// green, amber or red with the title in large text - and plays through
// Options.Feedback.
//
// The theme (NewTheme) is Fyne's with larger text, controls at least 52dp
// high and high-contrast colours, light or dark. Layouts target a 480×800
// handheld and put lists beside the controls on windows wider than 900.
//
// # Tests, golden renders and screenshots
//
// The tests run headless on fyne.io/fyne/v2/test. Golden renders of the
// main screens at 480×800 and 1280×800, light and dark, are in testdata/
// (scenes over a fake state with fixed data and a fixed clock); after a
// deliberate change, run the test, look at testdata/failed/ and move the
// files over. The flows are driven against the real app state over a real
// device store (flows_test.go), typing wedge scans into the focused field.
//
// Screenshots of every main screen, both sizes, light and dark, as PNG:
//
//	go test ./client/ui -run 'TestScreenshots$' -count=1 -args -screenshots DIR
//
// (`make screenshots` runs it with DIR=assets/screenshots.) Scan-to-
// feedback latency over a real app and store:
//
//	go test ./client/ui -run '^$' -bench BenchmarkScanToFeedback -benchtime 2000x
package ui
