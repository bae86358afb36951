// Package app is the handheld's state and workflows as plain Go, without
// Fyne: enrollment, sign-in, the sync indicator, receiving against purchase
// orders, put-away and customer returns, picking, moves and transfers, and
// the supervisor's parked queue. It sits on the device's SQLite
// store (client/store) and the sync engine (client/syncer); the screens in
// client/ui depend on small interfaces of it and are tested headless.
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
// A few things need the server: NextPickList (POST /api/v1/pick-lists/next)
// and the supervisor's parked queue (GET /api/v1/parked, POST
// /api/v1/parked/{id}/accept|cancel). They call its REST API with the
// device's credentials ("Authorization: Device ID:TOKEN") and the signed-in
// user in X-Driftless-User, and fail with ErrServerUnreachable when it
// cannot be reached; the queue is refused before any request to a user
// without the supervisor role (ErrNotSupervisor). A supervisor's decision
// reaches the device that recorded the event through its pulls: an
// accepted event leaves Attention, a cancelled one stays on it saying who
// cancelled it and why (store.EventOutcome.Resolution).
package app
