package store_test

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestSnapshotPagesOfManyRows: pages of more rows than one statement takes
// are stored whole and in order (a later duplicate replaces an earlier
// record, an archived record deletes it), a balance never replaces a newer
// one, and the cursors move with the last page only.
func TestSnapshotPagesOfManyRows(t *testing.T) {
	ctx := context.Background()
	st := storetest.MustOpen(t)
	const n = 1234
	var wantSKUs []syncproto.SKU
	var wantLevels []syncproto.Level
	p1 := &syncproto.SnapshotPage{Page: 1, CatalogHead: 7, Position: 9, Stock: true, Next: "more"}
	for i := range n {
		s := syncproto.SKU{Code: fmt.Sprintf("SKU-%05d", i), Name: fmt.Sprint("Item ", i), Unit: "each", UnitCost: int64(i), Position: 1}
		p1.SKUs = append(p1.SKUs, s)
		if i != 5 && i != 600 {
			wantSKUs = append(wantSKUs, s)
		}
		l := syncproto.Level{Location: fmt.Sprintf("B%03d", i%100), SKU: s.Code, Qty: int64(i), Position: 5}
		p1.Levels = append(p1.Levels, l)
		wantLevels = append(wantLevels, l)
	}
	// A later record at the same key replaces the earlier; an archived
	// one deletes it, also when its kind's rows are still gathered.
	p1.SKUs = append(p1.SKUs, syncproto.SKU{Code: "SKU-00003", Name: "Renamed", Unit: "each", UnitCost: 3, Position: 2})
	wantSKUs[3] = p1.SKUs[len(p1.SKUs)-1]
	p1.SKUs = append(p1.SKUs, syncproto.SKU{Code: "SKU-00005", Archived: true, Position: 2},
		syncproto.SKU{Code: "SKU-00600", Archived: true, Position: 2})
	// An older balance of a key after a newer one changes nothing, a
	// newer one replaces it.
	p1.Levels = append(p1.Levels, syncproto.Level{Location: "B001", SKU: "SKU-00001", Qty: 999, Position: 4},
		syncproto.Level{Location: "B002", SKU: "SKU-00002", Qty: 77, Position: 6})
	if err := st.ApplySnapshotPage(ctx, p1, true); err != nil {
		t.Fatal(err)
	}
	plan, err := st.SnapshotPlan(ctx)
	if err != nil || !plan.NeedCatalog || !plan.WithStock {
		t.Fatalf("plan after the first of two pages = %+v, %v; want the snapshot still needed", plan, err)
	}
	p2 := &syncproto.SnapshotPage{Page: 2, CatalogHead: 7, Position: 9, Stock: true,
		Levels: []syncproto.Level{{Location: "B003", SKU: "SKU-00003", Qty: 1, Position: 4}}}
	if err := st.ApplySnapshotPage(ctx, p2, false); err != nil {
		t.Fatal(err)
	}
	if plan, err := st.SnapshotPlan(ctx); err != nil || plan.NeedCatalog {
		t.Fatalf("plan after the last page = %+v, %v; want the snapshot complete", plan, err)
	}

	ref, err := st.ReferenceData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ref.SKUs, wantSKUs) {
		t.Fatalf("stored %d SKUs, want %d; first differing: %v", len(ref.SKUs), len(wantSKUs), firstDiff(ref.SKUs, wantSKUs))
	}
	wantLevels[2].Qty, wantLevels[2].Position = 77, 6
	sortLevels(wantLevels)
	got, err := st.ServerLevels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, wantLevels) {
		t.Fatalf("server levels: first differing %v", firstDiff(got, wantLevels))
	}
	view, err := st.StockLevels(ctx)
	if err != nil || !reflect.DeepEqual(view, wantLevels) {
		t.Fatalf("stock view: first differing %v, %v", firstDiff(view, wantLevels), err)
	}
}

func sortLevels(ls []syncproto.Level) {
	slices.SortFunc(ls, func(a, b syncproto.Level) int {
		return cmp.Or(strings.Compare(a.Location, b.Location), strings.Compare(a.SKU, b.SKU), strings.Compare(a.Lot, b.Lot))
	})
}

// firstDiff describes the first index where got and want differ.
func firstDiff[T any](got, want []T) string {
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			return fmt.Sprintf("#%d missing, want %+v", i, want[i])
		case i >= len(want):
			return fmt.Sprintf("#%d extra %+v", i, got[i])
		case !reflect.DeepEqual(got[i], want[i]):
			return fmt.Sprintf("#%d = %+v, want %+v", i, got[i], want[i])
		}
	}
	return "none"
}
