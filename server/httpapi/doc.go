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
// Admin routes (the catalog, /users among it, devices, events, the
// exceptions clerks flagged and the unknown barcodes) need the admin
// token; POST /api/v1/enroll, where a handheld redeems an enrollment code,
// needs none and slows down addresses that guess. Picking (pick waves,
// pick lists, count tasks) is the admin's, but for POST
// /api/v1/pick-lists/next, which a device calls with its own
// credentials. GET /api/v1/openapi.json describes every route.
package httpapi
