package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// canPick: picking needs the picker or the supervisor role.
func canPick(u app.User) bool { return u.Has(app.RolePicker) || u.Has(app.RoleSupervisor) }

// pickListsScreen chooses a pick list: the ones assigned to the picker
// first, then open ones; "Next list" asks the server for one; scanning a
// printed list's barcode opens it.
type pickListsScreen struct {
	u     *UI
	scan  *scanField
	fb    *feedbackPanel
	next  *widget.Button
	list  *fyne.Container
	count *widget.Label
	root  fyne.CanvasObject
}

func newPickListsScreen(u *UI) *pickListsScreen {
	s := &pickListsScreen{u: u, list: container.NewVBox(), count: widget.NewLabel("")}
	s.scan = newScanField(u, "Scan a pick list", s.open)
	s.fb = newFeedbackPanel(u.theme, "Take the next list, or choose one below")
	s.next = button("Next list", theme.MediaSkipNextIcon(), s.takeNext)
	s.next.Importance = widget.HighImportance
	top := container.NewVBox(
		container.NewBorder(nil, nil, touch(button("Home", theme.HomeIcon(), u.home)), nil, heading("Pick")),
		s.fb.root, s.scan.root, big(s.next), s.count)
	s.root = container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewVScroll(container.NewPadded(s.list)))
	s.refresh()
	return s
}

func (s *pickListsScreen) content() fyne.CanvasObject   { return s.root }
func (s *pickListsScreen) focus()                       { s.scan.focus() }
func (s *pickListsScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *pickListsScreen) refresh() {
	lists, err := s.u.state.PickLists(s.u.ctx)
	s.list.RemoveAll()
	if err != nil {
		s.count.SetText("Could not read the pick lists: " + err.Error())
		return
	}
	mine := 0
	for _, l := range lists {
		if l.AssignedTo == s.u.user.Code {
			mine++
		}
	}
	s.count.SetText(fmt.Sprintf("Pick lists: %d for you, %d open", mine, len(lists)-mine))
	for _, l := range lists {
		l := l
		title := l.ID
		switch {
		case l.AssignedTo == s.u.user.Code:
			title += " · yours"
		case l.AssignedTo != "":
			title += " · " + l.AssignedTo
		}
		detail := fmt.Sprintf("%s · %d of %d to pick", plural(int64(len(l.Orders)), "order", "orders"), l.Open, l.Tasks)
		if len(l.Orders) > 0 && len(l.Orders) <= 2 {
			detail = strings.Join(l.Orders, ", ") + fmt.Sprintf(" · %d of %d to pick", l.Open, l.Tasks)
		}
		if l.Status == "in_progress" {
			detail += " · started"
		}
		b := button("", nil, func() { s.open(l.ID) })
		rt := widget.NewRichText(
			&widget.TextSegment{Text: title, Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}},
			&widget.TextSegment{Text: detail, Style: widget.RichTextStyle{}})
		rt.Truncation = fyne.TextTruncateEllipsis
		s.list.Add(atLeast(bigTouch, container.NewStack(b, container.New(layout.NewCustomPaddedLayout(4, 4, 6, 6), rt))))
	}
	s.list.Refresh()
}

// open starts (or resumes) a list by its ID, scanned or chosen.
func (s *pickListsScreen) open(id string) {
	id = strings.TrimSpace(id)
	p, err := s.u.state.StartPicking(s.u.ctx, id)
	if err != nil {
		fb := s.u.failure("open the pick list", err)
		fb.Title = "Cannot pick " + id
		s.fb.show(fb)
		s.u.signal(app.Bad)
		return
	}
	s.u.opts.Feedback.Good()
	s.u.show(newPickScreen(s.u, p))
}

// takeNext asks the server for the next open list (online only). The
// answer can take seconds (the list reaches the device with the next
// sync), so it runs off the UI goroutine with the button disabled.
func (s *pickListsScreen) takeNext() {
	s.next.Disable()
	s.fb.prompt("Asking the server for the next list…")
	// The server wants the picker's PIN, which the app keeps in memory
	// only: after a restart the PIN pad asks for it and the request is
	// retried.
	var l app.PickListSummary
	s.u.supervise(func() (err error) {
		l, err = s.u.state.NextPickList(s.u.ctx)
		return err
	}, func(err error) { s.gotNext(l, err) })
}

