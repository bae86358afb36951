package storetest

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// RunReplenishment runs the suite of issue 9's replenishment: alerts
// raised once per crossing in the push transaction and cleared on
// recovery (pulled and in snapshots by their warehouse only), rules
// computed from the usage history, webhook deliveries signed, retried
// under one ID and logged, purchase-order drafts approved into orders
// that receiving fills.
func RunReplenishment(t *testing.T, open CatalogOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *server.Catalog, l *server.Ledger, now *clock)
	}{
		{"AlertOncePerCrossing", testAlertCrossing},
		{"RulesFromUsage", testRulesFromUsage},
		{"Webhooks", testWebhookDelivery},
		{"DraftApproveReceive", testDraftApproveReceive},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					mf, ok := r.(mustFail)
					if !ok {
						panic(r)
					}
					t.Fatalf("%s:%d: %v", mf.file, mf.line, mf.err)
				}
			}()
			st := open(t)
			now := &clock{t: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
			l := server.NewLedger(st, server.WithClock(now.Now))
			c := server.NewCatalog(st, l)
			seedCatalog(t, c)
			addTester(t, c)
			tc.fn(t, c, l, now)
		})
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func i64(v int64) *int64 { return &v }

func testAlertCrossing(t *testing.T, c *server.Catalog, l *server.Ledger, now *clock) {
	r := server.NewReplenisher(c, nil)
	d := Enroll(t, l, "h1", "W1")
	far := Enroll(t, l, "h2", "W2")
	push(t, l, d, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 20))
	push(t, l, far, far.Event(syncproto.KindReceive, "A", "", "BIN-1", 1))
	rule := must(r.PutRule(ctx, server.ReorderRule{Warehouse: "W1", SKU: "A", Supplier: "S1", OverrideROP: i64(10)}))
	if rule.ReorderPoint != 10 || rule.OnHand != 20 || rule.Low || rule.LeadTime != 5 {
		t.Fatalf("rule %+v", rule)
	}
	cat0 := must(c.Head(ctx))
	active := func() []server.Alert {
		return must(c.Alerts(ctx, server.AlertFilter{Warehouse: "W1", Status: server.AlertActive}))
	}
	push(t, l, d, d.Event(syncproto.KindPick, "A", "BIN-1", "", 8)) // 12: above
	if a := active(); len(a) != 0 {
		t.Fatalf("alerts at 12 over ROP 10: %+v", a)
	}
	push(t, l, d, d.Event(syncproto.KindPick, "A", "BIN-1", "", 3)) // 9: crosses
	push(t, l, d, d.Event(syncproto.KindPick, "A", "BIN-1", "", 1)) // 8: still low
	push(t, l, d, d.Event(syncproto.KindPick, "A", "BIN-1", "", 1), d.Event(syncproto.KindPick, "A", "BIN-1", "", 1))
	a := active()
	if len(a) != 1 || a[0].Available != 9 || a[0].ReorderPoint != 10 || a[0].Supplier != "S1" || a[0].ID != "AL-000001" {
		t.Fatalf("one alert raised at 9, got %+v", a)
	}
	// The rule's target is the ROP (no demand yet): 10 − 9 = 1 to order.
	if a[0].Suggested != 1 {
		t.Fatalf("suggested %d, want 1", a[0].Suggested)
	}
	page := must(c.PullCatalog(ctx, "W1", cat0, 1<<20))
	if len(page.Records.Alerts) != 1 || page.Records.Alerts[0].Status != "active" || page.Records.Alerts[0].SKU != "A" {
		t.Fatalf("W1 pulls %+v", page.Records.Alerts)
	}
	if page := must(c.PullCatalog(ctx, "W2", cat0, 1<<20)); len(page.Records.Alerts) != 0 {
		t.Fatalf("W2 pulls W1's alert: %+v", page.Records.Alerts)
	}
	snap := must(c.Snapshot(ctx, server.Device{ID: d.ID, Warehouse: "W1"}, server.SnapshotRequest{}))
	if len(snap.Alerts) != 1 || snap.Alerts[0].ID != a[0].ID {
		t.Fatalf("snapshot alerts %+v", snap.Alerts)
	}
	if snap := must(c.Snapshot(ctx, server.Device{ID: far.ID, Warehouse: "W2"}, server.SnapshotRequest{})); len(snap.Alerts) != 0 {
		t.Fatalf("W2 snapshot alerts %+v", snap.Alerts)
	}

	cat1 := must(c.Head(ctx))
	push(t, l, d, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 5)) // 11: recovers
	if a := active(); len(a) != 0 {
		t.Fatalf("alerts after recovery: %+v", a)
	}
	page = must(c.PullCatalog(ctx, "W1", cat1, 1<<20))
	if len(page.Records.Alerts) != 1 || page.Records.Alerts[0].Status != "cleared" {
		t.Fatalf("the clearance pulled: %+v", page.Records.Alerts)
	}
	if snap := must(c.Snapshot(ctx, server.Device{ID: d.ID, Warehouse: "W1"}, server.SnapshotRequest{})); len(snap.Alerts) != 0 {
		t.Fatalf("snapshot holds a cleared alert: %+v", snap.Alerts)
	}
	push(t, l, d, d.Event(syncproto.KindDamage, "A", "BIN-1", "", 2)) // 9 again: a second crossing
	if a := active(); len(a) != 1 || a[0].ID != "AL-000002" {
		t.Fatalf("second crossing: %+v", a)
	}
	all := must(c.Alerts(ctx, server.AlertFilter{Warehouse: "W1"}))
	if len(all) != 2 || all[0].Status != server.AlertCleared || all[0].ClearedAvailable != 11 {
		t.Fatalf("alerts %+v", all)
	}
	// The daily job agrees and changes nothing.
	run := must(r.Recompute(ctx, "W1", now.Now()))
	if run.Rules != 1 || run.Raised != 0 || run.Cleared != 0 {
		t.Fatalf("recompute %+v", run)
	}
}

