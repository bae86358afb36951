package ui

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// statusBar is the sync indicator on top of every screen: online or
// offline, unsynced scans and the age of the oldest, the last sync, and
// the events needing attention. Tapping it lists those events.
type statusBar struct {
	widget.BaseWidget
	u *UI

	pill      *canvas.Rectangle
	pillText  *canvas.Text
	unsynced  *canvas.Text
	lastSync  *canvas.Text
	attention *canvas.Text
	attnPill  *canvas.Rectangle
	bg        *canvas.Rectangle
	root      fyne.CanvasObject
}

func newStatusBar(u *UI) *statusBar {
	b := &statusBar{u: u}
	size := u.theme.Size(sizeStatus)
	text := func(bold bool) *canvas.Text {
		t := canvas.NewText("", u.theme.Color(theme.ColorNameForeground, 0))
		t.TextSize = size
		t.TextStyle.Bold = bold
		return t
	}
	b.bg = canvas.NewRectangle(u.theme.Color(theme.ColorNameHeaderBackground, 0))
	b.pill = canvas.NewRectangle(colOffline)
	b.pill.CornerRadius = 6
	b.pillText = text(true)
	b.unsynced = text(true)
	b.lastSync = text(false)
	b.attention = text(true)
	b.attnPill = canvas.NewRectangle(color.Transparent)
	b.attnPill.CornerRadius = 6
	line := canvas.NewRectangle(u.theme.Color(theme.ColorNameSeparator, 0))
	line.SetMinSize(fyne.NewSize(0, 1))

	pill := container.NewStack(b.pill, container.New(layout.NewCustomPaddedLayout(2, 2, 8, 8), b.pillText))
	attn := container.NewStack(b.attnPill, container.New(layout.NewCustomPaddedLayout(2, 2, 8, 8), b.attention))
	top := container.NewHBox(pill, b.unsynced)
	bottom := container.NewBorder(nil, nil, nil, attn, b.lastSync)
	content := container.New(layout.NewCustomPaddedLayout(6, 6, 10, 10), container.NewVBox(top, bottom))
	b.root = atLeast(minTouch, container.NewStack(b.bg, container.NewBorder(nil, line, nil, nil, content)))
	b.ExtendBaseWidget(b)
	return b
}

func (b *statusBar) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(b.root) }

func (b *statusBar) Tapped(*fyne.PointEvent) {
	if !b.u.status.enrolled() {
		return
	}
	b.u.show(newAttentionScreen(b.u, b.u.screen))
}

func (b *statusBar) enrolled() bool { return b.u.state.SyncStatus().Enrolled }

// refresh re-reads the sync status.
func (b *statusBar) refresh() {
	s := b.u.state.SyncStatus()
	now := b.u.opts.Now()
	fg := b.u.theme.Color(theme.ColorNameForeground, 0)
	switch {
	case !s.Enrolled:
		b.pill.FillColor, b.pillText.Text = colOffline, "NOT SET UP"
	case s.Fatal:
		b.pill.FillColor, b.pillText.Text = colBad, "REFUSED"
	case s.Online:
		b.pill.FillColor, b.pillText.Text = colGood, "ONLINE"
	default:
		b.pill.FillColor, b.pillText.Text = colOffline, "OFFLINE"
	}
	b.pillText.Color = color.White

	switch {
	case !s.Enrolled:
		b.unsynced.Text = ""
	case s.Unsynced == 0:
		b.unsynced.Text = "All scans synced"
	case s.Oldest.IsZero():
		b.unsynced.Text = plural(int64(s.Unsynced), "unsynced scan", "unsynced scans")
	default:
		b.unsynced.Text = fmt.Sprintf("%s · oldest %s", plural(int64(s.Unsynced), "unsynced", "unsynced"), age(now.Sub(s.Oldest)))
	}
	b.unsynced.Color = fg

	switch {
	case !s.Enrolled:
		b.lastSync.Text = "Not enrolled yet"
	case s.Fatal || (!s.Online && s.Problem != ""):
		b.lastSync.Text = s.Problem
	case s.LastSync.IsZero():
		b.lastSync.Text = "Never synced"
	default:
		b.lastSync.Text = "Last sync " + clock(now, s.LastSync)
	}
	b.lastSync.Color = fg

	if s.Enrolled && s.Attention > 0 {
		b.attention.Text = fmt.Sprintf("⚠ %d need attention ›", s.Attention)
		b.attention.Color = color.White
		b.attnPill.FillColor = colBad
	} else {
		b.attention.Text = ""
		b.attnPill.FillColor = color.Transparent
	}
	b.root.Refresh()
}

