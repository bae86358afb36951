package csvio

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/driftless/driftless/server"
)

// Kinds lists the kinds of file, in the order a new catalog imports them.
var Kinds = []string{"warehouses", "skus", "barcodes", "locations", "suppliers", "purchase-orders", "sales-orders", "opening-stock"}

// RowError is one problem with one row of an imported file.
type RowError struct {
	// Row is the file's line the row starts on; the header is row 1.
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

func (e RowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Reason)
}

// Rejected is the error of an import with bad rows: nothing was imported.
type Rejected struct {
	Kind string
	Rows []RowError
}

func (e *Rejected) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d bad rows, nothing imported", e.Kind, len(e.Rows))
	for i, r := range e.Rows {
		if i == 20 {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Rows)-i)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(r.String())
	}
	return b.String()
}

// Invalid is the *server.Error an HTTP handler reports Rejected with.
func (e *Rejected) Invalid() *server.Error {
	msg := fmt.Sprintf("%d bad rows in the %s file; nothing was imported", len(e.Rows), e.Kind)
	r := e.Rows[0]
	return &server.Error{Code: server.EInvalid, Field: r.Column, Message: msg + "; first: " + r.String()}
}

// column is one column of a kind's file.
type column struct {
	name     string
	required bool
}

func cols(spec ...string) []column {
	out := make([]column, len(spec))
	for i, s := range spec {
		name, req := strings.CutSuffix(s, "*")
		out[i] = column{name, req}
	}
	return out
}

// kind is one kind of file.
type kind interface {
	columns() []column
	// load checks and imports the rows (all with the header's field
	// count and valid UTF-8), returning the records written. bad holds
	// the problems found reading the file: when there are any, load only
	// checks, and returns them with its own in a *Rejected.
	load(ctx context.Context, c *server.Catalog, rows []*row, bad []RowError) (int, error)
	// dump writes every record, returning how many rows.
	dump(ctx context.Context, c *server.Catalog, w *csv.Writer) (int, error)
}

func kindOf(name string) (kind, error) {
	k, ok := kinds[name]
	if !ok {
		return nil, &server.Error{Code: server.EInvalid, Field: "kind",
			Message: fmt.Sprintf("unknown kind %q: use one of %s", name, strings.Join(Kinds, ", "))}
	}
	return k, nil
}

// Columns returns the header of a kind's file.
func Columns(kindName string) ([]string, error) {
	k, err := kindOf(kindName)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range k.columns() {
		out = append(out, c.name)
	}
	return out, nil
}

// Import checks every row of a CSV file of a kind and, when all are good,
// imports them in one transaction. It returns the number of records
// written (orders, not their lines) or a *Rejected listing every bad row.
func Import(ctx context.Context, c *server.Catalog, kindName string, r io.Reader) (int, error) {
	k, err := kindOf(kindName)
	if err != nil {
		return 0, err
	}
	rows, bad, err := read(r, k.columns())
	if err != nil {
		return 0, fmt.Errorf("import %s: %w", kindName, err)
	}
	if slices.ContainsFunc(bad, func(e RowError) bool { return e.Row == 1 }) {
		// Without a good header the rows cannot be read.
		return 0, &Rejected{Kind: kindName, Rows: bad}
	}
	n, err := k.load(ctx, c, rows, bad)
	var rej *Rejected
	if errors.As(err, &rej) {
		rej.Kind = kindName
		slices.SortStableFunc(rej.Rows, func(a, b RowError) int { return a.Row - b.Row })
		return 0, rej
	}
	if err != nil {
		return 0, fmt.Errorf("import %s: %w", kindName, err)
	}
	return n, nil
}

// Export writes every record of a kind as CSV and returns the number of
// data rows.
func Export(ctx context.Context, c *server.Catalog, kindName string, w io.Writer) (int, error) {
	k, err := kindOf(kindName)
	if err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	var header []string
	for _, col := range k.columns() {
		header = append(header, col.name)
	}
	if err := cw.Write(header); err != nil {
		return 0, fmt.Errorf("export %s: %w", kindName, err)
	}
	n, err := k.dump(ctx, c, cw)
	if err != nil {
		return n, fmt.Errorf("export %s: %w", kindName, err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("export %s: %w", kindName, err)
	}
	return n, nil
}

// row is one data row being decoded; problems go to errs.
type row struct {
	n      int // file line
	fields []string
	idx    map[string]int
	errs   *[]RowError
}

func (r *row) fail(col, format string, args ...any) {
	*r.errs = append(*r.errs, RowError{Row: r.n, Column: col, Reason: fmt.Sprintf(format, args...)})
}

// str is a column's value; "" when the header does not have it.
func (r *row) str(col string) string {
	if i, ok := r.idx[col]; ok {
		return r.fields[i]
	}
	return ""
}

func (r *row) int(col string, def int64) int64 {
	v := strings.TrimSpace(r.str(col))
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		r.fail(col, "bad number %q: want a whole number", v)
	}
	return n
}

