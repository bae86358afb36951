package server

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// task is a compact form of an allocated task: "order:location:sku:lot:qty".
func taskString(t AllocTask) string {
	return fmt.Sprintf("%s:%s:%s:%s:%d", t.Order, t.Location, t.SKU, t.Lot, t.Qty)
}

func listStrings(a Allocation) []string {
	var out []string
	for _, l := range a.Lists {
		ts := make([]string, len(l.Tasks))
		for i, t := range l.Tasks {
			ts[i] = taskString(t)
		}
		out = append(out, strings.Join(l.Orders, ",")+" | "+strings.Join(ts, " "))
	}
	return out
}

func order(number string, lines ...any) AllocOrder {
	o := AllocOrder{Number: number}
	for i := 0; i < len(lines); i += 2 {
		o.Lines = append(o.Lines, AllocLine{SKU: lines[i].(string), Qty: int64(lines[i+1].(int))})
	}
	return o
}

func bin(loc string, seq int64, sku, lot, expiry string, qty int64) AllocStock {
	return AllocStock{Location: loc, Sequence: seq, SKU: sku, Lot: lot, Expiry: expiry, Qty: qty}
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name        string
		in          AllocInput
		want        []string
		unallocated []Unallocated
	}{
		{
			name: "FEFO: the lot expiring first, wherever it is",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 5)}, Stock: []AllocStock{
				bin("B-01", 1, "A", "L2", "2027-03-01", 10),
				bin("B-09", 9, "A", "L1", "2027-01-01", 10),
			}},
			want: []string{"SO1 | SO1:B-09:A:L1:5"},
		},
		{
			name: "FEFO across lots, then the next expiry for the rest",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 12)}, Stock: []AllocStock{
				bin("B-01", 1, "A", "L2", "2027-03-01", 10),
				bin("B-09", 9, "A", "L1", "2027-01-01", 8),
			}},
			want: []string{"SO1 | SO1:B-01:A:L2:4 SO1:B-09:A:L1:8"},
		},
		{
			name: "lots without a known expiry go last",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 5)}, Stock: []AllocStock{
				bin("B-01", 1, "A", "LX", "", 50),
				bin("B-05", 5, "A", "L9", "2030-12-31", 5),
			}},
			want: []string{"SO1 | SO1:B-05:A:L9:5"},
		},
		{
			name: "fewest locations: one bin that covers the whole line beats nearer partial bins",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 10)}, Stock: []AllocStock{
				bin("B-01", 1, "A", "", "", 4),
				bin("B-02", 2, "A", "", "", 6),
				bin("B-07", 7, "A", "", "", 12),
				bin("B-08", 8, "A", "", "", 30),
			}},
			want: []string{"SO1 | SO1:B-07:A::10"},
		},
		{
			name: "no bin covers it: largest first, ties by walking sequence",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 15)}, Stock: []AllocStock{
				bin("B-01", 1, "A", "", "", 3),
				bin("B-04", 4, "A", "", "", 6),
				bin("B-03", 3, "A", "", "", 6),
				bin("B-02", 2, "A", "", "", 5),
			}},
			// 6 at B-03 (sequence 3 before 4), 6 at B-04, then 3 left:
			// B-01 covers it and comes first in walking order.
			want: []string{"SO1 | SO1:B-01:A::3 SO1:B-03:A::6 SO1:B-04:A::6"},
		},
		{
			name: "reservations of open tasks are not allocated twice",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 5)}, Stock: []AllocStock{
				bin("B-01", 1, "A", "", "", 8),
				bin("B-02", 2, "A", "", "", 5),
			}, Reserved: map[PickKey]int64{{"B-01", "A", ""}: 6}},
			want: []string{"SO1 | SO1:B-02:A::5"},
		},
		{
			name: "what no bin holds is reported",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 5, "B", 2)}, Stock: []AllocStock{
				bin("B-01", 1, "A", "", "", 3),
			}},
			want:        []string{"SO1 | SO1:B-01:A::3"},
			unallocated: []Unallocated{{"SO1", "A", 2}, {"SO1", "B", 2}},
		},
		{
			name: "earlier orders take stock first",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 4), order("SO2", "A", 4)}, Stock: []AllocStock{
				bin("B-01", 1, "A", "", "", 6),
			}, BatchOrders: 1},
			want:        []string{"SO1 | SO1:B-01:A::4", "SO2 | SO2:B-01:A::2"},
			unallocated: []Unallocated{{"SO2", "A", 2}},
		},
		{
			name: "walking order: location sequence, then code",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 1, "B", 1, "C", 1, "D", 1)}, Stock: []AllocStock{
				bin("Z-01", 30, "A", "", "", 1),
				bin("A-01", 10, "B", "", "", 1),
				bin("C-01", 20, "C", "", "", 1),
				bin("B-01", 20, "D", "", "", 1),
			}},
			want: []string{"SO1 | SO1:A-01:B::1 SO1:B-01:D::1 SO1:C-01:C::1 SO1:Z-01:A::1"},
		},
		{
			name: "a large order is split every max_lines tasks in walking order",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 1, "B", 1, "C", 1, "D", 1, "E", 1)}, Stock: []AllocStock{
				bin("B-05", 5, "A", "", "", 1), bin("B-04", 4, "B", "", "", 1), bin("B-03", 3, "C", "", "", 1),
				bin("B-02", 2, "D", "", "", 1), bin("B-01", 1, "E", "", "", 1),
			}, MaxLines: 2, BatchLines: 1},
			want: []string{"SO1 | SO1:B-01:E::1 SO1:B-02:D::1", "SO1 | SO1:B-03:C::1 SO1:B-04:B::1", "SO1 | SO1:B-05:A::1"},
		},
		{
			name: "small orders are batched, up to batch_orders per list, in one walk",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 1), order("SO2", "B", 1), order("SO3", "A", 1),
				order("SO4", "C", 1, "D", 1, "E", 1)}, Stock: []AllocStock{
				bin("B-02", 2, "A", "", "", 5), bin("B-01", 1, "B", "", "", 5), bin("B-03", 3, "C", "", "", 5),
				bin("B-04", 4, "D", "", "", 5), bin("B-05", 5, "E", "", "", 5),
			}, BatchLines: 2, BatchOrders: 2},
			// SO4 has 3 lines, more than batch_lines: a list of its own.
			want: []string{"SO1,SO2 | SO2:B-01:B::1 SO1:B-02:A::1", "SO4 | SO4:B-03:C::1 SO4:B-04:D::1 SO4:B-05:E::1",
				"SO3 | SO3:B-02:A::1"},
		},
		{
			name: "a batch closes before it would pass max_lines",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 1, "B", 1), order("SO2", "A", 1, "B", 1)}, Stock: []AllocStock{
				bin("B-01", 1, "A", "", "", 5), bin("B-02", 2, "B", "", "", 5),
			}, MaxLines: 3},
			want: []string{"SO1 | SO1:B-01:A::1 SO1:B-02:B::1", "SO2 | SO2:B-01:A::1 SO2:B-02:B::1"},
		},
		{
			name: "re-allocation after a short pick: the short bin is left out",
			in: AllocInput{Orders: []AllocOrder{order("SO1", "A", 4)}, Stock: []AllocStock{
				bin("B-01", 1, "A", "L1", "2027-01-01", 4), // the ledger still shows 4; the picker found none
				bin("B-06", 6, "A", "L2", "2027-06-01", 9),
				bin("B-07", 7, "A", "L1", "2027-01-01", 2),
			}, Exclude: map[PickKey]bool{{"B-01", "A", "L1"}: true}, BatchOrders: 1},
			// FEFO still: L1's other bin first, then L2 for the rest.
			want: []string{"SO1 | SO1:B-06:A:L2:2 SO1:B-07:A:L1:2"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Allocate(tc.in)
			if gs := listStrings(got); !reflect.DeepEqual(gs, tc.want) {
				t.Errorf("lists:\n got %q\nwant %q", gs, tc.want)
			}
			if !reflect.DeepEqual(got.Unallocated, tc.unallocated) {
				t.Errorf("unallocated = %+v, want %+v", got.Unallocated, tc.unallocated)
			}
		})
	}
}

func TestAppendTasksKeepsWalkingOrderAndIDs(t *testing.T) {
	p := PickList{ID: "PL-000007", Orders: []string{"SO1"}}
	appendTasks(&p, []AllocTask{
		{Order: "SO1", Location: "B-05", Sequence: 5, SKU: "A", Qty: 2},
		{Order: "SO1", Location: "B-01", Sequence: 1, SKU: "B", Qty: 1},
	}, nil)
	appendTasks(&p, []AllocTask{{Order: "SO2", Location: "B-03", Sequence: 3, SKU: "A", Qty: 4}},
		map[string]int64{"B-01": 1, "B-05": 5})
	var got []string
	for _, tk := range p.Tasks {
		got = append(got, fmt.Sprintf("%d %s %s %s", tk.Seq, tk.ID, tk.Location, tk.Status))
	}
	want := []string{"1 PL-000007/2 B-01 open", "2 PL-000007/3 B-03 open", "3 PL-000007/1 B-05 open"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tasks = %q, want %q", got, want)
	}
	if strings.Join(p.Orders, ",") != "SO1,SO2" {
		t.Fatalf("orders = %v", p.Orders)
	}
}
