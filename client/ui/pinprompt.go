package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// needsPIN: the server wants the supervisor's PIN, which the app keeps in
// memory only: after a restart (ErrPINRequired), or after the server
// refused the one kept (ErrWrongPIN: the app forgot it).
func needsPIN(err error) bool {
	return errors.Is(err, app.ErrPINRequired) || errors.Is(err, app.ErrWrongPIN)
}

// supervise runs a user-level server request (a supervisor's decision,
// a picker asking for the next list) off the UI goroutine and hands
// its error to done on the UI goroutine. When the app wants the PIN
// again, a PIN pad asks for it and the request is retried; cancelling the
// pad hands done the original error.
func (u *UI) supervise(call func() error, done func(error)) {
	u.async(func() {
		err := call()
		fyne.Do(func() {
			if needsPIN(err) {
				u.askPIN(func() { u.supervise(call, done) }, func() { done(err) })
				return
			}
			done(err)
		})
	})
}

// pinPrompt is the PIN pad a supervisor's request opens when the app
// needs the PIN again.
type pinPrompt struct {
	u      *UI
	entry  *widget.Entry
	errMsg *widget.Label
	ok     *widget.Button
	dlg    *dialog.CustomDialog
	retry  func()
	cancel func()
	done   bool
}

// askPIN opens the PIN pad: a confirmed PIN runs retry, Cancel runs
// cancel.
func (u *UI) askPIN(retry, cancel func()) {
	p := &pinPrompt{u: u, retry: retry, cancel: cancel}
	p.entry = widget.NewPasswordEntry()
	p.entry.SetPlaceHolder("PIN")
	p.entry.OnSubmitted = func(string) { p.submit() }
	p.errMsg = lbl(&widget.Label{Importance: widget.DangerImportance, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord})
	p.errMsg.Hide()
	keys := container.NewGridWithColumns(3)
	for _, k := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"} {
		k := k
		b := btn(&widget.Button{Text: k, OnTapped: func() { p.key(k) }})
		if k == "OK" {
			b.Importance = widget.HighImportance
			p.ok = b
		}
		keys.Add(atLeast(60, b))
	}
	name := u.user.Name
	if name == "" {
		name = u.user.Code
	}
	body := container.NewVBox(
		wrapped("The server needs "+name+"'s PIN to act for them. Enter it again."),
		touch(p.entry), p.errMsg, keys)
	p.dlg = dialog.NewCustomWithoutButtons("PIN", body, u.win)
	p.dlg.SetButtons([]fyne.CanvasObject{touch(button("Cancel", theme.CancelIcon(), p.close))})
	p.dlg.Resize(fyne.NewSize(min(u.win.Canvas().Size().Width-20, 420), 0))
	u.pin = p
	p.dlg.Show()
	u.win.Canvas().Focus(p.entry)
}

func (p *pinPrompt) key(k string) {
	switch k {
	case "OK":
		p.submit()
		return
	case "⌫":
		if t := p.entry.Text; t != "" {
			p.entry.SetText(t[:len(t)-1])
		}
	default:
		if len(p.entry.Text) < 8 {
			p.entry.SetText(p.entry.Text + k)
		}
	}
	p.u.win.Canvas().Focus(p.entry)
}

// submit gives the app the PIN; a wrong one keeps the pad open.
func (p *pinPrompt) submit() {
	pin := p.entry.Text
	if pin == "" || p.ok.Disabled() {
		return
	}
	p.entry.SetText("")
	p.ok.Disable()
	say(p.errMsg, "Checking…")
	p.u.async(func() {
		err := p.u.state.ConfirmPIN(p.u.ctx, pin)
		fyne.Do(func() { p.checked(err) })
	})
}

func (p *pinPrompt) checked(err error) {
	p.ok.Enable()
	if err != nil {
		msg := p.u.failure("check the PIN", err).Detail
		if errors.Is(err, app.ErrWrongPIN) {
			msg = "Wrong PIN. Try again."
		}
		say(p.errMsg, msg)
		p.u.opts.Feedback.Bad()
		p.u.win.Canvas().Focus(p.entry)
		return
	}
	p.done = true
	p.dlg.Hide()
	p.u.pin = nil
	p.u.opts.Feedback.Good()
	p.retry()
}

// close cancels the request that wanted the PIN.
func (p *pinPrompt) close() {
	if p.done {
		return
	}
	p.done = true
	p.dlg.Hide()
	p.u.pin = nil
	p.cancel()
}
