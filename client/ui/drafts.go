package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// draftsPanel is the supervisor's purchase-order drafts, one per
// supplier, read from the server: each line with the suggested quantity,
// the quantity to order (tap to change it on a keypad), its value and
// why it is suggested; Approve turns a draft into an open purchase order,
// Discard drops it after asking.
type draftsPanel struct {
	u    *UI
	msg  *widget.Label
	list *fyne.Container
	root fyne.CanvasObject

	generate *widget.Button
	drafts   []app.PODraft
	approved string // the number of the last purchase order approved
	confirm  dialog.Dialog
}

func newDraftsPanel(u *UI) *draftsPanel {
	s := &draftsPanel{u: u, list: container.NewVBox()}
	s.msg = wrapped("")
	s.generate = button("New drafts", theme.ContentAddIcon(), s.regenerate)
	top := fyne.CanvasObject(container.NewVBox(s.msg, touch(s.generate)))
	if s.wide() {
		top = container.NewBorder(nil, nil, nil, container.NewVBox(touch(s.generate)), s.msg)
	}
	s.root = container.NewBorder(container.NewPadded(top), nil, nil, nil,
		container.NewVScroll(container.NewPadded(s.list)))
	return s
}

// regenerate asks the server for fresh drafts from the current
// suggestions (it replaces the open ones), after asking when there are
// drafts already.
func (s *draftsPanel) regenerate() {
	run := func() {
		s.setMsg("Making drafts from the current suggestions…", widget.MediumImportance)
		var ds []app.PODraft
		s.u.supervise(func() (err error) {
			ds, err = s.u.state.GeneratePODrafts(s.u.ctx)
			return err
		}, func(err error) {
			if err != nil {
				s.failed("make the drafts", err)
				return
			}
			s.drafts = ds
			s.render()
			s.summary()
		})
	}
	if len(s.drafts) == 0 {
		run()
		return
	}
	s.confirm = dialog.NewConfirm("Replace the drafts?",
		"New drafts are made from the current suggestions; the open drafts and the quantities changed in them are replaced.",
		func(ok bool) {
			s.confirm = nil
			if ok {
				run()
			}
		}, s.u.win)
	s.confirm.Show()
}

func (s *draftsPanel) setMsg(text string, imp widget.Importance) {
	s.msg.Text, s.msg.Importance = text, imp
	relayout(s.root)
}

// load reads the drafts from the server, off the UI goroutine.
func (s *draftsPanel) load() {
	s.setMsg("Reading the purchase-order drafts from the server…", widget.MediumImportance)
	var ds []app.PODraft
	s.u.supervise(func() (err error) {
		ds, err = s.u.state.PODrafts(s.u.ctx)
		return err
	}, func(err error) {
		if err != nil {
			s.drafts = nil
			s.render()
			s.setMsg(s.u.offlineText("the purchase-order drafts", err), widget.DangerImportance)
			return
		}
		s.drafts = ds
		s.render()
		s.summary()
	})
}

// summary says what the drafts hold and what to do with them.
func (s *draftsPanel) summary() {
	if len(s.drafts) == 0 {
		s.setMsg("No purchase-order drafts. New drafts makes one per supplier from the current suggestions.", widget.MediumImportance)
		return
	}
	var value int64
	for _, d := range s.drafts {
		value += d.Value
	}
	s.setMsg(fmt.Sprintf("%s, %s in all. Tap a quantity to change it; Approve makes the purchase order, which the scanners receive against.",
		plural(int64(len(s.drafts)), "draft", "drafts"), money(value)), widget.MediumImportance)
}

func (s *draftsPanel) render() {
	s.list.RemoveAll()
	for _, d := range s.drafts {
		s.list.Add(s.card(d))
	}
	s.list.Refresh()
}

// wide: a laptop's window shows the lines as a table.
func (s *draftsPanel) wide() bool { return s.u.win.Canvas().Size().Width > wideWidth }