// clock formats a past time relative to now: "09:58" today, "2 Jan 09:58" before.
func clock(now, t time.Time) string {
	t = t.In(now.Location())
	if y, m, d := now.Date(); t.Year() == y && t.Month() == m && t.Day() == d {
		return t.Format("15:04")
	}
	return t.Format("2 Jan 15:04")
}

// attentionScreen lists the parked, rejected and cancelled events nobody
// dismissed: a supervisor's cancellation shows with its reason ("cancelled
// by sam: goods not there"); an accepted event leaves the list.
type attentionScreen struct {
	u    *UI
	back screen
	list *fyne.Container
	root fyne.CanvasObject
	msg  *widget.Label
}

func newAttentionScreen(u *UI, back screen) *attentionScreen {
	if a, ok := back.(*attentionScreen); ok {
		back = a.back
	}
	s := &attentionScreen{u: u, back: back, list: container.NewVBox(), msg: wrapped("")}
	top := container.NewVBox(heading("Needs attention"), s.msg)
	bottom := big(button("Back", theme.NavigateBackIcon(), s.close))
	s.root = container.NewBorder(container.NewPadded(top), container.NewPadded(bottom), nil, nil, container.NewVScroll(container.NewPadded(s.list)))
	s.refresh()
	return s
}

func (s *attentionScreen) close() {
	if s.back != nil {
		s.u.show(s.back)
		s.back.refresh()
		return
	}
	s.u.start()
}

func (s *attentionScreen) content() fyne.CanvasObject { return s.root }
func (s *attentionScreen) focus()                     {}

func (s *attentionScreen) refresh() {
	evs, err := s.u.state.Attention(s.u.ctx)
	s.list.RemoveAll()
	if err != nil {
		s.msg.SetText("Could not read the list: " + err.Error())
		return
	}
	var open []store.EventOutcome
	for _, e := range evs {
		if e.DismissedAt.IsZero() {
			open = append(open, e)
		}
	}
	if len(open) == 0 {
		s.msg.SetText("Nothing needs attention: the server accepted every synced scan.")
		return
	}
	s.msg.SetText("The server did not apply these scans, or a supervisor cancelled them. Dismiss each once it is dealt with.")
	for _, e := range open {
		e := e
		status := "Parked"
		imp := widget.WarningImportance
		switch e.Outcome.Status {
		case syncproto.StatusRejected:
			status, imp = "Rejected", widget.DangerImportance
		case syncproto.StatusCancelled:
			status, imp = "Cancelled", widget.DangerImportance
		}
		title := lbl(&widget.Label{Text: fmt.Sprintf("%s: %s", status, describeEvent(e.Event)), TextStyle: fyne.TextStyle{Bold: true}, Importance: imp, Wrapping: fyne.TextWrapWord})
		why := e.Outcome.Reason
		if why == "" {
			why = e.Outcome.Code
		}
		detail := wrapped(fmt.Sprintf("%s · recorded %s by %s", why, clock(s.u.opts.Now(), e.RecordedAt), e.Event.User))
		dismiss := touch(button("Dismiss", theme.ConfirmIcon(), func() {
			if err := s.u.state.Dismiss(s.u.ctx, e.Event.ID); err != nil {
				s.msg.SetText("Could not dismiss: " + err.Error())
				return
			}
			s.refresh()
			s.u.status.refresh()
		}))
		s.list.Add(container.NewBorder(nil, nil, nil, container.NewCenter(dismiss), container.NewVBox(title, detail)))
		s.list.Add(widget.NewSeparator())
	}
}

// describeEvent says what an event did, in a few words.
func describeEvent(e syncproto.Event) string {
	s := fmt.Sprintf("%s %d × %s", e.Kind, e.Qty, e.SKU)
	if e.Lot != "" {
		s += " lot " + e.Lot
	}
	switch {
	case e.From != "" && e.To != "":
		s += fmt.Sprintf(" %s → %s", e.From, e.To)
	case e.To != "":
		s += " → " + e.To
	case e.From != "":
		s += " from " + e.From
	}
	if e.Ref != "" {
		s += " (" + e.Ref + ")"
	}
	return s
}
