package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhooks: endpoints told of alerts. Raising or clearing an alert queues
// one delivery per active endpoint subscribed to the event, in the
// transaction that changes the alert (an outbox), with its body fixed
// then. The delivery ID is the alert's, the endpoint's and, for a
// clearance, "cleared", joined by ":" ("AL-000007:WH-000001"), and a
// delivery is stored only if its ID is new: the same alert event is never
// delivered to one endpoint as two deliveries, and retries resend the same
// body under the same ID.
//
// The Deliverer (a Serve(ctx) job of `syncd serve`) POSTs due deliveries:
//
//	Content-Type: application/json
//	X-Driftless-Delivery: AL-000007:WH-000001
//	X-Driftless-Event: alert.raised
//	X-Driftless-Signature: sha256=HEX(HMAC-SHA256(secret, body))
//
//	{"id": "AL-000007:WH-000001", "event": "alert.raised", "created_at": "…",
//	 "alert": {"id": "AL-000007", "warehouse": "W1", "sku": "A", "name": "Apples", "available": 4, …}}
//
// A 2xx answer delivers it. Anything else (another status, a network
// error, no answer within 10 s) is an attempt logged with the delivery
// and retried after an exponential backoff with jitter: after the n-th
// failed attempt, b = min(BackoffMax, BackoffMin × 2^(n−1)) and the next
// attempt is b/2 + rand × b/2 later. After MaxAttempts attempts it is
// failed. Receivers should treat the delivery ID as an idempotency key.
//
// Several `syncd serve` replicas on one PostgreSQL database each run a
// Deliverer; a store that is shared so implements DeliveryClaimer, and a
// replica sends only the deliveries it claimed: the claim moves a due
// delivery's next attempt a lease ahead (Deliverer.Lease) in one
// statement that skips rows another replica is claiming, so no other
// replica sees it due until the attempt is logged or the lease runs out
// (the replica died mid-attempt: another retries it, under the same ID).
// A replica sends no claimed delivery whose attempt could outlast its
// lease. SQLite has one process and reads the due deliveries as they are.

// Webhook events.
const (
	EventAlertRaised  = "alert.raised"
	EventAlertCleared = "alert.cleared"
)

// WebhookEvents lists the events an endpoint may subscribe to.
var WebhookEvents = []string{EventAlertRaised, EventAlertCleared}

// Webhook is an endpoint told of events. ID is "WH-" and six or more
// digits. Secret is input only (kept to sign bodies, never returned).
type Webhook struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret,omitempty"`
	HasSecret bool      `json:"has_secret"`
	Events    []string  `json:"events"` // empty: alert.raised
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// WebhookID is the ID of the n-th webhook.
func WebhookID(n int64) string { return numberedID("WH", n) }

// ParseWebhookID returns the number of a webhook ID.
func ParseWebhookID(id string) (int64, bool) { return parseNumbered("WH", id) }

// Validate checks the webhook's fields.
func (w *Webhook) Validate() []Problem {
	var ps problems
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		ps.add("url", "url must be an http or https URL")
	}
	if len(w.Secret) < 16 {
		ps.add("secret", "secret must be at least 16 characters")
	}
	for _, e := range w.Events {
		if !slices.Contains(WebhookEvents, e) {
			ps.add("events", "event %q is not one of %s", e, strings.Join(WebhookEvents, ", "))
		}
	}
	return ps
}

func (w *Webhook) wants(event string) bool {
	if len(w.Events) == 0 {
		return event == EventAlertRaised
	}
	return slices.Contains(w.Events, event)
}

