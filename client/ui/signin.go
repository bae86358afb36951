package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// signInScreen lists the users as big buttons; choosing one opens the PIN
// pad.
type signInScreen struct {
	u      *UI
	users  *fyne.Container
	msg    *widget.Label
	root   fyne.CanvasObject
	header *widget.Label
}

func newSignInScreen(u *UI) *signInScreen {
	s := &signInScreen{u: u, users: container.NewVBox(), msg: wrapped("")}
	s.header = heading("Who is scanning?")
	s.root = container.NewBorder(container.NewPadded(container.NewVBox(s.header, s.msg)), nil, nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(s.users))))
	s.refresh()
	return s
}

func (s *signInScreen) content() fyne.CanvasObject { return s.root }
func (s *signInScreen) focus()                     {}

func (s *signInScreen) refresh() {
	_, wh, _ := s.u.state.Warehouse(s.u.ctx)
	users, err := s.u.state.Users(s.u.ctx)
	s.users.RemoveAll()
	msg := s.u.notice
	if wh != "" && msg == "" {
		msg = "Sign in to scan at " + wh + "."
	}
	switch {
	case err != nil:
		msg = "Could not read the users: " + err.Error()
	case len(users) == 0:
		msg = "No users yet. They arrive with the catalog once the scanner syncs."
	}
	s.msg.SetText(msg)
	s.msg.Importance = widget.MediumImportance
	if s.u.notice != "" {
		s.msg.Importance = widget.WarningImportance
	}
	s.msg.Refresh()
	if s.u.win.Canvas().Size().Width > wideWidth {
		s.users.Layout = layout.NewGridLayoutWithColumns(3)
	}
	for _, usr := range users {
		usr := usr
		b := button(usr.Name, theme.AccountIcon(), func() { s.u.show(newPINScreen(s.u, usr)) })
		b.Alignment = widget.ButtonAlignLeading
		s.users.Add(big(b))
	}
}

// pinScreen is the PIN pad for one user: large keys, the PIN shown as
// dots, an error on a wrong PIN. A keyboard works too.
type pinScreen struct {
	u      *UI
	user   app.User
	entry  *widget.Entry
	errMsg *widget.Label
	root   fyne.CanvasObject
}

func newPINScreen(u *UI, user app.User) *pinScreen {
	s := &pinScreen{u: u, user: user}
	s.entry = widget.NewPasswordEntry()
	s.entry.SetPlaceHolder("PIN")
	s.entry.OnSubmitted = func(string) { s.submit() }
	s.errMsg = lbl(&widget.Label{Importance: widget.DangerImportance, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord})
	keys := container.NewGridWithColumns(3)
	for _, k := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"} {
		k := k
		b := btn(&widget.Button{OnTapped: func() { s.key(k) }})
		switch k {
		case "OK":
			b.Text, b.Importance = k, widget.HighImportance
		case "⌫":
			b.Icon = theme.ContentClearIcon()
		}
		keys.Add(atLeast(76, container.NewStack(b, keyLabel(k))))
	}
	top := container.NewVBox(
		container.NewBorder(nil, nil, touch(button("Back", theme.NavigateBackIcon(), func() { u.show(newSignInScreen(u)) })), nil),
		heading(user.Name),
		widget.NewLabel("Enter your PIN"),
		touch(s.entry),
		s.errMsg,
	)
	s.root = container.NewPadded(limitWidth(480, container.NewBorder(top, nil, nil, nil, keys)))
	return s
}

// keyLabel is a PIN key's text, larger than a button's.
func keyLabel(k string) fyne.CanvasObject {
	if k == "OK" || k == "⌫" {
		return container.NewStack()
	}
	return container.NewCenter(lbl(&widget.Label{Text: k, SizeName: sizeKey, TextStyle: fyne.TextStyle{Bold: true}}))
}

func (s *pinScreen) content() fyne.CanvasObject { return s.root }
func (s *pinScreen) refresh()                   {}
func (s *pinScreen) focus()                     { s.u.win.Canvas().Focus(s.entry) }

func (s *pinScreen) key(k string) {
	switch k {
	case "OK":
		s.submit()
	case "⌫":
		if t := s.entry.Text; t != "" {
			s.entry.SetText(t[:len(t)-1])
		}
	default:
		if len(s.entry.Text) < 8 {
			s.entry.SetText(s.entry.Text + k)
		}
	}
	s.focus()
}

func (s *pinScreen) submit() {
	pin := s.entry.Text
	s.entry.SetText("")
	if pin == "" {
		s.focus()
		return
	}
	user, err := s.u.state.SignIn(s.u.ctx, s.user.Code, pin)
	if err != nil {
		s.u.opts.Log.Info("sign in refused", "user", s.user.Code, "err", err)
		var ae *app.Error
		switch {
		case errors.Is(err, app.ErrWrongPIN):
			s.errMsg.SetText("Wrong PIN. Try again.")
		case errors.As(err, &ae):
			s.errMsg.SetText(ae.Message + ".")
		default:
			s.errMsg.SetText("Could not sign in: " + err.Error())
		}
		s.u.opts.Feedback.Bad()
		s.focus()
		return
	}
	s.u.user = user
	s.u.notice = ""
	s.u.opts.Feedback.Good()
	s.u.start()
}
