// Package server is the Driftless sync server's domain: the stock ledger
// and the rules that keep it true.
//
// Ledger applies each device event exactly once. A push is one store
// transaction: every event's outcome (applied, parked, rejected) is
// recorded with the event, and an applied event's ledger entries and the
// stock levels they change are written in the same transaction, so a crash
// at any point either keeps all of a push or none of it. Movements that
// would take a location below zero are parked, never applied and never
// lost; counts are proposals checked against the ledger position the device
// had seen. Every ledger entry has a monotonic position devices pull by.
//
// Pushes are applied in group commits: pushes that arrive while a group
// is being applied make up the next one, each in its own savepoint.
// StartPush queues a push and lets the session read on, so a device's
// next push joins a group while the one before waits (the session still
// answers in order). Pulls are cut from each warehouse's feed (feed.go),
// the recent ledger in memory, read once from the store for every device;
// older cursors read the store.
//
// The ledger also keeps purchase orders' received quantities (a receive
// against an order counts in the push's transaction, see receiving.go),
// applies exception events without touching stock, and redeems
// enrollment codes (enroll.go). Catalog holds the reference records
// devices sync, users with their PIN hashes among them.
//
// Picking (picking*.go): a pick wave allocates open sales orders to the
// stock at a warehouse's bins (Allocate, a pure function: FEFO by the
// lots' expiry, then fewest locations, tasks in walking order, lists split
// and small orders batched) into pick lists, catalog records of that
// warehouse. A pick that names a task adds to the task and the sales
// order line in the push's transaction; a short_pick exception marks the
// task short, re-allocates the shortfall onto the same list and raises a
// count task for the bin.
//
// Conflicts (parked.go, transfer.go): a parked event waits in the
// supervisor's queue with its evidence (the entries that took its stock
// after what its device had seen); Resolve accepts it (a supervisor
// device's adjust makes the missing stock exist, then it applies) or
// cancels it, and the decision takes a ledger position so the device
// pulls it once, in order. Transfers ship into a warehouse's transit
// location and, when received at the other warehouse, leave it through
// the sender's transit system device, parking what is short.
//
// Usage and reports (usage.go, reports.go): usage_daily keeps, per
// warehouse, SKU and device day, the units and value consumed (picks,
// damage) and received (receipts, returns), added in the push's
// transaction as each event applies; Reports answers the daily series and
// the on-hand, turnover, dead-stock and stockout reports from it, the
// stock levels and the period's ledger entries. Replenishment reads
// demand through UsageReader.
//
// Replenishment (replenish*.go, alerts.go, webhook.go): reorder rules per
// warehouse and SKU (a reorder point from the mean and variability of
// daily demand over the lead time at a service level, or min/max; order
// multiples, minimum quantities, an override by hand), recomputed daily
// by ReplenishJobs; low-stock alerts, catalog records of one warehouse,
// raised once per crossing in the push's transaction and cleared on
// recovery; webhooks told of them through an outbox the Deliverer sends,
// signed and retried under one delivery ID; purchase-order drafts per
// supplier that a supervisor approves into open purchase orders.
//
// Storage sits behind Store (Update/View with a transaction-scoped Tx),
// implemented by server/sqlite (embedded, the default) and later by a
// PostgreSQL store; server/storetest is the suite every implementation
// passes. HTTP and the websocket session live in server/httpapi. Errors
// are *Error values whose codes map to HTTP statuses and protocol errors in
// HTTPStatus and ProtocolError.
package server
