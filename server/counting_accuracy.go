package server

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// Inventory accuracy from decided counts. A count record is one SKU and
// lot of a bin; a bin count is the records of one count task (or, without
// a task, of one bin counted by one counter on one day). Over a group of
// them:
//
//	location accuracy = bin counts with every record at zero variance / bin counts
//	SKU accuracy      = records at zero variance / records
//	value accuracy    = 1 − Σ |variance| × unit cost / Σ counted × unit cost
//	                    (1 when nothing of value was counted and nothing varied, else ≥ 0)
//
// Counts applied within tolerance (auto) and approved ones count with
// their variance; a rejected count counts as zero variance (the supervisor
// found the ledger right); a count sent for a recount is left out (its
// recount decides) and so are pending ones.

// AccuracyBy is how accuracy is grouped.
type AccuracyBy string

// Accuracy groupings.
const (
	ByWeek    AccuracyBy = "week"
	ByClass   AccuracyBy = "class"
	ByCounter AccuracyBy = "counter"
)

// AccuracyRow is accuracy over one group.
type AccuracyRow struct {
	Key           string  `json:"key"` // ISO week "2026-W48", class or counter
	Bins          int     `json:"bins"`
	BinsExact     int     `json:"bins_exact"`
	Lines         int     `json:"lines"`
	LinesExact    int     `json:"lines_exact"`
	CountedValue  int64   `json:"counted_value"`
	VarianceValue int64   `json:"variance_value"`
	Location      float64 `json:"location"`
	SKU           float64 `json:"sku"`
	Value         float64 `json:"value"`
}

// AccuracyFilter selects the counts accuracy is computed from.
type AccuracyFilter struct {
	Warehouse string
	By        AccuracyBy
	// From ≤ device time < To (zero: open).
	From, To time.Time
	// Class and Counter keep only that class's or counter's counts.
	Class, Counter string
}

// ISOWeek is t's ISO week as "2026-W48".
func ISOWeek(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// ComputeAccuracy groups decided count records and computes their
// accuracy, in key order.
func ComputeAccuracy(recs []CountRecord, by AccuracyBy) []AccuracyRow {
	rows := map[string]*AccuracyRow{}
	bins := map[[2]string]bool{} // group, bin count → exact
	for _, r := range recs {
		variance := r.Variance
		switch r.Status {
		case CountAuto, CountApproved:
		case CountRejected:
			variance = 0
		default:
			continue
		}
		var key string
		switch by {
		case ByClass:
			key = r.Class
		case ByCounter:
			key = r.Counter
		default:
			key = ISOWeek(r.DeviceTime)
		}
		row, ok := rows[key]
		if !ok {
			row = &AccuracyRow{Key: key}
			rows[key] = row
		}
		row.Lines++
		if variance == 0 {
			row.LinesExact++
		}
		row.CountedValue += r.Counted * r.UnitCost
		if variance < 0 {
			row.VarianceValue -= variance * r.UnitCost
		} else {
			row.VarianceValue += variance * r.UnitCost
		}
		b := r.Task
		if b == "" {
			b = r.Location + "|" + r.Counter + "|" + r.DeviceTime.UTC().Format(time.DateOnly)
		}
		k := [2]string{key, b}
		exact, seen := bins[k]
		bins[k] = (exact || !seen) && variance == 0
	}
	for k, exact := range bins {
		rows[k[0]].Bins++
		if exact {
			rows[k[0]].BinsExact++
		}
	}
	out := make([]AccuracyRow, 0, len(rows))
	for _, r := range rows {
		r.Location = ratio(r.BinsExact, r.Bins)
		r.SKU = ratio(r.LinesExact, r.Lines)
		switch {
		case r.CountedValue > 0:
			r.Value = max(0, 1-float64(r.VarianceValue)/float64(r.CountedValue))
		case r.VarianceValue == 0:
			r.Value = 1
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b AccuracyRow) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Accuracy computes inventory accuracy from a warehouse's decided counts.
func (l *Ledger) Accuracy(ctx context.Context, f AccuracyFilter) ([]AccuracyRow, error) {
	switch f.By {
	case "":
		f.By = ByWeek
	case ByWeek, ByClass, ByCounter:
	default:
		return nil, &Error{Code: EInvalid, Field: "by", Message: "by is week, class or counter"}
	}
	var recs []CountRecord
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		ctr, err := countingRead(tx)
		if err != nil {
			return err
		}
		recs, err = ctr.CountRecords(ctx, CountRecordFilter{Warehouse: f.Warehouse, Counter: f.Counter, From: f.From, To: f.To})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("compute accuracy: %w", err)
	}
	if f.Class != "" {
		recs = slices.DeleteFunc(recs, func(r CountRecord) bool { return r.Class != f.Class })
	}
	return ComputeAccuracy(recs, f.By), nil
}
