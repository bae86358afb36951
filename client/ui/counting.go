package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// canCount: counting needs the counter or the supervisor role.
func canCount(u app.User) bool { return u.Has(app.RoleCounter) || u.Has(app.RoleSupervisor) }

// countReasons name why a bin is to be counted.
var countReasons = map[string]string{
	"scheduled":       "scheduled",
	"short_pick":      "short pick",
	"parked":          "parked movement",
	"zero_stock":      "confirm the bin is empty",
	"putaway_dispute": "put-away dispute",
	"recount":         "recount",
}

func countReason(r string) string {
	if s, ok := countReasons[r]; ok {
		return s
	}
	return strings.ReplaceAll(r, "_", " ")
}

// dueText says when a task is due, relative to today.
func dueText(due string, now time.Time) string {
	if due == "" {
		return ""
	}
	today := now.Format(time.DateOnly)
	switch {
	case due == today:
		return "due today"
	case due < today:
		return "overdue since " + due
	}
	return "due " + due
}

// countTasksScreen lists the bins to count: the ones assigned to the
// counter first, then unassigned ones. Scanning a task's ID or its bin's
// code opens it.
type countTasksScreen struct {
	u     *UI
	scan  *scanField
	fb    *feedbackPanel
	list  *fyne.Container
	count *widget.Label
	tasks []app.CountTaskSummary
	root  fyne.CanvasObject
}

func newCountTasksScreen(u *UI) *countTasksScreen {
	s := &countTasksScreen{u: u, list: container.NewVBox(), count: widget.NewLabel("")}
	s.scan = newScanField(u, "Scan a bin or a count task", s.onScan)
	s.fb = newFeedbackPanel(u.theme, "Choose a bin to count")
	top := container.NewVBox(
		container.NewBorder(nil, nil, touch(button("Home", theme.HomeIcon(), u.home)), nil, heading("Count")),
		s.fb.root, s.scan.root, s.count)
	s.root = container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewVScroll(container.NewPadded(s.list)))
	s.refresh()
	return s
}

func (s *countTasksScreen) content() fyne.CanvasObject   { return s.root }
func (s *countTasksScreen) focus()                       { s.scan.focus() }
func (s *countTasksScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *countTasksScreen) refresh() {
	tasks, err := s.u.state.CountTasks(s.u.ctx)
	s.list.RemoveAll()
	defer s.list.Refresh()
	if err != nil {
		s.count.SetText("Could not read the count tasks: " + s.u.failure("read the count tasks", err).Detail)
		return
	}
	me := s.u.user.Code
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].AssignedTo == me && tasks[j].AssignedTo != me })
	s.tasks = tasks
	mine := 0
	for _, t := range tasks {
		if t.AssignedTo == me {
			mine++
		}
	}
	if len(tasks) == 0 {
		s.count.SetText("No bins to count. New tasks arrive with the next sync.")
		return
	}
	s.count.SetText(fmt.Sprintf("Bins to count: %d for you, %d more", mine, len(tasks)-mine))
	now := s.u.opts.Now()
	for _, t := range tasks {
		t := t
		title := t.Location + " · " + t.ID
		detail := []string{}
		switch {
		case t.AssignedTo == me:
			detail = append(detail, "yours")
		case t.AssignedTo != "":
			detail = append(detail, t.AssignedTo)
		}
		detail = append(detail, countReason(t.Reason))
		if d := dueText(t.Due, now); d != "" {
			detail = append(detail, d)
		}
		col := theme.ColorNameForeground
		if t.Due != "" && t.Due < now.Format(time.DateOnly) {
			col = theme.ColorNameError
		}
		b := button("", nil, func() { s.open(t.ID) })
		rt := widget.NewRichText(
			&widget.TextSegment{Text: title, Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}},
			&widget.TextSegment{Text: strings.Join(detail, " · "), Style: widget.RichTextStyle{ColorName: col}})
		rt.Truncation = fyne.TextTruncateEllipsis
		s.list.Add(atLeast(bigTouch, container.NewStack(b, container.New(layout.NewCustomPaddedLayout(4, 4, 6, 6), rt))))
	}
}

// onScan opens the task scanned: its ID, or the code of its bin.
func (s *countTasksScreen) onScan(text string) {
	text = strings.TrimSpace(text)
	for _, t := range s.tasks {
		if strings.EqualFold(text, t.ID) || strings.EqualFold(text, t.Location) || strings.EqualFold(text, "LOC-"+t.Location) {
			s.open(t.ID)
			return
		}
	}
	s.open(text)
}

