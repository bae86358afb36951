// Package app is the handheld's state and workflows as plain Go, without
// Fyne: enrollment, sign-in, the sync indicator, receiving against purchase
// orders, put-away and customer returns. It sits on the device's SQLite
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
package app