// card is one draft: the supplier and value, the lines, Approve and
// Discard.
func (s *draftsPanel) card(d app.PODraft) fyne.CanvasObject {
	title := lbl(&widget.Label{Text: cmpOr(d.Name, d.Supplier), SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis})
	value := lbl(&widget.Label{Text: money(d.Value), SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}})
	sub := lbl(&widget.Label{Text: fmt.Sprintf("Draft %s · %s · %s", d.ID, d.Supplier, plural(int64(len(d.Lines)), "line", "lines")),
		SizeName: theme.SizeNameCaptionText, Truncation: fyne.TextTruncateEllipsis})
	box := container.NewVBox(container.NewBorder(nil, nil, nil, value, title), sub)
	wide := s.wide()
	if wide {
		box.Add(draftHeader())
	}
	for i, l := range d.Lines {
		if i > 0 || !wide {
			box.Add(separator(s.u.theme))
		}
		box.Add(s.line(d, l, wide))
	}
	approve := button("Approve", theme.ConfirmIcon(), func() { s.approve(d) })
	approve.Importance = widget.HighImportance
	discard := button("Discard…", theme.DeleteIcon(), func() { s.discard(d) })
	discard.Importance = widget.DangerImportance
	if len(d.Lines) == 0 {
		approve.Disable()
	}
	buttons := container.NewGridWithColumns(2, touch(discard), touch(approve))
	if wide {
		buttons = container.NewGridWithColumns(4, layoutSpacer(), layoutSpacer(), touch(discard), touch(approve))
	}
	box.Add(buttons)
	return newCard(s.u.theme, box)
}

func layoutSpacer() fyne.CanvasObject { return canvas.NewRectangle(color.Transparent) }

func separator(th fyne.Theme) fyne.CanvasObject {
	r := canvas.NewRectangle(th.Color(theme.ColorNameSeparator, 0))
	r.SetMinSize(fyne.NewSize(0, 1))
	return r
}

// draftColumns are the weights of a laptop's draft table: item, quantity,
// suggested, unit cost, value.
var draftColumns = []float32{5, 1.6, 1.2, 1.2, 1.4}

func draftHeader() fyne.CanvasObject {
	row := container.New(weightedRow{draftColumns})
	for i, h := range []string{"Item · why", "Qty", "Suggested", "Unit cost", "Value"} {
		l := lbl(&widget.Label{Text: h, TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameCaptionText})
		if i > 0 {
			l.Alignment = fyne.TextAlignTrailing
		}
		if i == 1 {
			l.Alignment = fyne.TextAlignCenter
		}
		row.Add(l)
	}
	return row
}

// line is one draft line: on a laptop a table row, on a handheld the
// item, then the quantity button beside the figures, then why.
func (s *draftsPanel) line(d app.PODraft, l app.DraftLine, wide bool) fyne.CanvasObject {
	qty := button(fmt.Sprint(l.Qty), theme.DocumentCreateIcon(), func() { s.editQty(d, l) })
	if l.Qty != l.Suggested {
		qty.Importance = widget.WarningImportance
	}
	item := lbl(&widget.Label{Text: l.SKU + " · " + l.Name, TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis})
	why := lbl(&widget.Label{Text: l.Why, SizeName: theme.SizeNameCaptionText, Wrapping: fyne.TextWrapWord})
	value := l.Qty * l.UnitCost
	if wide {
		num := func(s string) *widget.Label {
			return lbl(&widget.Label{Text: s, Alignment: fyne.TextAlignTrailing})
		}
		return container.New(weightedRow{draftColumns},
			container.NewVBox(item, why), container.NewVBox(touch(qty)),
			container.NewVBox(num(fmt.Sprint(l.Suggested))), container.NewVBox(num(money(l.UnitCost))),
			container.NewVBox(lbl(&widget.Label{Text: money(value), Alignment: fyne.TextAlignTrailing, TextStyle: fyne.TextStyle{Bold: true}})))
	}
	figs := wrapped(fmt.Sprintf("suggested %d\n%s each", l.Suggested, money(l.UnitCost)))
	total := lbl(&widget.Label{Text: money(value), TextStyle: fyne.TextStyle{Bold: true}})
	return container.NewVBox(item, container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(110, minTouch), qty), total, figs), why)
}

