// Package client is the handheld's headless side: everything the device
// does without a screen. Its sub-packages split the work:
//
//   - store: the local SQLite database (identity, outbox of events, pulled
//     balances, the local stock view), where recording a scan is one
//     durable transaction.
//   - syncer: the sync engine that pushes the outbox to the server and pulls
//     the warehouse's ledger over the syncproto websocket, reconnecting with
//     backoff for as long as the app runs.
//   - scan: the scanning engine (decode, wedge, gs1, resolve), from a
//     barcode to what it means.
//
// The app state that ties them together lives here too and imports no
// Fyne; client/ui holds the Fyne screens, which depend on small interfaces
// of that state.
package client
