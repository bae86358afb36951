// Package store is the handheld's local database (SQLite through
// modernc.org/sqlite): the device identity, the outbox of events it
// recorded, the balances it pulled from the server, the local stock view
// the screens show, the reference data scans resolve against (pick lists
// and transfers and count tasks included), and the handheld's receipt
// drafts, pick progress, count drafts and signed-in user.
//
// # Durability
//
// Record assigns the next sequence, writes the sealed event to the outbox
// and updates the local view in one transaction, committed with WAL and
// synchronous=FULL before it returns: a scan the user saw confirmed
// survives a crash, a kill and a power loss. (synchronous=NORMAL in WAL
// mode survives crashes but may lose the last commits on power loss; it is
// available through WithSynchronous for comparison only.) The sequence
// counter is updated in the same transaction, so a failed Record takes
// nothing: sequences are 1, 2, 3, … without gaps or reuse, across reopen.
//
// Outbox rows are never deleted: they are the device's history, hold the
// server's outcome of each event (applied, parked, rejected) for the
// "needs attention" list, and are the source for resending after the
// server lost events (a restore from backup). "Outbox empty" means no event
// above acked_through.
//
// # The local view
//
// The view (table stock_view) is kept materialized and exact:
//
//	view(key) = server balance(key) + Σ pending deltas(key)
//
// where the server balances come from pulled pages (server_stock) and the
// pending deltas (pending) are those of this device's own events that no
// pulled page reflects yet and that were not parked or rejected. Record
// adds an event's deltas (a trigger carries new pending rows into the
// view); a pulled ledger entry of one of this device's
// events removes the matching pending delta (so the view never counts an
// event twice and does not flicker between the ack and the pull); a parked
// or rejected outcome removes the event's pending deltas. A count changes
// nothing in the view: it is a proposal the server checks. ResetPulled
// forgets the pulled balances and the cursor (the server was restored from
// a backup) and leaves the view at the pending deltas until the next pull.
//
// # Receiving, sign-in and batches
//
// The reference data (catalog.go) includes the users who may sign in
// (with the bcrypt PIN hashes the device checks offline; archived users
// stay, flagged), the warehouse's receiving settings and the SSCCs
// announced for purchase orders (LookupSSCC). A receipt draft (receipts,
// receipt_scans) holds a receiving session scan by scan, each scan its own
// transaction, so a killed app resumes it; FinishReceipt turns it into
// events and closes it in one transaction, as RecordBatch does for any set
// of scans. The signed-in user survives a restart. Record writes a row of
// received_serials only for a receive with a serial, so duplicate serials
// are found without reading the outbox and the hot path is unchanged.
//
// # Picking, transfers and resolutions
//
// Pick lists (with their tasks) and transfers come with the reference
// data, from snapshots and catalog pulls; the device holds the ones that
// are open (Held), and a list or transfer that is done, cancelled or
// archived is deleted. A pick run (pick_runs) is a picker working through
// a list: where they are (the task, at its bin or its item, whether the
// item was scanned), and per task (pick_progress) what this device picked,
// whether it recorded a short pick and when it was last skipped, with a
// copy of the task so a list the server closed still shows what was done.
// SavePick writes a pick's events and the progress they make in one
// transaction, so a restart resumes exactly after the last confirmed scan
// and never picks twice. Events carry the pick task (Scan.Task).
//
// A supervisor's decision on one of this device's parked events arrives
// in a pulled page (Changes.Resolutions) and is stored on the event's
// outbox row exactly once (resolved_at guards it; a repeated page or a
// late ack changes nothing): the status becomes applied or cancelled, the
// reason says who decided and why ("cancelled by sam: no stock") and the
// parked reason is kept (EventOutcome.Resolution, ParkedReason). An
// accepted event leaves the "needs attention" list and its stock comes
// through the ledger entries the acceptance wrote; a cancelled one needs
// attention (again, if it was dismissed while parked) until dismissed. A
// decision on an event whose ack was lost (no outcome here yet) drops its
// pending deltas when it is a cancellation.
//
// # Counting
//
// Count tasks come with the reference data like pick lists (open and
// assigned ones are held). A count draft (count_drafts, count_lines)
// holds a blind count of one task's bin: whether the bin's label was
// scanned and, per SKU and lot, what was counted, with when the line last
// changed and the ledger cursor then; each change is its own transaction.
// FinishCount reads the draft, its lines and the view at the bin, records
// the scans the app's plan makes of them (Scan.At and Scan.Seen carry each
// line's time and position into its event's DeviceTime and SeenPosition)
// and closes the draft, in one transaction. A finished draft stays while
// the device holds its task, and goes with it.
//
// # Replenishment
//
// Low-stock alerts (ref_alerts) come with the reference data like count
// tasks: an active alert is held, a cleared or archived one is deleted,
// so Alerts is what the warehouse is short of as of the last pull. SKUs
// carry their category (what usage reports group by).
//
// # Performance
//
// Record is bound by the WAL frames it writes (four tables, no secondary
// index) and, with synchronous=FULL, one fsync per scan; BenchmarkRecord
// measures both levels. BenchmarkCatchUp and BenchmarkPullOthers measure
// the device's side of a sync (acks, pulled pages).
//
// # Schema
//
// Migrations are embedded SQL files (migrations/NNNNN_name.sql) applied in
// order at Open by pressly/goose, each in its own transaction, with the
// applied versions in goose_db_version. goose rather than a hand-rolled
// loop: it is the maintained standard for numbered SQL migrations, reads
// them from an embed.FS, and gives the server and the client the same
// tool.
//
// All writes go through one connection with BEGIN IMMEDIATE, so
// concurrent callers queue in Go rather than fail with SQLITE_BUSY; reads
// use a separate read-only pool and run beside writes (WAL).
package store