// editQty asks for a line's quantity on the keypad and sends it; 0
// removes the line.
func (s *draftsPanel) editQty(d app.PODraft, l app.DraftLine) {
	s.u.askQty(fmt.Sprintf("Order how many %s? (0 removes the line)", l.SKU), func(n int64) {
		if n == l.Qty {
			return
		}
		var nd app.PODraft
		s.setMsg(fmt.Sprintf("Saving %d × %s…", n, l.SKU), widget.MediumImportance)
		s.u.supervise(func() (err error) {
			nd, err = s.u.state.UpdatePODraft(s.u.ctx, d.ID, map[string]int64{l.SKU: n})
			return err
		}, func(err error) {
			if err != nil {
				s.failed("change the quantity", err)
				return
			}
			s.replace(nd)
			s.u.opts.Feedback.Good()
			s.summary()
		})
	})
}

func (s *draftsPanel) failed(op string, err error) {
	fb := s.u.failure(op, err)
	s.setMsg(fb.Title+": "+fb.Detail, widget.DangerImportance)
	s.u.signal(app.Bad)
}

// replace puts a draft the server sent back in place of its old copy.
func (s *draftsPanel) replace(nd app.PODraft) {
	for i, d := range s.drafts {
		if d.ID == nd.ID {
			s.drafts[i] = nd
		}
	}
	s.render()
}

func (s *draftsPanel) remove(id string) {
	for i, d := range s.drafts {
		if d.ID == id {
			s.drafts = append(s.drafts[:i:i], s.drafts[i+1:]...)
			break
		}
	}
	s.render()
}

// approve turns the draft into an open purchase order and shows its
// number.
func (s *draftsPanel) approve(d app.PODraft) {
	var number string
	s.setMsg("Approving the draft for "+cmpOr(d.Name, d.Supplier)+"…", widget.MediumImportance)
	s.u.supervise(func() (err error) {
		number, err = s.u.state.ApprovePODraft(s.u.ctx, d.ID)
		return err
	}, func(err error) {
		if err != nil {
			s.failed("approve the draft", err)
			return
		}
		s.approved = number
		s.remove(d.ID)
		s.u.opts.Feedback.Good()
		text := fmt.Sprintf("Purchase order %s is open: %s to %s, %s. The scanners receive against it after their next sync.",
			number, plural(int64(len(d.Lines)), "line", "lines"), cmpOr(d.Name, d.Supplier), money(d.Value))
		s.setMsg(text, widget.SuccessImportance)
		dialog.ShowInformation("Approved: "+number, text, s.u.win)
	})
}

// discard asks, then discards the draft.
func (s *draftsPanel) discard(d app.PODraft) {
	s.confirm = dialog.NewConfirm("Discard the draft?",
		fmt.Sprintf("The draft for %s (%s, %s) is dropped. Nothing is ordered; the next drafts are made from the suggestions again.",
			cmpOr(d.Name, d.Supplier), plural(int64(len(d.Lines)), "line", "lines"), money(d.Value)),
		func(ok bool) {
			s.confirm = nil
			if !ok {
				return
			}
			s.u.supervise(func() error { return s.u.state.DiscardPODraft(s.u.ctx, d.ID) }, func(err error) {
				if err != nil {
					s.failed("discard the draft", err)
					return
				}
				s.remove(d.ID)
				s.summary()
			})
		}, s.u.win)
	s.confirm.Show()
}

// weightedRow lays its objects out in a row, sharing the width by
// weights (a table's columns: rows with the same weights line up).
type weightedRow struct{ weights []float32 }

func (l weightedRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	var total float32
	for i := range objs {
		total += l.weight(i)
	}
	avail := size.Width - pad*float32(max(0, len(objs)-1))
	x := float32(0)
	for i, o := range objs {
		w := avail * l.weight(i) / total
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos(x, 0))
		x += w + pad
	}
}

func (l weightedRow) weight(i int) float32 {
	if i < len(l.weights) {
		return l.weights[i]
	}
	return 1
}

func (l weightedRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		s.Height = max(s.Height, m.Height)
		s.Width += m.Width
		if i > 0 {
			s.Width += theme.Padding()
		}
	}
	return s
}