// open starts (or resumes) a count task.
func (s *countTasksScreen) open(id string) {
	c, err := s.u.state.StartCount(s.u.ctx, id)
	if err != nil {
		fb := s.u.failure("start the count", err)
		fb.Title = "Cannot count " + id
		s.fb.show(fb)
		s.u.signal(app.Bad)
		return
	}
	s.u.opts.Feedback.Good()
	s.u.show(newCountScreen(s.u, c))
}

// countScreen is a blind count of one bin: the bin in huge text until its
// label is scanned, then item scans adding to the SKU and lot lines. The
// screen shows what was counted, never what the records expect.
type countScreen struct {
	u    *UI
	c    Counting
	scan *scanField
	fb   *feedbackPanel

	card     *widget.RichText // the bin, big, and why it is counted
	qty      *widget.Button
	finish   *widget.Button
	total    *widget.Label
	lines    *fyne.Container // a tappable row a line
	counted  []app.CountLine
	controls *fyne.Container
	split    *fyne.Container
	root     fyne.CanvasObject
	next     int64

	confirm dialog.Dialog // Finish's summary, while open
}

func newCountScreen(u *UI, c Counting) *countScreen {
	s := &countScreen{u: u, c: c, lines: container.NewVBox()}
	s.scan = newScanField(u, "Scan the bin label", s.onScan)
	s.fb = newFeedbackPanelMin(u.theme, "Go to the bin and scan its label", 110)
	s.card = widget.NewRichText()
	s.card.Wrapping = fyne.TextWrapWord
	s.qty = button("Qty", theme.ContentAddIcon(), s.askQty)
	s.finish = button("Finish", theme.ConfirmIcon(), s.onFinish)
	s.total = lbl(&widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis})
	t := c.Task()
	header := container.NewBorder(nil, nil, touch(button("Tasks", theme.NavigateBackIcon(), func() { u.show(newCountTasksScreen(u)) })),
		nil, heading("Count "+t.ID))
	actions := container.NewGridWithColumns(2, touch(s.qty), touch(s.finish))
	s.controls = container.NewVBox(header, s.fb.root, s.scan.root, newCard(u.theme, s.card), actions)
	list := container.NewBorder(s.total, nil, nil, nil, container.NewVScroll(s.lines))
	s.split = container.New(&sideBySide{}, s.controls, list)
	s.root = container.NewPadded(s.split)
	s.refresh()
	return s
}

func (s *countScreen) content() fyne.CanvasObject   { return s.root }
func (s *countScreen) focus()                       { s.scan.focus() }
func (s *countScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *countScreen) onScan(text string) {
	fb, err := s.c.Scan(s.u.ctx, text)
	if err != nil {
		fb = s.u.failure("record the count", err)
	}
	if s.c.BinScanned() {
		s.setNext(0) // the quantity was for that scan
	}
	s.after(fb)
}

// after shows a result, plays it, and re-reads the lines.
func (s *countScreen) after(fb app.Feedback) {
	s.fb.show(fb)
	s.u.signal(fb.Level)
	s.refresh()
	s.u.status.refresh()
	relayoutSplit(s.controls, s.split)
	s.focus()
}

func (s *countScreen) setNext(n int64) {
	s.next = n
	s.c.SetQty(n)
	showNextQty(s.qty, n)
}

func (s *countScreen) askQty() { s.u.askQty("Units in the next scan", s.setNext) }

// askLine types a line's quantity outright (counted by hand).
func (s *countScreen) askLine(l app.CountLine) {
	what := l.SKU
	if l.Lot != "" {
		what += " lot " + l.Lot
	}
	s.u.askQty(fmt.Sprintf("How many %s in %s?", what, s.c.Task().Location), func(n int64) {
		fb, err := s.c.SetLine(s.u.ctx, l.SKU, l.Lot, n)
		if err != nil {
			fb = s.u.failure("set the quantity", err)
		}
		s.after(fb)
	})
}

