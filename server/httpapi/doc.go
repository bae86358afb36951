// Package httpapi is the sync server's HTTP face: chi routes for health,
// readiness and the REST API under /api/v1, and the websocket sync endpoint
// at /api/v1/sync where one Session per device connection speaks protocol
// v1 (see package syncproto) on top of server.Ledger.
//
// A session has one reader (which handles the device's messages one at a
// time, in order), one writer (the only goroutine that writes to the
// socket, and the heartbeat sender) and one poker (which turns ledger
// growth in the device's warehouse into poke messages). All three end
// together when the connection drops, the device misses heartbeats, or the
// server shuts down.
//
// Every route requires a role (auth.go; x-driftless-role in the OpenAPI
// document): public (health, the document, POST /api/v1/enroll, where a
// handheld redeems an enrollment code and addresses that guess are slowed
// down, and the websocket, which authenticates in its hello), device (the
// snapshot: a device's own credentials), or a user role: the admin token,
// or a device's credentials with the signed-in user's code and PIN
// (X-Driftless-User, X-Driftless-PIN, checked against the bcrypt hash and
// rate-limited per user) of an active user holding the role. Admin routes
// are the catalog (/users among it), devices, events, stock, the
// exceptions and unknown barcodes, picking and transfers; the parked
// queue, the audit log (GET /api/v1/audit), usage and the reports
// (usage.go) are a supervisor's; POST
// /api/v1/pick-lists/next a picker's; GET /api/v1/me any user's. GET
// /api/v1/openapi.json describes every route.
package httpapi
