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
// item scans with a tally), counting (the bins to count, the counter's
// first with why and when; then a blind count: the bin in huge text until
// its label is scanned, a wrong bin refused, item scans adding to a line
// per SKU and lot with the counted figure only - never what the records
// expect -, Qty for the next scan, a line tapped to type its quantity,
// Finish with a summary to confirm), low stock (for supervisors: a home
// banner with the number of SKUs below their reorder point, opening the
// list of active alerts with available, reorder point, on order and
// suggested; the alerts come with the catalog, so offline too) and, for
// supervisors, the supervisor area under five tabs: discrepancies (each count outside tolerance with
// its evidence: counter and time, counted, expected and variance, value at
// stake, class, the bin's movements since its last good count, previous
// counts; Approve with a reason code, Reject with a reason, Recount by
// another counter), the parked queue (each parked event with its evidence,
// Accept or Cancel with a reason) and accuracy (a chart of weekly
// location, SKU and value accuracy drawn with canvas primitives, with the
// figures in a table, filtered by class and counter), replenishment (the
// purchase-order drafts per supplier: each line's quantity on a keypad,
// suggested, unit cost, value and why; Approve shows the new PO's number,
// Discard asks first, New drafts makes them again from the suggestions)
// and reports (usage of a SKU, a category or the warehouse over a date
// range, per day or week, as consumed and received bars drawn with canvas
// primitives with a unit axis, period labels and a legend; on hand and
// value, turnover and days of cover, dead stock and stockouts as tables -
// a header row on a laptop, a block per row on a handheld - with a
// progress bar while the report downloads; Export CSV saves the server's
// CSV through the file-save dialog).
//
// The supervisor's requests need the signed-in user's PIN, which the app
// keeps in memory only: when one fails for want of it (after a restart,
// or the server refused the one kept) a PIN pad asks for it
// (State.ConfirmPIN) and the request is retried; Cancel leaves it failed
// with the message. Every supervisor list says when the scanner is
// offline and offers Reload.
//
// Screens depend on small interfaces of the app state declared here
// (State, Receipt, Putaway, Returns, Picking, Move, TransferReceipt,
// Supervisor, Counter, Counting, Discrepancies, LowStock, Replenisher,
// Reporter); FromApp adapts *app.App.
// Work the clerk waits for (a scan, a disposition) runs on the UI
// goroutine: it is one SQLite transaction. Enrollment, Next list and the
// supervisor's requests run in a goroutine and report through fyne.Do; so
// does the watcher of state.Changed(), which refreshes the status bar and
// the current screen.
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
// device store (flows_test.go, picking_flow_test.go, count_flow_test.go,
// replenish_flow_test.go),
// typing wedge scans into the focused field; the blind count's flow walks
// every text on the window after each step for a figure of the records.
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