// Public is w as the API shows it: without the secret.
func (w Webhook) Public() Webhook {
	w.HasSecret, w.Secret = w.Secret != "", ""
	if w.Events == nil {
		w.Events = []string{EventAlertRaised}
	}
	return w
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is one event for one endpoint and its attempts (the delivery
// log).
type Delivery struct {
	ID          string            `json:"id"`
	Webhook     string            `json:"webhook"`
	Event       string            `json:"event"`
	Alert       string            `json:"alert"`
	Warehouse   string            `json:"warehouse"`
	Body        string            `json:"body"`
	Status      string            `json:"status"`
	Attempts    []DeliveryAttempt `json:"attempts"`
	NextAt      time.Time         `json:"next_at,omitzero"` // the next attempt, while pending
	CreatedAt   time.Time         `json:"created_at"`
	DeliveredAt time.Time         `json:"delivered_at,omitzero"`
}

// DeliveryAttempt is one POST of a delivery.
type DeliveryAttempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code,omitempty"` // 0: no answer
	Error      string    `json:"error,omitempty"`
	Millis     int64     `json:"millis"`
}

// DeliveryFilter selects deliveries.
type DeliveryFilter struct {
	Webhook string
	// Due, when set, selects the pending deliveries due at or before it,
	// oldest due first.
	Due   time.Time
	Limit int // 0: no limit
}

// DeliveryID is the ID of an alert event's delivery to an endpoint.
func DeliveryID(alert, webhook, event string) string {
	id := alert + ":" + webhook
	if event == EventAlertCleared {
		id += ":cleared"
	}
	return id
}

// deliveryBody is what a delivery POSTs.
type deliveryBody struct {
	ID        string    `json:"id"`
	Event     string    `json:"event"`
	CreatedAt time.Time `json:"created_at"`
	Alert     alertBody `json:"alert"`
}

type alertBody struct {
	Alert
	Name string `json:"name"`
}

// queueDeliveries stores a delivery of an alert event for every active
// endpoint subscribed to it.
func queueDeliveries(ctx context.Context, tx CatalogTx, rtx ReplenishTx, event string, a *Alert, now time.Time) error {
	hooks, err := rtx.Webhooks(ctx)
	if err != nil {
		return err
	}
	name := ""
	for _, w := range hooks {
		if w.Disabled || !w.wants(event) {
			continue
		}
		if name == "" {
			if s, err := tx.SKU(ctx, a.SKU); err == nil {
				name = s.Name
			}
		}
		id := DeliveryID(a.ID, w.ID, event)
		b, err := json.Marshal(deliveryBody{ID: id, Event: event, CreatedAt: now.UTC(), Alert: alertBody{Alert: *a, Name: name}})
		if err != nil {
			return err
		}
		if _, err := rtx.AddDelivery(ctx, Delivery{ID: id, Webhook: w.ID, Event: event, Alert: a.ID, Warehouse: a.Warehouse,
			Body: string(b), Status: DeliveryPending, NextAt: now.UTC(), CreatedAt: now.UTC()}); err != nil {
			return err
		}
	}
	return nil
}

// Sign is the X-Driftless-Signature of a body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// CreateWebhook adds an endpoint.
func (c *Catalog) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	w.ID = ""
	return c.putWebhook(ctx, w, "create webhook")
}

// UpdateWebhook replaces an endpoint's fields (an empty secret keeps the
// one it has).
func (c *Catalog) UpdateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	if w.ID == "" {
		return w, &Error{Code: EInvalid, Field: "id", Message: "id is required"}
	}
	return c.putWebhook(ctx, w, "update webhook "+w.ID)
}

func (c *Catalog) putWebhook(ctx context.Context, w Webhook, op string) (Webhook, error) {
	now := c.now().UTC()
	var out Webhook
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		rtx, err := replenishWrite(tx)
		if err != nil {
			return err
		}
		w.CreatedAt = now
		if w.ID != "" {
			old, err := rtx.Webhook(ctx, w.ID)
			if err != nil {
				return err
			}
			w.CreatedAt = old.CreatedAt
			if w.Secret == "" {
				w.Secret = old.Secret
			}
		}
		if ps := w.Validate(); len(ps) > 0 {
			return ps[0].Err()
		}
		w.UpdatedAt = now
		out, err = rtx.PutWebhook(ctx, w)
		if err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{At: now, Actor: ActorFrom(ctx), Action: AuditWebhookPut, Subject: out.ID,
			Details: map[string]any{"url": out.URL, "events": out.Public().Events, "disabled": out.Disabled}})
	})
	if err != nil {
		return Webhook{}, fmt.Errorf("%s: %w", op, err)
	}
	return out.Public(), nil
}

