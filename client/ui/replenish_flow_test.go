package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/driftless/driftless/client/store"

	"github.com/driftless/driftless/syncproto"
)

// TestFlowLowStockAlerts over the real app state and device store: the
// alerts the catalog brought (a cleared one aside) show on the
// supervisor's home and in the Low stock list, most urgent first, with
// the SKUs' names, on a scanner that has never reached its server; the
// drafts, which live on the server, say what to do instead.
func TestFlowLowStockAlerts(t *testing.T) {
	cat := countCatalog(t)
	cat.Alerts = []syncproto.Alert{
		{ID: "AL-2", SKU: "B", Available: 8, ReorderPoint: 10, OnOrder: 0, Suggested: 6, Status: "active", RaisedAt: "2026-05-31T08:00:00Z", Position: 1},
		{ID: "AL-1", SKU: "A", Available: 3, ReorderPoint: 10, OnOrder: 4, Suggested: 12, Status: "active", RaisedAt: "2026-05-30T15:00:00Z", Position: 1},
		{ID: "AL-3", SKU: "X", Available: 40, ReorderPoint: 10, Status: "cleared", RaisedAt: "2026-05-29T15:00:00Z", Position: 1},
	}
	d := newDeviceWith(t, cat, store.SyncNormal, []syncproto.Level{{Location: "B1", SKU: "A", Qty: 3, Position: 1}})

	// A counter sees no banner.
	d.signIn("Cal", "3333")
	if screenAs[*homeScreen](t, d.u).lowStockRow.Visible() {
		t.Fatal("a counter sees the low-stock banner")
	}
	d.u.signOut()

	d.signIn("Sue", "4444")
	h := screenAs[*homeScreen](t, d.u)
	if !h.lowStockRow.Visible() || h.lowStock.Text != "2 SKUs below the reorder point ›" {
		t.Fatalf("banner: visible %v, %q", h.lowStockRow.Visible(), h.lowStock.Text)
	}
	test.Tap(h.lowStock)
	s := screenAs[*alertsScreen](t, d.u)
	text := strings.Join(widgetTexts(s.list), "|")
	a := strings.Index(text, "A · Apples|")
	b := strings.Index(text, "B · Bananas|")
	if a < 0 || b < a || strings.Contains(text, "Xylophone") {
		t.Fatalf("alerts (A before B, no X):\n%s", text)
	}
	if !strings.Contains(text, "A · Apples|since 30 May 15:00|Available|3|Reorder pt|10|On order|4|Suggested|12") {
		t.Errorf("A's figures:\n%s", text)
	}

	test.Tap(s.drafts)
	area := screenAs[*supervisorScreen](t, d.u)
	if msg := area.drafts.msg.Text; !strings.Contains(msg, "offline") || !strings.Contains(msg, "Reload") || len(area.drafts.list.Objects) != 0 {
		t.Errorf("drafts without a server: %q", msg)
	}
}
