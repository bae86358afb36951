// Package app is the handheld's state and workflows as plain Go, without
// Fyne: enrollment, sign-in, the sync indicator, receiving against purchase
// orders, put-away and customer returns, picking, moves and transfers,
// blind cycle counts, the supervisor's parked and discrepancy queues, and
// replenishment (low-stock alerts, purchase-order drafts, usage and
// reports). It sits on the device's SQLite store (client/store) and the
// sync engine (client/syncer); the screens in client/ui depend on small
// interfaces of it and are tested headless.
//
// Everything the user sees confirmed is durable first: a receipt scan is a
// row of the receipt draft, written in its own SQLite transaction before
// Scan returns; finishing a receipt turns its draft into events (receive,
// damage into quarantine, exceptions) in one transaction. A put-away, a
// return and a disposition are events as soon as they are confirmed.
// Killing the app at any point and starting it again resumes the open
// receipt and loses nothing.
//
// Picking works offline on the pick lists the device holds: every
// confirmed pick (and a short pick's exception) is an event written with
// the progress it makes in one transaction, so a restart resumes at the
// same task and step (see Picking). Moves and transfer shipments are move
// events (to the transit location with the transfer's number when
// shipping), transfer receipts receive events to the dock with it.
//
// Counting is blind and offline on the count tasks the device holds: the
// counter scans the bin's label, then its items (or types quantities);
// nothing in the API carries an expected quantity. Every change is durable
// in the count's draft before it is confirmed; Finish writes a count event
// per SKU and lot found, each stamped with when it was counted and the
// ledger position the device had pulled then (so picks landing in the bin
// meanwhile are no variance on the server), and a zero count for what the
// device's view holds at the bin and nobody found, in one transaction
// (see Count). Tasks assigned to another user, or that the user may not
// take (a recount of their own count), are not offered.
//
// A few things need the server: NextPickList (POST /api/v1/pick-lists/next),
// the supervisor's parked queue (GET /api/v1/parked, POST
// /api/v1/parked/{id}/accept|cancel), the discrepancy queue (GET
// /api/v1/discrepancies, POST /api/v1/discrepancies/{id}/approve|reject|
// recount) and accuracy (GET /api/v1/accuracy). They call its REST API
// with the device's credentials ("Authorization: Device ID:TOKEN"), the
// signed-in user in X-Driftless-User and their PIN in X-Driftless-PIN,
// and fail with ErrServerUnreachable when it cannot be reached. The PIN
// SignIn verified is kept in memory only, never in the database: after a
// restart the user is still signed in but supervisor calls fail with
// ErrPINRequired, before any request, until ConfirmPIN checks it again
// (offline); a PIN the server refuses is ErrWrongPIN and forgotten, too
// many wrong PINs ErrTooManyPINs, a missing role ErrForbidden (the queues
// say ErrNotSupervisor, and refuse a user without the role before any
// request). A supervisor's decision reaches the device that recorded the
// event through its pulls: an accepted (approved) event leaves Attention,
// a cancelled one (rejected, or recounted) stays on it saying who decided
// and why (store.EventOutcome.Resolution). An event the server rejected
// as forbidden says who may not do what ("Rejected: pat may not count
// (needs the counter role)").
//
// Replenishment: low-stock alerts are reference data of the device's
// warehouse (a catalog kind), so Alerts works offline, most urgent first;
// a cleared alert leaves with the pull that brings its change. Purchase-
// order drafts (/api/v1/po-drafts: generate, list, edit, approve,
// discard), daily usage (/api/v1/usage) and the reports (/api/v1/reports/
// on-hand|turnover|dead-stock|stockouts) are the server's and need a
// supervisor with their PIN, as the queues do. A report is the server's
// CSV (what ExportCSV saves), read into columns and rows; the server
// computes it before it sends a byte, so RunReport's progress is that of
// the download, from its Content-Length. An approved draft is an open
// purchase order: it reaches the warehouse's devices through the pull
// stream and is received like any other.
package app