func (s *pickListsScreen) gotNext(l app.PickListSummary, err error) {
	s.next.Enable()
	if s.u.screen != s {
		return // the picker went elsewhere meanwhile
	}
	if err != nil {
		s.fb.show(s.u.failure("get the next list", err))
		s.u.signal(app.Bad)
		s.refresh()
		s.focus()
		return
	}
	s.open(l.ID)
}

// pickScreen works through one pick list: the current task big (the bin,
// what to pick, how many), the actions, and the whole list in walking
// order.
type pickScreen struct {
	u    *UI
	p    Picking
	st   app.PickState
	scan *scanField
	fb   *feedbackPanel

	title    *widget.Label
	progress *widget.Label
	task     *widget.RichText // the current task: the step, the bin in huge text, the item, how many
	qty      *widget.Button
	short    *widget.Button
	skip     *widget.Button
	finish   *widget.Button
	tasks    *widget.RichText // the list, a line a task
	scroll   *container.Scroll
	controls *fyne.Container
	split    *fyne.Container
	root     fyne.CanvasObject

	confirm dialog.Dialog // Finish's confirmation, while open
}

func newPickScreen(u *UI, p Picking) *pickScreen {
	s := &pickScreen{u: u, p: p}
	s.scan = newScanField(u, "Scan the bin, then the items", s.onScan)
	s.fb = newFeedbackPanelMin(u.theme, "Go to the bin and scan its label", 100)
	s.title = heading("")
	s.progress = lbl(&widget.Label{TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText})
	// One rich text rather than a label a line: labels pad each line,
	// and the handheld needs the height for the list below.
	s.task = widget.NewRichText()
	s.task.Wrapping = fyne.TextWrapWord
	s.tasks = widget.NewRichText()
	s.tasks.Truncation = fyne.TextTruncateEllipsis
	s.scroll = container.NewVScroll(s.tasks)
	s.qty = btn(&widget.Button{Text: "Qty", OnTapped: s.askQty})
	s.short = btn(&widget.Button{Text: "Short", OnTapped: s.askShort, Importance: widget.WarningImportance})
	s.skip = btn(&widget.Button{Text: "Skip", OnTapped: s.onSkip})
	s.finish = btn(&widget.Button{Text: "Finish", OnTapped: s.onFinish})
	header := container.NewBorder(nil, nil, touch(button("Lists", theme.NavigateBackIcon(), func() { u.show(newPickListsScreen(u)) })),
		container.NewCenter(s.progress), s.title)
	card := newCard(u.theme, s.task)
	// Four in a row without icons: the labels fit a 480-point handheld.
	actions := container.NewGridWithColumns(4, touch(s.qty), touch(s.short), touch(s.skip), touch(s.finish))
	s.controls = container.NewVBox(header, s.fb.root, s.scan.root, card, actions)
	s.split = container.New(&sideBySide{}, s.controls, s.scroll)
	s.root = container.NewPadded(s.split)
	s.refresh()
	return s
}

func (s *pickScreen) content() fyne.CanvasObject   { return s.root }
func (s *pickScreen) focus()                       { s.scan.focus() }
func (s *pickScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *pickScreen) onScan(text string) {
	fb, err := s.p.Scan(s.u.ctx, text)
	if err != nil {
		fb = s.u.failure("record the pick", err)
	}
	s.after(fb)
}

// after shows a result, plays it, and re-reads the list.
func (s *pickScreen) after(fb app.Feedback) {
	s.fb.show(fb)
	s.u.signal(fb.Level)
	s.refresh()
	s.u.status.refresh()
	relayoutSplit(s.controls, s.split)
	s.focus()
}