type fakeUsage map[string][]server.UsageDay

func (f fakeUsage) DailyUsage(_ context.Context, wh, sku string, from, to time.Time) ([]server.UsageDay, error) {
	var out []server.UsageDay
	for _, d := range f[wh+"/"+sku] {
		if !d.Day.Before(from) && !d.Day.After(to) {
			out = append(out, d)
		}
	}
	return out, nil
}

func testRulesFromUsage(t *testing.T, c *server.Catalog, l *server.Ledger, now *clock) {
	// Demand 4 a day for the 56 days before today, lead time 5 days
	// (the supplier's), 95%: σ = 0, ROP = 20, target 40.
	today := server.UTCDay(now.Now())
	u := fakeUsage{}
	for i := 1; i <= 56; i++ {
		u["W1/A"] = append(u["W1/A"], server.UsageDay{Warehouse: "W1", SKU: "A", Day: today.AddDate(0, 0, -i), ConsumedUnits: 4})
	}
	u["W1/A"] = append(u["W1/A"], server.UsageDay{Day: today, ConsumedUnits: 1000}) // today: not counted yet
	r := server.NewReplenisher(c, u)
	rule := must(r.PutRule(ctx, server.ReorderRule{Warehouse: "W1", SKU: "A", Supplier: "S1", OrderMultiple: 12}))
	if rule.MeanDaily != 4 || rule.StdDevDaily != 0 || rule.ReorderPoint != 20 || rule.Target != 40 || rule.ServiceLevel != 0.95 || rule.ReviewWeeks != 8 {
		t.Fatalf("rule %+v", rule)
	}
	// No stock: low, and 40 rounds up to 48.
	if !rule.Low || rule.Suggested != 48 {
		t.Fatalf("low %v suggested %d", rule.Low, rule.Suggested)
	}
	if a := must(c.Alerts(ctx, server.AlertFilter{Warehouse: "W1", Status: server.AlertActive})); len(a) != 1 {
		t.Fatalf("writing a rule that is low raises its alert: %+v", a)
	}
	// Demand doubles; the daily job recomputes.
	for i := range u["W1/A"] {
		u["W1/A"][i].ConsumedUnits *= 2
	}
	jobs := &server.ReplenishJobs{Replenisher: r, Now: now.Now}
	runs := must(jobs.RunOnce(ctx, now.Now()))
	if len(runs) != 2 || runs[0].Warehouse != "W1" || runs[0].Rules != 1 {
		t.Fatalf("runs %+v", runs)
	}
	got := must(r.Rules(ctx, "W1", ""))
	if len(got) != 1 || got[0].ReorderPoint != 40 || got[0].Target != 80 || got[0].Name != "Apple juice 1l" {
		t.Fatalf("recomputed %+v", got)
	}
	// An override wins and is audited.
	rule = must(r.PutRule(ctx, server.ReorderRule{Warehouse: "W1", SKU: "A", Supplier: "S1", OverrideROP: i64(15)}))
	if rule.ReorderPoint != 15 || rule.ComputedROP != 40 {
		t.Fatalf("override %+v", rule)
	}
	es := must(l.AuditLog(ctx, server.AuditFilter{Action: server.AuditRulePut}))
	if len(es) != 2 || es[1].Details["override_rop"] != float64(15) || es[1].Subject != "A" || es[1].Warehouse != "W1" {
		t.Fatalf("audit %+v", es)
	}
	// Bad rules name the field.
	_, err := r.PutRule(ctx, server.ReorderRule{Warehouse: "W1", SKU: "A", Supplier: "NOPE"})
	wantField(t, err, server.EInvalid, "supplier")
	_, err = r.PutRule(ctx, server.ReorderRule{Warehouse: "W1", SKU: "A", Supplier: "S1", Method: server.MethodMinMax})
	wantField(t, err, server.EInvalid, "max")

	// The real usage history: 12 picked yesterday is 12/56 a day.
	d := Enroll(t, l, "h2", "W2")
	push(t, l, d, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 50))
	ev := d.Event(syncproto.KindPick, "A", "BIN-1", "", 12)
	ev.DeviceTime = today.Add(-12 * time.Hour)
	ev.Seal()
	push(t, l, d, ev)
	real := server.NewReplenisher(c, nil)
	rb := must(real.PutRule(ctx, server.ReorderRule{Warehouse: "W2", SKU: "A", Supplier: "S1"}))
	if rb.MeanDaily != 0.214 || rb.OnHand != 38 {
		t.Fatalf("rule of A in W2 from usage %+v", rb)
	}
}

