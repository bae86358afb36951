package catalogmap

import "github.com/driftless/driftless/server"

// PickLists maps pick lists to their table; their tasks live in
// pick_tasks (number is the list's ID), which each store maps in its
// dialect like order lines. Orders are stored one per line of a text
// column (order numbers have no control characters).
var PickLists = &Table[server.PickList]{
	Name: "pick_lists", Kind: server.KindPickList,
	Cols:    []string{"id", "warehouse", "status", "assigned_to", "orders"},
	KeyCols: []string{"id"}, KeyArgs: CodeKey, Q: []string{"id", "orders"},
	Change: func(p *server.PickList) (string, string) { return p.Warehouse, p.ID },
	Values: func(p *server.PickList) []any {
		return []any{p.ID, p.Warehouse, string(p.Status), p.AssignedTo, Join(p.Orders, "\n")}
	},
	Dest: func(p *server.PickList) []any {
		return []any{&p.ID, &p.Warehouse, &p.Status, &p.AssignedTo, &Joined{&p.Orders, "\n"}}
	},
	Meta: func(p *server.PickList) *server.Meta { return &p.Meta },
	Filter: func(f *server.ListFilter) []Eq {
		return []Eq{{"warehouse", f.Warehouse}, {"status", f.Status}, {"assigned_to", f.AssignedTo}}
	},
}

// PickTaskCols are the columns of pick_tasks after number (the list's
// ID) and line.
var PickTaskCols = []string{"id", "seq", "order_number", "location", "sku", "lot", "expiry", "qty", "picked", "status"}

// PickTaskValues returns a task's column values, in PickTaskCols order.
func PickTaskValues(t *server.PickTask) []any {
	return []any{t.ID, t.Seq, t.Order, t.Location, t.SKU, t.Lot, t.Expiry, t.Qty, t.Picked, string(t.Status)}
}

// PickTaskDest returns a task's scan destinations, in PickTaskCols order.
func PickTaskDest(t *server.PickTask) []any {
	return []any{&t.ID, &t.Seq, &t.Order, &t.Location, &t.SKU, &t.Lot, &t.Expiry, &t.Qty, &t.Picked, &t.Status}
}

func init() { CountTables[PickLists.Kind] = PickLists.Name }