// Webhooks lists the endpoints (without secrets).
func (c *Catalog) Webhooks(ctx context.Context) ([]Webhook, error) {
	var out []Webhook
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		rtx, err := replenishRead(tx)
		if err != nil {
			return err
		}
		ws, err := rtx.Webhooks(ctx)
		for _, w := range ws {
			out = append(out, w.Public())
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// Webhook returns one endpoint (without its secret).
func (c *Catalog) Webhook(ctx context.Context, id string) (Webhook, error) {
	var out Webhook
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		rtx, err := replenishRead(tx)
		if err != nil {
			return err
		}
		out, err = rtx.Webhook(ctx, id)
		return err
	})
	if err != nil {
		return Webhook{}, fmt.Errorf("get webhook %s: %w", id, err)
	}
	return out.Public(), nil
}

// Deliveries lists an endpoint's deliveries, newest first (the delivery
// log).
func (c *Catalog) Deliveries(ctx context.Context, webhook string, limit int) ([]Delivery, error) {
	var out []Delivery
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		rtx, err := replenishRead(tx)
		if err != nil {
			return err
		}
		if _, err := rtx.Webhook(ctx, webhook); err != nil {
			return err
		}
		out, err = rtx.Deliveries(ctx, DeliveryFilter{Webhook: webhook, Limit: limit})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list deliveries of webhook %s: %w", webhook, err)
	}
	return out, nil
}

// DeliveryClaimer is a store several replicas share. ClaimDeliveries
// claims up to limit pending deliveries due at or before due, oldest due
// first, for this caller alone until until (their next attempt moves
// there), skipping those another caller is claiming.
type DeliveryClaimer interface {
	ClaimDeliveries(ctx context.Context, due, until time.Time, limit int) ([]Delivery, error)
}

// claimer is the catalog's store as a DeliveryClaimer, if it is one.
func (c *Catalog) claimer() (DeliveryClaimer, bool) {
	st := c.store
	if a, ok := st.(announcingStore); ok {
		st = a.CatalogStore
	}
	cl, ok := st.(DeliveryClaimer)
	return cl, ok
}

// Deliverer sends due webhook deliveries; a Serve(ctx) job of `syncd
// serve`. Zero fields take the defaults.
type Deliverer struct {
	Catalog *Catalog
	Client  *http.Client     // 10 s timeout
	Now     func() time.Time // time.Now
	Tick    time.Duration    // how often it looks for due deliveries: 1 s
	// MaxAttempts bounds the attempts of a delivery (8).
	MaxAttempts int
	// BackoffMin and BackoffMax bound the wait between attempts (10 s and
	// 1 h).
	BackoffMin, BackoffMax time.Duration
	Rand                   func() float64 // jitter in [0, 1): math/rand/v2
	// Lease is how long a claimed delivery stays this replica's (5 min;
	// with a DeliveryClaimer store only). Claimed deliveries whose attempt
	// (up to Client.Timeout) would end after it are left for a later claim.
	Lease time.Duration
	Log   *slog.Logger
}

