package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// homeScreen offers the workflows the signed-in user may run.
type homeScreen struct {
	u       *UI
	receive *widget.Button
	putaway *widget.Button
	returns *widget.Button
	signOut *widget.Button
	note    *widget.Label
	hello   *widget.Label
	root    fyne.CanvasObject
}

func newHomeScreen(u *UI) *homeScreen {
	s := &homeScreen{u: u}
	s.hello = heading("")
	s.note = wrapped("")
	s.receive = button("Receive", theme.DownloadIcon(), s.openReceiving)
	s.receive.Importance = widget.HighImportance
	s.putaway = button("Put away", theme.MoveDownIcon(), func() { u.show(newPutawayScreen(u)) })
	s.returns = button("Returns", theme.MailReplyIcon(), func() { u.show(newReturnsScreen(u)) })
	s.signOut = button("Sign out", theme.LogoutIcon(), u.signOut)
	for _, b := range []*widget.Button{s.receive, s.putaway, s.returns, s.signOut} {
		b.Alignment = widget.ButtonAlignLeading
	}
	actions := container.NewVBox(big(s.receive), big(s.putaway), big(s.returns))
	s.root = container.NewBorder(
		container.NewPadded(container.NewVBox(s.hello, s.note)),
		container.NewPadded(big(s.signOut)), nil, nil,
		container.NewVScroll(container.NewPadded(limitWidth(640, actions))))
	s.refresh()
	return s
}

func (s *homeScreen) content() fyne.CanvasObject { return s.root }
func (s *homeScreen) focus()                     {}

func (s *homeScreen) refresh() {
	_, wh, _ := s.u.state.Warehouse(s.u.ctx)
	s.hello.SetText("Hello, " + s.u.user.Name)
	note := ""
	if wh != "" {
		note = "Warehouse: " + wh
	}
	s.receive.SetText("Receive")
	if canReceive(s.u.user) {
		if r, ok, err := s.u.state.ActiveReceipt(s.u.ctx); err == nil && ok {
			s.receive.SetText("Resume receipt " + r.PO())
		}
		for _, b := range []*widget.Button{s.receive, s.putaway, s.returns} {
			b.Enable()
		}
	} else {
		for _, b := range []*widget.Button{s.receive, s.putaway, s.returns} {
			b.Disable()
		}
		note += "\nReceiving, put-away and returns need the receiver or supervisor role."
	}
	s.note.SetText(note)
}

func (s *homeScreen) openReceiving() {
	if r, ok, err := s.u.state.ActiveReceipt(s.u.ctx); err == nil && ok {
		s.u.show(newReceiptScreen(s.u, r))
		return
	}
	s.u.show(newChoosePOScreen(s.u))
}

// signOut forgets the user; the unsynced scans stay in the outbox and keep
// syncing, and an open receipt waits for its user.
func (u *UI) signOut() {
	if err := u.state.SignOut(u.ctx); err != nil {
		u.opts.Log.Error("sign out", "err", err)
	}
	name := u.user.Name
	u.user = app.User{}
	u.notice = name + " signed out."
	if n := u.state.SyncStatus().Unsynced; n > 0 {
		u.notice = fmt.Sprintf("%s signed out. %s stay on this scanner and keep syncing.", name, plural(int64(n), "unsynced scan", "unsynced scans"))
	}
	u.show(newSignInScreen(u))
}