// onFinish shows what was counted and asks before writing the count.
func (s *countScreen) onFinish() {
	t := s.c.Task()
	var units int64
	var segs []widget.RichTextSegment
	for _, l := range s.counted {
		units += l.Qty
		segs = append(segs, para(fmt.Sprintf("%d × %s", l.Qty, lineName(l)), theme.SizeNameText, theme.ColorNameForeground, fyne.TextStyle{}))
	}
	rows := widget.NewRichText(segs...)
	rows.Truncation = fyne.TextTruncateEllipsis
	msg := fmt.Sprintf("%s: %s, %s.", t.Location, plural(int64(len(s.counted)), "line", "lines"), plural(units, "unit", "units"))
	if len(s.counted) == 0 {
		msg = t.Location + ": nothing found. The bin is counted as empty."
	}
	var list fyne.CanvasObject = rows
	if len(s.counted) > 5 {
		// A long list scrolls inside the dialog.
		list = container.New(minSize{fyne.NewSize(0, 200)}, container.NewVScroll(rows))
	}
	body := container.NewVBox(lbl(&widget.Label{Text: msg, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}),
		list, wrapped("Anything in the bin you did not scan counts as zero. Finish the count?"))
	s.confirm = dialog.NewCustomConfirm("Finish the count of "+t.Location+"?", "Finish", "Back", body, func(ok bool) {
		s.confirm = nil
		if ok {
			s.doFinish()
			return
		}
		s.focus()
	}, s.u.win)
	s.confirm.Resize(fyne.NewSize(min(s.u.win.Canvas().Size().Width-20, 520), 0))
	s.confirm.Show()
}

func (s *countScreen) doFinish() {
	fb, err := s.c.Finish(s.u.ctx)
	if err != nil {
		s.after(s.u.failure("finish the count", err))
		return
	}
	s.u.signal(fb.Level)
	ts := newCountTasksScreen(s.u)
	ts.fb.show(fb)
	s.u.show(ts)
}

func lineName(l app.CountLine) string {
	n := l.SKU
	if l.Name != "" {
		n += " · " + l.Name
	}
	if l.Lot != "" {
		n += ", lot " + l.Lot
	}
	return n
}

func (s *countScreen) refresh() {
	t := s.c.Task()
	bold := fyne.TextStyle{Bold: true}
	scanned := s.c.BinScanned()
	bin, col := t.Location, theme.ColorNamePrimary
	if scanned {
		bin, col = t.Location+" ✓", theme.ColorNameSuccess
	}
	why := "Blind count · " + countReason(t.Reason)
	if d := dueText(t.Due, s.u.opts.Now()); d != "" {
		why += " · " + d
	}
	setSegments(s.card, []widget.RichTextSegment{
		para(bin, sizeBin, col, bold),
		para(why, theme.SizeNameText, theme.ColorNameForeground, fyne.TextStyle{}),
	})
	if scanned {
		s.scan.entry.SetPlaceHolder("Scan every item in " + t.Location)
	} else {
		s.scan.entry.SetPlaceHolder("Scan the label of " + t.Location)
	}
	enable(s.qty, scanned)
	enable(s.finish, scanned)
	s.finish.Importance = widget.MediumImportance
	if scanned {
		s.finish.Importance = widget.HighImportance
	}
	s.finish.Refresh()

	lines, err := s.c.Lines(s.u.ctx)
	s.lines.RemoveAll()
	defer s.lines.Refresh()
	if err != nil {
		s.total.SetText("Could not read the count: " + s.u.failure("read the count", err).Detail)
		return
	}
	s.counted = lines
	var units int64
	for _, l := range lines {
		units += l.Qty
	}
	switch {
	case !scanned:
		s.total.SetText("Scan the bin label first")
	case len(lines) == 0:
		s.total.SetText("Nothing counted yet")
	default:
		s.total.SetText(fmt.Sprintf("Counted: %s · tap one to type it", plural(units, "unit", "units")))
	}
	for _, l := range lines {
		s.lines.Add(s.row(l))
	}
}

// row is one counted line: the item, and the quantity counted large on
// the right; tapping it types the quantity.
func (s *countScreen) row(l app.CountLine) fyne.CanvasObject {
	name := l.SKU
	if l.Name != "" {
		name += " · " + l.Name
	}
	segs := []widget.RichTextSegment{para(name, theme.SizeNameText, theme.ColorNameForeground, fyne.TextStyle{Bold: true})}
	if l.Lot != "" {
		segs = append(segs, para("Lot "+l.Lot, theme.SizeNameText, theme.ColorNameForeground, fyne.TextStyle{}))
	}
	rt := widget.NewRichText(segs...)
	rt.Truncation = fyne.TextTruncateEllipsis
	n := lbl(&widget.Label{Text: fmt.Sprint(l.Qty), SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}})
	b := button("", nil, func() { s.askLine(l) })
	return atLeast(minTouch+8, container.NewStack(b,
		container.New(layout.NewCustomPaddedLayout(2, 2, 6, 10), container.NewBorder(nil, nil, nil, container.NewCenter(n), rt))))
}
