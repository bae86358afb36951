// Package syncproto is the Driftless sync protocol, version 1: the messages
// a handheld device and the sync server exchange, and the event payload
// (schema version 1) both ends agree on. It imports nothing from client/ or
// server/. This comment is the specification; the golden fixtures in
// testdata/ are its examples and are checked by tests.
//
// # Transport
//
// A websocket at /api/v1/sync, subprotocol "driftless.v1" (a server that
// does not select it is not spoken to). Every message is one JSON text
// frame of at most MaxMessageBytes (1 MiB):
//
//	{"type": "<type>", "body": { ... }}
//
// Unknown fields inside a body are ignored, so fields may be added within
// version 1; anything that changes meaning needs a new protocol version.
// Times are RFC 3339 in UTC. Quantities are integers in the SKU's base unit.
//
// # Events (schema version 1)
//
// An event is one immutable stock-changing action recorded on a device:
//
//	id             UUIDv7 made on the device
//	device_id      the device's ID from enrollment
//	seq            per-device sequence 1, 2, 3, … never reused, no gaps
//	user           who scanned
//	kind           receive | putaway | move | pick | return | damage | count | adjust | exception
//	sku, lot       what (lot empty when not lot-tracked; sku may be empty for an exception)
//	from, to       location codes, as the kind needs them
//	qty            positive; for adjust a signed delta; for count the quantity found (≥ 0);
//	               for exception the units concerned (≥ 0)
//	reason, ref    reason code (damage, adjust, exception); reference (PO, SO, pick list)
//	serial         the unit's serial number (GS1 AI 21), for serial-tracked SKUs; optional
//	expiry         the lot's expiry date YYYY-MM-DD (GS1 AI 17); optional
//	barcode        the scanned text an exception is about; optional
//	task           the pick task a pick or a short_pick exception works through (PickTask.id), or
//	               the count task a count works through (CountTask.id); optional
//	device_time    the device clock when recorded (informational; skew is reported)
//	seen_position  the last server ledger position the device had pulled
//	hash           "sha256:" + hex SHA-256 of the canonical payload (Event.ComputeHash)
//
// The canonical payload lists every field but hash in a fixed order;
// serial, expiry, barcode and task came later within schema version 1
// and are left out of it when empty, so that every event recorded before
// them keeps its hash.
//
// Ledger effect of each kind (applied atomically; every change is one ledger
// entry with its own position):
//
//	receive  +qty at to            return   +qty at to
//	putaway  −qty at from, +qty at to (from ≠ to)
//	move     −qty at from, +qty at to (from ≠ to)
//	pick     −qty at from
//	damage   −qty at from, and +qty at to when to is given (quarantine)
//	adjust   qty (signed) at from
//	count    the variance at from, when within tolerance (below); else none
//	exception  no change: applied and kept for people (see Exceptions)
//
// A receive whose ref is the number of a purchase order of the device's
// warehouse also counts against that order, in the same transaction: its
// qty is added to the received quantity of the order's line for the sku
// (a sku not on the order changes no line), the order's status becomes
// partially_received, or received once every line has received at least
// what was ordered (only open and partially received orders change
// status), and the order gets a new catalog position, so every device
// pulls the new figures. Like the ledger entries, this happens once per
// event, however often it is pushed.
//
// Picks. A pick with task takes its qty from the task's location for
// the task's sales order (ref). Applying it adds qty to the task's picked
// and to the sales order line's picked, in the same transaction, and the
// pick list and the order get new catalog positions: the task is picked
// once picked ≥ qty, the order partially_picked then picked, the list done
// when every task is picked, short or cancelled. When the bin holds less,
// the device records a pick of what was there (if anything) and an
// exception short_pick with the shortfall; applying that marks the task
// short, allocates the shortfall again where stock exists (a new task at
// the end of the same list in walking order, or nothing when there is
// none) and raises a count task for the bin. A pick the server cannot
// apply (not enough stock at its location once every device's events are
// ordered) is parked with insufficient_stock, like any movement.
//
// Transfers. A transfer moves stock between two warehouses through their
// locations of type transit. The sending warehouse ships with moves from
// a bin into one of its transit locations with ref = the transfer's
// number: each adds its qty to the line's shipped (the line of its sku
// and lot, else of its sku without a lot). The receiving warehouse
// receives with receives at one of its locations with ref = the number:
// each adds to the line's received and, in the same transaction, the
// server takes the same quantity out of the sender's transit stock as
// adjust events of the sender's system device "transit-" + warehouse
// (user "system", ref the number); the sender's devices pull those
// entries like any other. When the transit stock is short (the shipment
// has not synced yet), the receive still applies and the missing part is
// parked as that system device's adjust, for a supervisor. The transfer's
// status is open, shipped once every line shipped its qty, received once
// every line received it, or cancelled (nothing counts on a cancelled
// transfer). Like the ledger entries, this happens once per event.
//
// Exceptions. An exception event records something a clerk flagged on
// the device that a person must look at; reason is one of
//
//	unknown_barcode   a scan no barcode of the catalog maps (barcode holds it; sku is empty)
//	not_on_po         an item that is not on the purchase order (ref)
//	over_receipt      units beyond the order line's tolerance (warehouse over_receipt_pct)
//	expired_lot       a lot past its expiry
//	short_dated       a lot expiring within the warehouse's min_shelf_life_days
//	duplicate_serial  a serial number received before
//	damaged           a damaged unit set aside
//	short_pick        a bin held less than a pick task asked for: from, sku, lot, task, and qty the shortfall
//	putaway_dispute   the put-away found another quantity than the receipt booked: from (else to), sku, lot,
//	                  and qty what was found; it raises a count task for the bin
//
// sku, lot, serial, expiry, qty and ref say what it is about where they
// apply. The server applies it (outcome applied, no ledger entry) and
// lists it to supervisors (GET /api/v1/exceptions; the unknown barcodes
// not mapped since, GET /api/v1/unknown-barcodes). The units themselves
// move with ordinary events (a receive to quarantine, a damage).
//
// # Session
//
// After the websocket opens, the device sends hello and waits:
//
//	device                                server
//	hello{protocol, schema, app_version,
//	      device_id, token, acked_through,
//	      last_seq, cursor, device_time} →
//	                                    ← welcome{protocol, schema, server_version, warehouse,
//	                                              acked_through, expected_seq, head,
//	                                              server_time, clock_skew_ms, heartbeat_ms,
//	                                              max_message_bytes, max_batch}
//	                                      or error{code} and close
//
// The server refuses the session with version_not_supported when protocol
// or schema is not one it speaks, unauthorized for an unknown or revoked
// device or a wrong token, and reset_required when last_seq (the highest
// sequence the device has ever assigned) is below the server's acked_through
// for that device: the device lost events the server holds, so its database
// was restored from a backup or replaced; it must be re-enrolled rather
// than reuse sequences. Any message before hello gets hello_required and
// the connection closes.
//
// After welcome, either side may send at any time; the server handles one
// device message at a time and answers in order.
//
// Push and ack. The device sends its unacknowledged events in sequence
// order, in batches of at most max_batch (and max_message_bytes), without
// waiting for each ack (several pushes may be in flight):
//
//	push{events: [event, …]}   →
//	                           ← ack{outcomes: [{id, seq, status, code, reason, position}, …],
//	                                 acked_through}
//
// One outcome per event, in the push's order. Status is applied, parked
// (accepted and kept for a supervisor; code says why: insufficient_stock
// when a movement would take a location below zero, count_variance when a
// count disagrees with the ledger) or rejected (code: invalid_event,
// hash_mismatch when the ID was used before with another payload,
// wrong_device when device_id is not the session's device, forbidden when
// user is not an active user of the catalog holding the role the kind
// needs: receive, putaway, return, damage → receiver; pick, move → picker;
// count → counter; adjust → supervisor; exception → any role; supervisor
// may do what the floor roles do, admin everything; an adjust also needs
// its user to have given the PIN to the server from this device, over
// REST with X-Driftless-PIN, within the last 12 hours; the server's own
// import-, supervisor- and transit- devices are not checked). Every outcome
// is recorded with the event in the same transaction as its ledger
// entries: pushing the same event again returns the same outcome and
// changes nothing. Applied and rejected are final; a parked event waits
// for a supervisor, whose decision (see Resolutions) makes it applied or
// cancelled, and a later push of it returns that. acked_through is the highest contiguous device sequence
// the server holds; the device may forget nothing below it but needs to
// resend nothing below it.
//
// A push whose first new event is not acked_through+1 is answered with
// error{code: sequence_gap, expected_seq} and nothing in it is applied; the
// device resends from expected_seq. An event whose seq the server already
// holds under another ID means two databases share one device identity (a
// copied or restored database): the server answers error{code:
// device_conflict}, applies nothing from that push, and closes.
//
// Counts. A count is blind (the device never shows an expected figure):
// from is the bin, sku and lot what was found, qty how many (0: none
// found), task the count task (optional), seen_position the device's
// ledger cursor when it counted and device_time when. The server computes
//
//	expected = balance at (from, sku, lot) at seen_position
//	         + Σ deltas of the entries there after seen_position whose events' device_time ≤ the count's
//	variance = qty − expected
//
// (the balance at seen_position is the current balance minus the deltas
// after it), so movements that land while the count is taken do not make
// a false variance, and those the counter saw happen before counting but
// had not pulled are expected. Within the tolerance of the bin's ABC
// class (absolute units, or percent of expected, and at most a value in
// cents; per warehouse, REST /api/v1/count-settings) the count is applied
// with its own ledger entry (kind count, delta = variance, 0 included);
// outside it the count is parked with count_variance: a discrepancy, which
// a supervisor approves (the stock is adjusted by the variance computed
// when it arrived, not by what it is now), rejects, or sends for a recount
// by another counter (see Resolutions).
//
// Pull and changes. The device pulls its warehouse's ledger after its
// cursor (a ledger position; 0 at first):
//
//	pull{cursor, limit, compact}   →
//	                               ← changes{from, cursor, entries: [...], levels: [...], more}
//
// The page covers the ledger entries with position > from in position
// order, at most limit (default and maximum MaxPage). entries lists them,
// each with the delta and the balance it left at its stock key (location,
// sku, lot); with compact, only the requesting device's own entries are
// listed (which is all a device needs to reconcile its pending events),
// and levels — always the last balance of every key the page covers —
// carry everyone else's. Handhelds pull compact; auditors pull everything.
// cursor is the position of the last entry covered (from when the page is
// empty); more says another page follows. The device applies a page and
// advances its cursor in one transaction. When its warehouse's ledger
// grows, the server sends poke{head} unasked, coalesced and at most every
// 250 ms per device; the device pulls when head > cursor.
//
// Resolutions. A supervisor decides on a parked event (REST, below):
// accept (the server first adjusts what the event's location lacked, as
// an adjust event of the warehouse's system device "supervisor-" +
// warehouse with the supervisor as user, the reason, and ref = the parked
// event's ID, then applies the event, all in one transaction) or cancel
// (it never applies). The decision takes the next position of the
// warehouse's ledger position sequence, after the entries it wrote, with
// no entry of its own; welcome's head and poke's head count it, and the
// device is poked. A page of changes covers the first limit positions
// after from, entries and decisions alike, and carries in
//
//	changes{…, resolutions: [{event_id, seq, status, reason, by, at, position}, …]}
//
// the decisions on the requesting device's own events whose position is
// in (from, cursor], in position order (compact or not); other devices'
// decisions only move the cursor. So cursor may be a decision's position
// with no entry there, and each device receives each of its resolutions
// exactly once, after the entries the decision wrote. status is applied
// or cancelled; reason and by are the supervisor's; at when it was
// decided. A decision on a count discrepancy says which in reason:
// "approved: <reason code>" (applied; reason codes miscount, damage,
// theft, unrecorded_receipt, unit_of_measure, other), "rejected: <why>"
// (cancelled: the ledger stands) or "recount: <count task> for <counter>"
// (cancelled, and the recount task reaches the devices as a count task). The device marks the outbox row (parked → applied or
// cancelled) in the transaction that applies the page; an accepted
// event's stock arrives as ledger entries, like any other's.
//
// Reference data. A device holds its warehouse's reference records so
// that it resolves scans offline: the SKUs, barcodes and suppliers every
// warehouse shares; its warehouse record, its locations, and its open
// purchase orders (status open or partially_received) and open sales
// orders (open or partially_picked), with their lines; and the users who
// may sign in on it, which every warehouse shares like SKUs. Catalog changes
// have their own counter (the catalog position), separate from ledger
// positions. welcome carries catalog_head, the position of the last
// catalog change. A pull that carries catalog_cursor also asks for the
// device's reference records changed after it; the same changes message
// answers both:
//
//	pull{cursor, limit, catalog_cursor}  →
//	                      ← changes{from, cursor, entries, levels, more,
//	                                catalog_from, catalog_cursor, catalog, catalog_more}
//
// catalog groups the records by kind (warehouses, suppliers, skus,
// barcodes, locations, purchase_orders, sales_orders, users, pick_lists,
// transfers, count_tasks, alerts; a SKU's category groups it in reports), each record
// in its current state with its position (the catalog position of its
// last change) and archived flag; a record changed several times after
// catalog_from appears once. catalog_cursor is where the device's catalog
// cursor goes: the catalog head when catalog_more is false, so changes
// of other warehouses' records do not hold it back. The device applies
// the catalog part and the ledger part with both cursors in one
// transaction: it upserts each record, and deletes the ones that are
// archived and orders no longer open (it holds only what the floor works
// with). Applying a record is idempotent, so a page that repeats a record
// a later page delivers again is harmless. The server bounds the catalog
// part so the whole message stays under max_message_bytes. A pull without
// catalog_cursor gets no catalog part (version 1 devices before reference
// data). When the catalog changes the server sends poke{head,
// catalog_head}; the device pulls when catalog_head > its catalog cursor.
//
// Snapshot. A new device does not replay the catalog's history: it
// downloads a snapshot over HTTP, authenticated as the device,
//
//	GET /api/v1/snapshot?stock=true&limit=N    Authorization: Device ID:TOKEN
//	GET /api/v1/snapshot?page=NEXT             (the next token of the page before)
//
// answered with gzip-compressed JSON (Content-Encoding: gzip) when the
// device accepts it. Each page (SnapshotPage) carries up to limit rows
// (default 10000, at most 50000) in key order, section after section:
// warehouse, suppliers, skus, barcodes, locations, purchase_orders,
// sales_orders, pick_lists, users, transfers, count_tasks, alerts (only
// the records a device holds: active alerts), then the
// warehouse's stock levels when stock is true; page, rows, done and total say how far
// along it is. Every page but the last also carries its next token in the
// Snapshot-Next response header, so that a device can ask for the next
// page while it still decodes this one. The first page pins catalog_head and position (the
// catalog head and the warehouse's ledger head, read in one transaction);
// later pages repeat them. Each page is read in its own transaction, so
// records that change while the snapshot downloads may show up in a later
// page newer than the pinned heads: this is harmless, because after the
// last page the device's catalog cursor is catalog_head and its ledger
// cursor position, and the pull after them re-delivers every such change
// in its newest state (stock levels carry their position, and a pulled
// balance never overrides a newer one). The device writes each page in one
// transaction and its cursors only with the last; an interrupted snapshot
// starts again. A device that already has events or pulled stock asks
// with stock=false and keeps its ledger cursor. Errors are the REST API's:
// 401 with code unauthorized for a wrong or revoked device token, 400
// invalid for a bad page token.
//
// Records a device uses for receiving. The warehouse carries
// blind_receiving (ordered quantities are hidden from clerks),
// over_receipt_pct (how far above a line's ordered quantity, in percent,
// it may be received before the excess is flagged; absent: 0) and
// min_shelf_life_days (a lot expiring sooner than today plus that many
// days is short-dated; absent: 0, only expired lots are flagged). A
// purchase order carries ssccs, the 18-digit SSCCs (GS1 AI 00) of the
// pallets the supplier announced: scanning one opens the order. Its
// lines' received quantities are the server's (see Events). A user is
//
//	code, name   who signs in (code) and what the screens call them
//	roles        picker, receiver, counter, supervisor, admin
//	pin_hash     bcrypt hash (cost 10) of the user's PIN of 4 to 8 digits; the device checks a
//	             PIN offline with bcrypt.CompareHashAndPassword; empty: the user cannot sign in
//
// The REST API never shows pin_hash: an administrator sets a PIN with
// pin on POST or PUT /api/v1/users, or `syncd user add --pin`.
//
// Records a device uses for picking and transfers. A location's type is
// dock, bin, quarantine, returns, staging or transit (where shipped
// transfer stock waits; see Transfers); sequence is its place in the
// walking order. A pick list (pick_lists) is a walk through one
// warehouse that picks one or more sales orders (several: batch picking):
//
//	id, status     "PL-000123"; open | assigned | in_progress | done | cancelled
//	assigned_to    the user code of the picker it is assigned to (empty: anyone may take it)
//	orders         the sales order numbers it picks
//	tasks          the stops in walking order (seq): {id ("PL-000123/4"), seq, order, location,
//	               sku, lot, expiry (YYYY-MM-DD, when known), qty, picked, status}, status
//	               open | picked | short | cancelled
//
// Devices of its warehouse hold it while it is open, assigned or in
// progress and not archived; picked and status are the server's (see
// Picks). The server allocates the lines from bin stock, first expiry
// first for lot-tracked SKUs, then the fewest locations. A transfer
// (transfers) is {number, from, to (warehouses), status, lines: [{sku,
// lot, qty, shipped, received}]}; the devices of both warehouses hold it
// while it is open or shipped and not archived (its changes are logged
// for every warehouse and handed to its two only).
//
// Records a device uses for counting. A count task (count_tasks) sends a
// counter to a bin; the devices of its warehouse hold it while it is open
// or assigned and not archived:
//
//	id, status     "CT-000042"; open | assigned | counted | cancelled
//	location       the bin to count (all of it: every sku and lot found)
//	assigned_to    the counter it is assigned to (empty: any counter)
//	not_by         a user who may not count it (a recount's first counter)
//	reason         scheduled | short_pick | parked | zero_stock | putaway_dispute | recount | manual
//	class          the bin's ABC class (A, B or C) when it was raised
//	due            YYYY-MM-DD
//
// The schedule raises tasks so that each bin is counted every period of
// its class (defaults A 30, B 90, C 180 days), about the same number a
// day; a short pick, a movement parked for lack of stock, a bin emptied
// by a movement and a disputed put-away raise one, and a recount is one;
// a bin has at most one open or assigned task. A task becomes assigned
// to whoever counts it first and counted once none of its counts waits
// for a supervisor.
//
// Low-stock alerts (alerts). A SKU with a reorder rule in a warehouse
// is low when its available stock there (on hand outside quarantine and
// transit, less what open pick tasks have allocated) is at or below the
// rule's reorder point. The server raises one alert when a SKU becomes
// low and none is active (in the transaction of the push that took it
// there, or in the daily recompute), and clears it when available rises
// above the reorder point: one alert per crossing, however many events
// happen meanwhile. An alert is a catalog record of its warehouse, pulled
// by that warehouse's devices only:
//
//	id             "AL-000007", numbered in the order alerts are raised
//	sku            the SKU that is low
//	available      on hand − allocated when it was raised
//	reorder_point  the rule's reorder point then
//	on_order       open purchase orders' ordered − received then
//	suggested      the quantity to order then: up to the rule's target from
//	               on hand + on order − allocated, rounded up to the order
//	               multiple, at least the minimum order quantity
//	status         active | cleared
//	raised_at      RFC 3339, server time
//
// Devices hold an alert while it is active and not archived: a cleared
// alert's change deletes it (the figures of a held alert do not change; a
// new crossing is a new alert). Devices only show alerts (a supervisor's
// low-stock list works offline); reorder rules, purchase-order drafts
// and webhooks are REST (see the OpenAPI document: /api/v1/alerts,
// /reorder-rules, /po-drafts, /webhooks). An approved draft becomes an
// open purchase order, which devices receive against like any other.
//
// Supervisors over REST (see the OpenAPI document): GET /api/v1/parked
// lists the parked events of a warehouse with their evidence (the
// entries applied at the same location, sku and lot after the event's
// seen_position and before it parked, and the stock there now); POST
// /api/v1/parked/{event_id}/accept and /cancel with {"reason", "by"}
// decide (reason required; deciding again the same way returns the
// decision, anything else on an event that is not parked is 409). Either
// the admin token or a device's credentials with the headers
// X-Driftless-User: the code of a user with the supervisor role, and
// X-Driftless-PIN: that user's PIN, which the server checks against the
// bcrypt hash (401 with field X-Driftless-PIN when missing or wrong; after
// 5 wrong PINs for a user within a minute, 429 with Retry-After, even for
// the right one, until the minute passes). The user then sees and decides
// their device's warehouse only (403 otherwise, and for a user without
// the role). Every user-level route (x-driftless-role in the OpenAPI
// document: a role, or "user" for any) takes the same headers; GET
// /api/v1/me checks a PIN and answers who the caller is. Parked
// and cancelled events stay listed: GET /api/v1/events?status=parked,cancelled.
//
// Enrollment. A device gets its ID and token from an enrollment code
// instead of having them typed in: `syncd device add` (or POST
// /api/v1/devices, admin) prints one and `syncd device code` issues a
// fresh one. A code is 8 characters from ABCDEFGHJKLMNPQRSTUVWXYZ23456789
// (no 0, O, 1 or I), shown as XXXX-XXXX and accepted in any case, with or
// without the dash. It is single-use, expires (24 hours by default), and
// is stored only as a hash; issuing a new one makes the device's earlier
// unused codes expire. Over HTTP, without credentials:
//
//	POST /api/v1/enroll  {"code": "K7Q4-M2XP", "app_version": "scanner/0.2.0"}
//	→ 200 {"device_id", "token", "warehouse", "sync_url", "acked_through"}
//
// sync_url is this server's websocket as the request reached it (ws:// or
// wss://). Redeeming a code gives the device a new token and the old one
// stops working; a device that starts again with an empty database
// numbers its events from acked_through+1 (the server already holds the
// ones below). A wrong, used or expired code, or one of a revoked device,
// is answered 400 with the REST error {"error": {"code":
// "enrollment_invalid", "message"}} and changes nothing; an address that
// sends 10 wrong codes within a minute is answered 429 (busy) with
// Retry-After until the minute is over.
//
// Heartbeats. Either side sends ping{nonce}; the peer answers pong{nonce}.
// The server pings every heartbeat_ms; a side that hears nothing (no
// message of any kind) for 3 × heartbeat_ms treats the connection as dead
// and closes it.
//
// # Errors
//
// error{code, message, retry_after_ms, expected_seq, field}. message is for
// people; code is for programs. The codes (the list only grows):
//
//	bad_message            not JSON, no type or body, a wrong field type, a push over the batch limit (field names the field); connection stays
//	unknown_type           a type this version does not know; connection stays
//	message_too_large      over max_message_bytes; connection closes
//	hello_required         a message before hello; connection closes
//	version_not_supported  protocol or schema not spoken; connection closes
//	unauthorized           unknown or revoked device, wrong token; connection closes
//	reset_required         the device lost events the server holds; connection closes
//	device_conflict        one device sequence under two event IDs; connection closes
//	sequence_gap           expected_seq says where to resend from; connection stays
//	busy                   retry the same message after retry_after_ms; connection stays
//	internal               the server failed; nothing from the message was applied; connection closes
//	shutting_down          the server is stopping; reconnect after retry_after_ms
//
// None of them changes anything on the server. Devices reconnect with
// exponential backoff and jitter after a closed connection, except after
// unauthorized, reset_required and device_conflict, which need a person.
package syncproto
