package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// homeScreen offers the workflows the signed-in user may run: the work
// left open (a receipt, a pick list) on top, then the workflows two by two.
type homeScreen struct {
	u             *UI
	resumeReceipt *widget.Button
	resumePick    *widget.Button
	resumeCount   *widget.Button
	receive       *widget.Button
	putaway       *widget.Button
	returns       *widget.Button
	pick          *widget.Button
	move          *widget.Button
	transfers     *widget.Button
	count         *widget.Button
	supervisor    *widget.Button
	signOut       *widget.Button
	lowStock      *widget.Button // the supervisor's low-stock banner
	// The containers that hide the buttons shown to some only.
	resumeReceiptRow, resumePickRow, resumeCountRow, supervisorCell, lowStockRow fyne.CanvasObject
	note                                                                         *widget.Label
	hello                                                                        *widget.Label
	root                                                                         fyne.CanvasObject
}

func newHomeScreen(u *UI) *homeScreen {
	s := &homeScreen{u: u}
	s.hello = heading("")
	s.note = wrapped("")
	s.resumeReceipt = button("", theme.DownloadIcon(), s.openReceiving)
	s.resumePick = button("", theme.ListIcon(), s.openPicking)
	s.resumeCount = button("", theme.GridIcon(), s.openCounting)
	s.receive = button("Receive", theme.DownloadIcon(), s.openReceiving)
	s.putaway = button("Put away", theme.MoveDownIcon(), func() { u.show(newPutawayScreen(u)) })
	s.returns = button("Returns", theme.MailReplyIcon(), func() { u.show(newReturnsScreen(u)) })
	s.pick = button("Pick", theme.ListIcon(), s.openPicking)
	s.move = button("Move", theme.ViewRefreshIcon(), func() { u.show(newMoveScreen(u, u.state.StartMove(), "Move", nil)) })
	s.transfers = button("Transfers", theme.UploadIcon(), func() { u.show(newTransfersScreen(u)) })
	s.count = button("Count", theme.GridIcon(), s.openCounting)
	s.supervisor = button("Supervisor", theme.WarningIcon(), func() { u.show(newSupervisorScreen(u)) })
	s.signOut = button("Sign out", theme.LogoutIcon(), u.signOut)
	s.lowStock = button("", theme.WarningIcon(), func() { u.show(newAlertsScreen(u)) })
	s.lowStock.Importance = widget.WarningImportance
	for _, b := range []*widget.Button{s.lowStock, s.resumeReceipt, s.resumePick, s.resumeCount, s.receive, s.putaway, s.returns, s.pick, s.move, s.transfers, s.count, s.supervisor, s.signOut} {
		b.Alignment = widget.ButtonAlignLeading
	}
	s.resumeReceipt.Importance, s.resumePick.Importance, s.resumeCount.Importance = widget.HighImportance, widget.HighImportance, widget.HighImportance
	// Two by two with short labels: eight workflows fit a handheld
	// without scrolling.
	grid := container.NewGridWithColumns(2)
	for _, b := range []*widget.Button{s.receive, s.putaway, s.returns, s.pick, s.move, s.transfers, s.count} {
		grid.Add(big(b))
	}
	s.supervisorCell = big(s.supervisor)
	grid.Add(s.supervisorCell)
	s.resumeReceiptRow, s.resumePickRow, s.resumeCountRow = big(s.resumeReceipt), big(s.resumePick), big(s.resumeCount)
	s.lowStockRow = touch(s.lowStock)
	actions := container.NewVBox(s.lowStockRow, s.resumeReceiptRow, s.resumePickRow, s.resumeCountRow, grid)
	s.root = container.NewBorder(
		container.NewPadded(container.NewVBox(s.hello, s.note)),
		container.NewPadded(big(s.signOut)), nil, nil,
		container.NewVScroll(container.NewPadded(limitWidth(720, actions))))
	s.refresh()
	return s
}

func (s *homeScreen) content() fyne.CanvasObject { return s.root }
func (s *homeScreen) focus()                     {}

func (s *homeScreen) refresh() {
	_, wh, _ := s.u.state.Warehouse(s.u.ctx)
	user := s.u.user
	s.hello.SetText("Hello, " + user.Name)
	note := ""
	if wh != "" {
		note = "Warehouse: " + wh
	}
	receipt, pick, count := "", "", ""
	if canReceive(user) {
		if r, ok, err := s.u.state.ActiveReceipt(s.u.ctx); err == nil && ok {
			receipt = r.PO()
		}
	}
	if canPick(user) {
		if p, ok, err := s.u.state.ActivePicking(s.u.ctx); err == nil && ok {
			if st, err := p.State(s.u.ctx); err == nil {
				pick = st.List
			}
		}
	}
	if canCount(user) {
		if c, ok, err := s.u.state.ActiveCount(s.u.ctx); err == nil && ok {
			count = c.Task().Location
		}
	}
	s.resumeReceipt.SetText("Resume receipt " + receipt)
	s.resumeCount.SetText("Resume count of " + count)
	showIf(s.resumeCountRow, count != "")
	s.resumePick.SetText("Resume pick list " + pick)
	showIf(s.resumeReceiptRow, receipt != "")
	showIf(s.resumePickRow, pick != "")
	for _, b := range []*widget.Button{s.receive, s.putaway, s.returns} {
		enable(b, canReceive(user))
	}
	enable(s.pick, canPick(user))
	enable(s.move, canMove(user))
	enable(s.transfers, canMove(user))
	enable(s.count, canCount(user))
	showIf(s.supervisorCell, isSupervisor(user))
	// Supervisors see how many SKUs are below their reorder point; the
	// alerts come with the catalog, so offline too.
	alerts := 0
	if isSupervisor(user) {
		if as, err := s.u.state.Alerts(s.u.ctx); err == nil {
			alerts = len(as)
		} else {
			s.u.opts.Log.Error("read low-stock alerts", "err", err)
		}
	}
	s.lowStock.SetText(lowStockText(alerts))
	showIf(s.lowStockRow, alerts > 0)
	// One primary action: the open work, else the main workflow of the
	// user's roles.
	s.receive.Importance, s.pick.Importance, s.count.Importance = widget.MediumImportance, widget.MediumImportance, widget.MediumImportance
	switch {
	case receipt != "" || pick != "" || count != "":
	case canReceive(user):
		s.receive.Importance = widget.HighImportance
	case canPick(user):
		s.pick.Importance = widget.HighImportance
	case canCount(user) && !isSupervisor(user):
		s.count.Importance = widget.HighImportance
	}
	s.receive.Refresh()
	s.pick.Refresh()
	s.count.Refresh()
	if !canReceive(user) {
		note += "\nReceiving, put-away and returns need the receiver or supervisor role."
	}
	s.note.SetText(note)
}

func (s *homeScreen) openPicking() {
	if p, ok, err := s.u.state.ActivePicking(s.u.ctx); err == nil && ok {
		s.u.show(newPickScreen(s.u, p))
		return
	}
	s.u.show(newPickListsScreen(s.u))
}

func (s *homeScreen) openCounting() {
	if c, ok, err := s.u.state.ActiveCount(s.u.ctx); err == nil && ok {
		s.u.show(newCountScreen(s.u, c))
		return
	}
	s.u.show(newCountTasksScreen(s.u))
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