func (r *row) bool(col string) bool {
	switch v := strings.ToLower(strings.TrimSpace(r.str(col))); v {
	case "", "false", "0", "no", "n":
		return false
	case "true", "1", "yes", "y":
		return true
	default:
		r.fail(col, "bad boolean %q: want true or false", v)
		return false
	}
}

func fmtBool(b bool) string { return strconv.FormatBool(b) }
func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }

// read parses a file: it checks the header against the kind's columns and
// each row's field count and encoding, and returns the rows and every
// problem it found. err is only for failures to read.
func read(src io.Reader, columns []column) ([]*row, []RowError, error) {
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var bad []RowError
	header, err := cr.Read()
	if err == io.EOF {
		return nil, []RowError{{Row: 1, Reason: "the file is empty: the first row must be the header"}}, nil
	}
	if err != nil {
		return nil, append(bad, parseError(err, 1)), nil
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a BOM from spreadsheet exports
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if !utf8.ValidString(h) {
			bad = append(bad, RowError{Row: 1, Column: h, Reason: "bad encoding: the header is not valid UTF-8"})
			continue
		}
		if !slices.ContainsFunc(columns, func(c column) bool { return c.name == h }) {
			bad = append(bad, RowError{Row: 1, Column: h, Reason: "unknown column"})
			continue
		}
		if _, dup := idx[h]; dup {
			bad = append(bad, RowError{Row: 1, Column: h, Reason: "the column appears twice"})
			continue
		}
		idx[h] = i
	}
	for _, c := range columns {
		if _, ok := idx[c.name]; c.required && !ok {
			bad = append(bad, RowError{Row: 1, Column: c.name, Reason: "missing column"})
		}
	}
	var rows []*row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				// The reader cannot find the next row reliably after a
				// quoting error: report it and stop.
				bad = append(bad, parseError(err, line))
				break
			}
			return nil, nil, err
		}
		if len(rec) == 1 && rec[0] == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			bad = append(bad, RowError{Row: line, Reason: fmt.Sprintf("the row has %d fields, the header %d", len(rec), len(header))})
			continue
		}
		ok := true
		for name, i := range idx {
			if !utf8.ValidString(rec[i]) {
				bad = append(bad, RowError{Row: line, Column: name, Reason: "bad encoding: not valid UTF-8 (save the file as UTF-8)"})
				ok = false
			}
		}
		if ok {
			rows = append(rows, &row{n: line, fields: rec, idx: idx})
		}
	}
	slices.SortStableFunc(bad, func(a, b RowError) int { return a.Row - b.Row })
	return rows, bad, nil
}

func parseError(err error, line int) RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return RowError{Row: pe.StartLine, Reason: "the CSV is malformed: " + pe.Err.Error()}
	}
	return RowError{Row: line, Reason: err.Error()}
}

// issuesToRows turns the catalog's import problems into row errors: rowOf
// gives the file row of a record (and of an order's line).
func issuesToRows(err error, rowOf func(index, line int) int) error {
	var ie *server.ImportError
	if !errors.As(err, &ie) {
		return err
	}
	out := make([]RowError, 0, len(ie.Issues))
	for _, is := range ie.Issues {
		col := is.Field
		if col == "lines" {
			col = "sku"
		}
		reason := is.Message
		if is.DuplicateOf >= 0 {
			reason += fmt.Sprintf(" (also on row %d)", rowOf(is.DuplicateOf, 0))
		}
		out = append(out, RowError{Row: rowOf(is.Index, is.Line), Column: col, Reason: reason})
	}
	return &Rejected{Rows: out}
}

// withChecks reports the problems found parsing rows together with the
// rules the records break (from a Check), leaving out a rule's complaint
// about a cell that did not parse.
func withChecks(bad []RowError, checkErr error, rowOf func(index, line int) int) error {
	var rej *Rejected
	if !errors.As(issuesToRows(checkErr, rowOf), &rej) {
		if checkErr != nil {
			return checkErr
		}
		return &Rejected{Rows: bad}
	}
	type cell struct {
		row int
		col string
	}
	seen := map[cell]bool{}
	for _, b := range bad {
		seen[cell{b.Row, b.Column}] = true
	}
	for _, r := range rej.Rows {
		if !seen[cell{r.Row, r.Column}] {
			bad = append(bad, r)
		}
	}
	return &Rejected{Rows: bad}
}

// pageSize is how many records an export reads per transaction.
const pageSize = 1000

// each lists every record of a collection, archived ones included, in key
// order, a page at a time.
func each[T any](ctx context.Context, coll *server.Collection[T], fn func(*T) error) error {
	f := server.ListFilter{Archived: server.ActiveAndArchived, Limit: pageSize}
	for {
		page, err := coll.List(ctx, f)
		if err != nil {
			return err
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			return nil
		}
		k := coll.Key(&page[len(page)-1])
		f.After = &k
	}
}