func (s *pickScreen) askQty() {
	left := s.st.Current.Qty - s.st.Current.Picked
	s.u.askQty(fmt.Sprintf("Units picked (%d to go)", left), func(n int64) {
		if n <= 0 {
			return
		}
		fb, err := s.p.EnterQty(s.u.ctx, n)
		if err != nil {
			fb = s.u.failure("record the pick", err)
		}
		s.after(fb)
	})
}

func (s *pickScreen) askShort() {
	c := s.st.Current
	s.u.askQty(fmt.Sprintf("How many more were in %s?", c.Location), func(n int64) {
		fb, err := s.p.Short(s.u.ctx, n)
		if err != nil {
			fb = s.u.failure("record the short pick", err)
		}
		s.after(fb)
	})
}

func (s *pickScreen) onSkip() {
	fb, err := s.p.Skip(s.u.ctx)
	if err != nil {
		fb = s.u.failure("skip the task", err)
	}
	s.after(fb)
}

// onFinish closes the list, asking first when tasks are left.
func (s *pickScreen) onFinish() {
	left := 0
	for _, t := range s.st.Tasks {
		if t.Status == "open" {
			left++
		}
	}
	if left == 0 {
		s.doFinish()
		return
	}
	s.confirm = dialog.NewConfirm("Finish the list?",
		fmt.Sprintf("%s not picked. They stay on the list for someone else.", plural(int64(left), "task is", "tasks are")),
		func(ok bool) {
			s.confirm = nil
			if ok {
				s.doFinish()
				return
			}
			s.focus()
		}, s.u.win)
	s.confirm.Show()
}

func (s *pickScreen) doFinish() {
	fb, err := s.p.Finish(s.u.ctx)
	if err != nil {
		s.after(s.u.failure("finish the list", err))
		return
	}
	s.u.signal(fb.Level)
	ls := newPickListsScreen(s.u)
	ls.fb.show(fb)
	s.u.show(ls)
}

func (s *pickScreen) refresh() {
	st, err := s.p.State(s.u.ctx)
	if err != nil {
		s.fb.show(s.u.failure("read the pick list", err))
		return
	}
	s.st = st
	c := st.Current
	s.title.SetText(st.List)
	done := st.Step == app.PickDone
	if done {
		s.progress.SetText(fmt.Sprintf("%d of %d", len(st.Tasks), len(st.Tasks)))
	} else {
		s.progress.SetText(fmt.Sprintf("%d of %d", c.N, c.Of))
	}
	setSegments(s.task, currentTaskSegments(st))
	switch st.Step {
	case app.PickScanBin:
		s.scan.entry.SetPlaceHolder("Scan the bin " + c.Location)
	case app.PickScanItem:
		s.scan.entry.SetPlaceHolder("Scan " + c.SKU)
	default:
		s.scan.entry.SetPlaceHolder("Every task is done: Finish")
	}
	atItem := st.Step == app.PickScanItem
	enable(s.qty, atItem)
	enable(s.short, atItem)
	enable(s.skip, !done)
	s.finish.Importance = widget.MediumImportance
	if done {
		s.finish.Importance = widget.HighImportance
	}
	s.finish.Refresh()
	// The list's heading is its first line, to spare a handheld's height.
	rows := []widget.RichTextSegment{&widget.TextSegment{Text: "Tasks in walking order", Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}}}
	for _, t := range st.Tasks {
		rows = append(rows, taskSegments(t, !done && t.ID == c.ID)...)
	}
	setSegments(s.tasks, rows)
	relayout(s.controls)
	s.scrollToCurrent(st)
}

// scrollToCurrent scrolls the task list so that the task before the
// current one is on top (a line a task).
func (s *pickScreen) scrollToCurrent(st app.PickState) {
	if len(st.Tasks) == 0 || st.Step == app.PickDone {
		return
	}
	pad := s.u.theme.Size(theme.SizeNameInnerPadding)
	row := (s.tasks.MinSize().Height - 2*pad) / float32(len(st.Tasks)+1)
	s.scroll.Offset.Y = max(0, pad+float32(st.Current.N-1)*row-theme.Padding())
	s.scroll.Refresh()
}

