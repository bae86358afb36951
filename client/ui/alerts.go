package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// lowStockText is the home banner's text for n active alerts.
func lowStockText(n int) string {
	return plural(int64(n), "SKU", "SKUs") + " below the reorder point ›"
}

// alertsScreen lists the warehouse's active low-stock alerts: each SKU
// with its available stock against the reorder point, what is on order
// and what to order. The alerts come with the catalog, so the list works
// offline; Replenishment opens the supervisor's purchase-order drafts.
type alertsScreen struct {
	u      *UI
	msg    *widget.Label
	list   *fyne.Container
	drafts *widget.Button
	root   fyne.CanvasObject
	alerts []app.LowStockAlert
}

func newAlertsScreen(u *UI) *alertsScreen {
	s := &alertsScreen{u: u, list: container.NewVBox()}
	s.msg = wrapped("")
	s.drafts = button("Replenishment", theme.DocumentCreateIcon(), func() { u.show(newSupervisorScreenAt(u, tabReplenishment)) })
	s.drafts.Importance = widget.HighImportance
	header := container.NewBorder(nil, nil, touch(button("Home", theme.HomeIcon(), u.home)), nil, heading("Low stock"))
	s.root = container.NewBorder(container.NewPadded(container.NewVBox(header, s.msg)),
		container.NewPadded(big(s.drafts)), nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(s.list))))
	showIf(s.drafts, isSupervisor(u.user))
	s.refresh()
	return s
}

func (s *alertsScreen) content() fyne.CanvasObject { return s.root }
func (s *alertsScreen) focus()                     {}

// refresh reads the alerts from the device (a sync may have raised or
// cleared some).
func (s *alertsScreen) refresh() {
	as, err := s.u.state.Alerts(s.u.ctx)
	s.list.RemoveAll()
	defer relayout(s.root)
	if err != nil {
		s.msg.Importance = widget.DangerImportance
		s.msg.SetText(s.u.failure("read the low-stock alerts", err).Detail)
		return
	}
	s.alerts = as
	s.msg.Importance = widget.MediumImportance
	if len(as) == 0 {
		s.msg.Importance = widget.SuccessImportance
		s.msg.SetText("No SKU is below its reorder point.")
		return
	}
	s.msg.SetText(fmt.Sprintf("%s below the reorder point, the furthest below first. The alerts come with the catalog, so this list works offline.",
		plural(int64(len(as)), "SKU is", "SKUs are")))
	s.list.Layout = cardColumns(s.u)
	for _, a := range as {
		s.list.Add(s.card(a))
	}
}

// card is one alert: the SKU, then its four figures side by side.
func (s *alertsScreen) card(a app.LowStockAlert) fyne.CanvasObject {
	title := lbl(&widget.Label{Text: a.SKU + " · " + a.Name, TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis})
	raised := lbl(&widget.Label{Text: "since " + clock(s.u.opts.Now(), a.RaisedAt), SizeName: theme.SizeNameCaptionText})
	figures := container.NewGridWithColumns(4,
		figure("Available", a.Available, widget.DangerImportance),
		figure("Reorder pt", a.ReorderPoint, widget.MediumImportance),
		figure("On order", a.OnOrder, widget.MediumImportance),
		figure("Suggested", a.Suggested, widget.HighImportance))
	return newCard(s.u.theme, container.NewVBox(container.NewBorder(nil, nil, nil, raised, title), figures))
}

// figure is a caption over a large number.
func figure(caption string, n int64, imp widget.Importance) fyne.CanvasObject {
	c := lbl(&widget.Label{Text: caption, SizeName: theme.SizeNameCaptionText, Alignment: fyne.TextAlignCenter, Truncation: fyne.TextTruncateEllipsis})
	v := lbl(&widget.Label{Text: fmt.Sprint(n), SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}, Alignment: fyne.TextAlignCenter, Importance: imp})
	return container.New(layout.NewVBoxLayout(), c, v)
}