func testWebhookDelivery(t *testing.T, c *server.Catalog, l *server.Ledger, now *clock) {
	const secret = "0123456789abcdef-secret"
	type got struct {
		id, event, sig string
		body           []byte
	}
	var mu sync.Mutex
	var calls []got
	failing := true
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, got{r.Header.Get("X-Driftless-Delivery"), r.Header.Get("X-Driftless-Event"), r.Header.Get("X-Driftless-Signature"), b})
		if failing {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		}
	}))
	defer recv.Close()
	wh := must(c.CreateWebhook(ctx, server.Webhook{URL: recv.URL, Secret: secret, Events: []string{"alert.raised", "alert.cleared"}}))
	if wh.ID != "WH-000001" || wh.Secret != "" || !wh.HasSecret {
		t.Fatalf("webhook %+v", wh)
	}
	_, err := c.CreateWebhook(ctx, server.Webhook{URL: "ftp://x", Secret: secret})
	wantField(t, err, server.EInvalid, "url")

	r := server.NewReplenisher(c, nil)
	d := Enroll(t, l, "h1", "W1")
	push(t, l, d, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 3))
	must(r.PutRule(ctx, server.ReorderRule{Warehouse: "W1", SKU: "A", Supplier: "S1", OverrideROP: i64(5)})) // raised
	jitter := 0.5
	dl := &server.Deliverer{Catalog: c, Now: now.Now, MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour,
		Rand: func() float64 { return jitter }}
	if n := must(dl.RunOnce(ctx)); n != 1 {
		t.Fatalf("first run tried %d", n)
	}
	if n := must(dl.RunOnce(ctx)); n != 0 {
		t.Fatalf("a retry before its backoff: %d", n)
	}
	now.Add(45 * time.Second) // backoff after 1 failure: 30 s + 0.5 × 30 s
	if n := must(dl.RunOnce(ctx)); n != 1 {
		t.Fatalf("second attempt: %d", n)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	now.Add(2 * time.Minute) // after 2: 60 s + 30 s
	must(dl.RunOnce(ctx))
	// The alert clears; that is a delivery of its own.
	push(t, l, d, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 10))
	must(dl.RunOnce(ctx))

	mu.Lock()
	calls2 := slices.Clone(calls)
	mu.Unlock()
	if len(calls2) != 4 {
		t.Fatalf("%d calls2, want 3 attempts of the raise and 1 of the clearance", len(calls2))
	}
	for i, cl := range calls2 {
		if want := server.Sign(secret, cl.body); !hmac.Equal([]byte(cl.sig), []byte(want)) {
			t.Fatalf("call %d signature %q, want %q", i, cl.sig, want)
		}
		var body struct {
			ID    string `json:"id"`
			Event string `json:"event"`
			Alert struct {
				ID, SKU, Name string
				Available     int64
			} `json:"alert"`
		}
		if err := json.Unmarshal(cl.body, &body); err != nil {
			t.Fatal(err)
		}
		if body.ID != cl.id || body.Event != cl.event || body.Alert.SKU != "A" || body.Alert.Name != "Apple juice 1l" {
			t.Fatalf("call %d: %s (headers %s %s)", i, cl.body, cl.id, cl.event)
		}
	}
	if calls2[0].id != "AL-000001:WH-000001" || calls2[1].id != calls2[0].id || calls2[2].id != calls2[0].id || string(calls2[2].body) != string(calls2[0].body) {
		t.Fatalf("retries must reuse the ID and body: %q %q %q", calls2[0].id, calls2[1].id, calls2[2].id)
	}
	if calls2[3].id != "AL-000001:WH-000001:cleared" || calls2[3].event != "alert.cleared" {
		t.Fatalf("clearance %q %q", calls2[3].id, calls2[3].event)
	}
	log := must(c.Deliveries(ctx, wh.ID, 0))
	if len(log) != 2 {
		t.Fatalf("delivery log %+v", log)
	}
	raised := log[slices.IndexFunc(log, func(d server.Delivery) bool { return d.Event == "alert.raised" })]
	if raised.Status != server.DeliveryDelivered || len(raised.Attempts) != 3 || raised.Attempts[0].StatusCode != 503 ||
		raised.Attempts[0].Error == "" || raised.Attempts[2].StatusCode != 200 {
		t.Fatalf("raised delivery %+v", raised)
	}

	// A receiver that never answers 2xx: failed after MaxAttempts.
	mu.Lock()
	failing = true
	mu.Unlock()
	push(t, l, d, d.Event(syncproto.KindPick, "A", "BIN-1", "", 10)) // 3: raised again
	for range 5 {
		must(dl.RunOnce(ctx))
		now.Add(time.Hour)
	}
	log = must(c.Deliveries(ctx, wh.ID, 1))
	if len(log) != 1 || log[0].Alert != "AL-000002" || log[0].Status != server.DeliveryFailed || len(log[0].Attempts) != 3 {
		t.Fatalf("failing delivery %+v", log)
	}
	// Backoff: exponential, capped, jittered into [b/2, b).
	for _, tc := range []struct {
		n    int
		r    float64
		want time.Duration
	}{{1, 0, 30 * time.Second}, {1, 0.999999, 60 * time.Second}, {3, 0, 2 * time.Minute}, {20, 0, 30 * time.Minute}} {
		if got := dl.Backoff(tc.n, tc.r).Round(time.Second); got != tc.want {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tc.n, tc.r, got, tc.want)
		}
	}
}