func (d *Deliverer) defaults() {
	if d.Client == nil {
		d.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Tick <= 0 {
		d.Tick = time.Second
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = 8
	}
	if d.BackoffMin <= 0 {
		d.BackoffMin = 10 * time.Second
	}
	if d.BackoffMax <= 0 {
		d.BackoffMax = time.Hour
	}
	if d.Rand == nil {
		d.Rand = rand.Float64
	}
	if d.Lease <= 0 {
		d.Lease = 5 * time.Minute
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
}

// Backoff is the wait after the n-th failed attempt (n ≥ 1) for a jitter
// value r in [0, 1).
func (d *Deliverer) Backoff(n int, r float64) time.Duration {
	d.defaults()
	b := d.BackoffMin
	for i := 1; i < n && b < d.BackoffMax; i++ {
		b *= 2
	}
	b = min(b, d.BackoffMax)
	return b/2 + time.Duration(r*float64(b/2))
}

// Serve delivers until ctx is done; it returns nil then.
func (d *Deliverer) Serve(ctx context.Context) error {
	d.defaults()
	t := time.NewTicker(d.Tick)
	defer t.Stop()
	for {
		if _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			d.Log.Warn("webhook deliveries", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce attempts the deliveries due now and returns how many it tried.
func (d *Deliverer) RunOnce(ctx context.Context) (int, error) {
	d.defaults()
	now := d.Now().UTC()
	var due []Delivery
	var leaseEnd time.Time
	claimer, claims := d.Catalog.claimer()
	if claims {
		leaseEnd = now.Add(d.Lease)
		var err error
		if due, err = claimer.ClaimDeliveries(ctx, now, leaseEnd, 100); err != nil {
			return 0, fmt.Errorf("claim due deliveries: %w", err)
		}
	}
	hooks := map[string]Webhook{}
	err := d.Catalog.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		rtx, err := replenishRead(tx)
		if err != nil {
			return err
		}
		if !claims {
			if due, err = rtx.Deliveries(ctx, DeliveryFilter{Due: now, Limit: 100}); err != nil {
				return err
			}
		}
		ws, err := rtx.Webhooks(ctx)
		for _, w := range ws {
			hooks[w.ID] = w
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read due deliveries: %w", err)
	}
	tried := 0
	for _, dl := range due {
		if ctx.Err() != nil {
			return tried, nil
		}
		if claims && d.Now().Add(d.Client.Timeout).After(leaseEnd) {
			break // the rest are due again when the lease ends
		}
		tried++
		w, ok := hooks[dl.Webhook]
		att := DeliveryAttempt{At: d.Now().UTC()}
		if !ok || w.Disabled {
			att.Error = "the webhook is disabled"
			dl.Attempts = append(dl.Attempts, att)
			dl.Status, dl.NextAt = DeliveryFailed, time.Time{}
		} else {
			d.send(ctx, w, &dl, &att)
		}
		err := d.Catalog.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
			rtx, err := replenishWrite(tx)
			if err != nil {
				return err
			}
			return rtx.PutDelivery(ctx, dl)
		})
		if err != nil {
			return tried, fmt.Errorf("log delivery %s: %w", dl.ID, err)
		}
	}
	return tried, nil
}

// send POSTs a delivery once and records the attempt in it.
func (d *Deliverer) send(ctx context.Context, w Webhook, dl *Delivery, att *DeliveryAttempt) {
	body := []byte(dl.Body)
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "driftless-syncd/"+Version)
		req.Header.Set("X-Driftless-Delivery", dl.ID)
		req.Header.Set("X-Driftless-Event", dl.Event)
		req.Header.Set("X-Driftless-Signature", Sign(w.Secret, body))
		var resp *http.Response
		if resp, err = d.Client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			att.StatusCode = resp.StatusCode
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				err = fmt.Errorf("the endpoint answered %s", resp.Status)
			}
		}
	}
	att.Millis = time.Since(start).Milliseconds()
	dl.Attempts = append(dl.Attempts, *att)
	if err == nil {
		dl.Status, dl.NextAt, dl.DeliveredAt = DeliveryDelivered, time.Time{}, att.At
		return
	}
	att.Error = err.Error()
	dl.Attempts[len(dl.Attempts)-1].Error = att.Error
	if len(dl.Attempts) >= d.MaxAttempts {
		dl.Status, dl.NextAt = DeliveryFailed, time.Time{}
		d.Log.Warn("webhook delivery failed", "delivery", dl.ID, "url", w.URL, "attempts", len(dl.Attempts), "err", err)
		return
	}
	dl.NextAt = att.At.Add(d.Backoff(len(dl.Attempts), d.Rand()))
}