// currentTaskSegments is the task card: the bin in huge text, the item,
// its lot and order, and how many.
func currentTaskSegments(st app.PickState) []widget.RichTextSegment {
	bold := fyne.TextStyle{Bold: true}
	line := para
	if st.Step == app.PickDone {
		return []widget.RichTextSegment{
			line("Done ✓", sizeBin, theme.ColorNameSuccess, bold),
			line("Tap Finish to close the list.", theme.SizeNameText, theme.ColorNameForeground, fyne.TextStyle{}),
		}
	}
	c := st.Current
	// The bin turns green with a tick once scanned: the step at a glance.
	bin, binCol := c.Location, theme.ColorNamePrimary
	if st.Step == app.PickScanItem {
		bin, binCol = c.Location+" ✓", theme.ColorNameSuccess
	}
	name := c.SKU
	if c.Name != "" {
		name += " · " + c.Name
	}
	var d []string
	if c.Lot != "" {
		d = append(d, "Lot "+c.Lot)
	}
	if c.Order != "" {
		d = append(d, "Order "+c.Order)
	}
	segs := []widget.RichTextSegment{
		line(bin, sizeBin, binCol, bold),
		line(name, theme.SizeNameText, theme.ColorNameForeground, bold),
	}
	if len(d) > 0 {
		segs = append(segs, line(strings.Join(d, " · "), theme.SizeNameText, theme.ColorNameForeground, fyne.TextStyle{}))
	}
	return append(segs, line(fmt.Sprintf("Pick %d · %d picked", c.Qty, c.Picked), theme.SizeNameSubHeadingText, theme.ColorNameForeground, bold))
}

// para is a paragraph of a rich text in a size, a colour and a style.
func para(text string, size fyne.ThemeSizeName, col fyne.ThemeColorName, style fyne.TextStyle) widget.RichTextSegment {
	return &widget.TextSegment{Text: text, Style: widget.RichTextStyle{SizeName: size, ColorName: col, TextStyle: style}}
}

// setSegments replaces a rich text's segments when they changed:
// measuring text again is most of a scan's cost.
func setSegments(rt *widget.RichText, segs []widget.RichTextSegment) {
	if segmentsEqual(rt.Segments, segs) {
		return
	}
	rt.Segments = segs
	rt.Refresh()
}

// taskSegments is one row of the task list: the bin and the item, then
// the task's status in its colour.
func taskSegments(t app.PickTaskView, current bool) []widget.RichTextSegment {
	what := fmt.Sprintf("%d. %s  %s ×%d", t.N, t.Location, t.SKU, t.Qty)
	if t.Lot != "" {
		what += " lot " + t.Lot
	}
	status, col := "", theme.ColorNameForeground
	switch {
	case current:
		status, col = "← now", theme.ColorNamePrimary
	case t.Status == "picked":
		status, col = "✓ picked", theme.ColorNameSuccess
	case t.Status == "short":
		status, col = fmt.Sprintf("short (%d)", t.Picked), theme.ColorNameWarning
	case t.Status == "cancelled":
		status, col = "cancelled", theme.ColorNameDisabled
	case t.Skipped:
		status, col = "skipped", theme.ColorNameWarning
	case t.Picked > 0:
		status = fmt.Sprintf("%d picked", t.Picked)
	}
	// A line a task: the text inline, the status ending the paragraph.
	if status == "" {
		return []widget.RichTextSegment{&widget.TextSegment{Text: what, Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: current}}}}
	}
	return []widget.RichTextSegment{
		&widget.TextSegment{Text: what + "  ", Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: current}}},
		&widget.TextSegment{Text: status, Style: widget.RichTextStyle{ColorName: col, TextStyle: fyne.TextStyle{Bold: true}}},
	}
}

// segmentsEqual: do two lists of text segments show the same?
func segmentsEqual(a, b []widget.RichTextSegment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, ok1 := a[i].(*widget.TextSegment)
		y, ok2 := b[i].(*widget.TextSegment)
		if !ok1 || !ok2 || x.Text != y.Text || x.Style != y.Style {
			return false
		}
	}
	return true
}

// enable enables or disables a button.
func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}