func testDraftApproveReceive(t *testing.T, c *server.Catalog, l *server.Ledger, now *clock) {
	r := server.NewReplenisher(c, nil)
	must(c.Suppliers.Create(ctx, server.Supplier{Code: "S2", Name: "Nutty Co", LeadTimeDays: 2}))
	d := Enroll(t, l, "h1", "W1")
	push(t, l, d, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 4))
	must(r.PutRule(ctx, server.ReorderRule{Warehouse: "W1", SKU: "A", Supplier: "S1", OverrideROP: i64(10), OrderMultiple: 6, MinOrderQty: 12}))
	must(r.PutRule(ctx, server.ReorderRule{Warehouse: "W1", SKU: "B", Supplier: "S2", Method: server.MethodMinMax, Min: 5, Max: 20}))
	drafts := must(r.GenerateDrafts(ctx, "W1"))
	if len(drafts) != 2 || drafts[0].Supplier != "S1" || drafts[1].Supplier != "S2" {
		t.Fatalf("drafts %+v", drafts)
	}
	da, db := drafts[0], drafts[1]
	// A: position 4, target 10: 6, at least 12 (a multiple of 6).
	if len(da.Lines) != 1 || da.Lines[0].Qty != 12 || da.Lines[0].Suggested != 12 || da.Value != 12*129 || da.SupplierName != "Orchard Ltd" {
		t.Fatalf("draft of S1 %+v", da)
	}
	if len(db.Lines) != 1 || db.Lines[0].SKU != "B" || db.Lines[0].Qty != 20 {
		t.Fatalf("draft of S2 %+v", db)
	}
	// Generating again rewrites the open drafts, never doubles them.
	again := must(r.GenerateDrafts(ctx, "W1"))
	if len(again) != 2 || again[0].ID != da.ID || again[1].ID != db.ID {
		t.Fatalf("generated again %+v", again)
	}
	da = must(r.UpdatePODraft(ctx, da.ID, []server.DraftQty{{SKU: "A", Qty: 18}}))
	if da.Lines[0].Qty != 18 || da.Value != 18*129 {
		t.Fatalf("edited %+v", da)
	}
	actx := server.WithActor(ctx, "sue")
	da, po, err := r.ApprovePODraft(actx, da.ID)
	if err != nil {
		t.Fatal(err)
	}
	if da.Status != server.DraftApproved || da.Order != po.Number || po.Status != server.POOpen || po.ExpectedDate != "2026-12-05" ||
		len(po.Lines) != 1 || po.Lines[0].Ordered != 18 || da.DecidedBy != "sue" {
		t.Fatalf("approved %+v → %+v", da, po)
	}
	if _, _, err := r.ApprovePODraft(actx, da.ID); server.ErrorCode(err) != server.EConflict {
		t.Fatalf("approving twice: %v", err)
	}
	db = must(r.DiscardPODraft(actx, db.ID, "buying elsewhere"))
	if db.Status != server.DraftDiscarded || db.Reason != "buying elsewhere" {
		t.Fatalf("discarded %+v", db)
	}
	for _, a := range []string{server.AuditDraftApprove, server.AuditDraftDiscard} {
		if es := must(l.AuditLog(ctx, server.AuditFilter{Action: a})); len(es) != 1 || es[0].Actor != "sue" || es[0].Warehouse != "W1" {
			t.Fatalf("audit %s: %+v", a, es)
		}
	}
	// The order is a receiving target of W1's devices.
	page := must(c.PullCatalog(ctx, "W1", 0, 1<<20))
	if !slices.ContainsFunc(page.Records.PurchaseOrders, func(o syncproto.PurchaseOrder) bool { return o.Number == po.Number }) {
		t.Fatalf("W1 does not pull %s", po.Number)
	}
	st := func() server.RuleStatus { return must(r.Rules(ctx, "W1", "A"))[0] }
	if s := st(); s.OnOrder != 18 || s.OnHand != 4 || s.Suggested != 0 {
		t.Fatalf("after approval %+v", s.Position)
	}
	ev := d.Event(syncproto.KindReceive, "A", "", "BIN-1", 10)
	ev.Ref = po.Number
	ev.Seal()
	push(t, l, d, ev)
	if s := st(); s.OnOrder != 8 || s.OnHand != 14 {
		t.Fatalf("after receiving 10: %+v", s.Position)
	}
	if a := must(c.Alerts(ctx, server.AlertFilter{Warehouse: "W1", SKU: "A", Status: server.AlertActive})); len(a) != 0 {
		t.Fatalf("the receipt clears the alert: %+v", a)
	}
}
