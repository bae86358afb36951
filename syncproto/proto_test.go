package syncproto

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden fixtures in testdata/")

var t0 = time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)

func fixtureEvent() Event {
	ev := Event{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e5f", DeviceID: "0193a5d0-0000-7000-8000-000000000001", Seq: 42,
		User: "ana", Kind: KindPutaway, SKU: "SKU-0001", Lot: "L2026-11", From: "DOCK-1", To: "A-01-1", Qty: 12,
		Ref: "PO-1001", DeviceTime: t0, SeenPosition: 1234}
	ev.Seal()
	return ev
}

// fixtureReceive is a receive against a purchase order of a lot with an
// expiry date, with the fields added later in schema version 1.
func fixtureReceive() Event {
	ev := Event{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e61", DeviceID: "0193a5d0-0000-7000-8000-000000000001", Seq: 44,
		User: "ana", Kind: KindReceive, SKU: "SKU-0001", Lot: "L2026-11", To: "DOCK-1", Qty: 12, Ref: "PO-1001",
		Expiry: "2027-03-31", DeviceTime: t0, SeenPosition: 1301}
	ev.Seal()
	return ev
}

// fixtureException is an unknown barcode flagged while receiving.
func fixtureException() Event {
	ev := Event{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e62", DeviceID: "0193a5d0-0000-7000-8000-000000000001", Seq: 45,
		User: "ana", Kind: KindException, Qty: 1, Reason: "unknown_barcode", Ref: "PO-1001",
		Barcode: "4006381999990", DeviceTime: t0, SeenPosition: 1301}
	ev.Seal()
	return ev
}

// fixturePick is a pick through a pick task; fixtureShortPick the
// short_pick exception that goes with it when the bin held less.
func fixturePick() Event {
	ev := Event{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e63", DeviceID: "0193a5d0-0000-7000-8000-000000000001", Seq: 46,
		User: "ana", Kind: KindPick, SKU: "SKU-0002", From: "A-03-2", Qty: 3, Ref: "SO-2002", Task: "PL-000123/2",
		DeviceTime: t0, SeenPosition: 1306}
	ev.Seal()
	return ev
}

func fixtureShortPick() Event {
	ev := Event{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e65", DeviceID: "0193a5d0-0000-7000-8000-000000000001", Seq: 47,
		User: "ana", Kind: KindException, Reason: "short_pick", SKU: "SKU-0002", From: "A-03-2", Qty: 1, Ref: "SO-2002",
		Task: "PL-000123/2", DeviceTime: t0, SeenPosition: 1306}
	ev.Seal()
	return ev
}

// fixtureCount is a blind count through a count task; fixtureDispute a
// put-away that found another quantity than was received.
func fixtureCount() Event {
	ev := Event{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e67", DeviceID: "0193a5d0-0000-7000-8000-000000000001", Seq: 49,
		User: "cara", Kind: KindCount, SKU: "SKU-0001", Lot: "L2026-11", From: "A-01-1", Qty: 11, Task: "CT-000042",
		DeviceTime: t0, SeenPosition: 1306}
	ev.Seal()
	return ev
}

func fixtureDispute() Event {
	ev := Event{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e68", DeviceID: "0193a5d0-0000-7000-8000-000000000001", Seq: 50,
		User: "ana", Kind: KindException, Reason: "putaway_dispute", SKU: "SKU-0002", From: "DOCK-1", Qty: 10, Ref: "PO-1001",
		DeviceTime: t0, SeenPosition: 1306}
	ev.Seal()
	return ev
}

// golden is one example of every message, as doc.go describes them.
func golden() map[string]*Message {
	ev := fixtureEvent()
	return map[string]*Message{
		"hello": {Type: TypeHello, Hello: &Hello{Protocol: 1, Schema: 1, AppVersion: "scanner/0.1.0", DeviceID: ev.DeviceID,
			Token: "tok_abc", AckedThrough: 41, LastSeq: 43, Cursor: 1234, DeviceTime: t0}},
		"welcome": {Type: TypeWelcome, Welcome: &Welcome{Protocol: 1, Schema: 1, ServerVersion: "0.1.0", Warehouse: "MAIN",
			AckedThrough: 41, ExpectedSeq: 42, Head: 1300, ServerTime: t0, ClockSkewMillis: -250, HeartbeatMillis: 10000,
			MaxMessageBytes: MaxMessageBytes, MaxBatch: MaxBatch}},
		"push": {Type: TypePush, Push: &Push{Events: []Event{ev}}},
		"ack": {Type: TypeAck, Ack: &Ack{AckedThrough: 43, Outcomes: []Outcome{
			{ID: ev.ID, Seq: 42, Status: StatusApplied, Position: 1301},
			{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e60", Seq: 43, Status: StatusParked, Code: CodeInsufficientStock,
				Reason: "A-01-1 holds 2 of SKU-0001, the event takes 5; waiting for a supervisor"}}}},
		"pull": {Type: TypePull, Pull: &Pull{Cursor: 1234, Limit: 500}},
		"changes": {Type: TypeChanges, Changes: &Changes{From: 1234, Cursor: 1301, More: false,
			Entries: []Entry{
				{Position: 1300, EventID: ev.ID, DeviceID: ev.DeviceID, Kind: KindPutaway, Location: "DOCK-1", SKU: "SKU-0001", Lot: "L2026-11", Delta: -12, Balance: 0, RecordedAt: t0},
				{Position: 1301, EventID: ev.ID, DeviceID: ev.DeviceID, Kind: KindPutaway, Location: "A-01-1", SKU: "SKU-0001", Lot: "L2026-11", Delta: 12, Balance: 14, RecordedAt: t0}},
			Levels: []Level{
				{Location: "DOCK-1", SKU: "SKU-0001", Lot: "L2026-11", Qty: 0, Position: 1300},
				{Location: "A-01-1", SKU: "SKU-0001", Lot: "L2026-11", Qty: 14, Position: 1301}}}},
		"poke":         {Type: TypePoke, Poke: &Poke{Head: 1302}},
		"pull-catalog": {Type: TypePull, Pull: &Pull{Cursor: 1234, Limit: 500, CatalogCursor: ptr(uint64(870))}},
		"changes-catalog": {Type: TypeChanges, Changes: &Changes{From: 1234, Cursor: 1234, Entries: []Entry{}, Levels: []Level{},
			CatalogFrom: 870, CatalogCursor: 874, Catalog: &Catalog{
				SKUs:     []SKU{{Code: "SKU-0001", Name: "Oat milk 1 l", Unit: "each", TrackLot: true, UnitCost: 129, Position: 871}},
				Barcodes: []Barcode{{Value: "4006381333931", SKU: "SKU-0001", Type: "gtin", Pack: 1, Position: 872}, {Value: "14006381333938", SKU: "SKU-0001", Type: "gtin", Pack: 12, Archived: true, Position: 873}},
				PurchaseOrders: []PurchaseOrder{{Number: "PO-1001", Supplier: "SUP-01", Status: "open", ExpectedDate: "2026-12-01",
					Lines: []POLine{{SKU: "SKU-0001", Ordered: 240, Received: 0}}, Position: 874}}}}},
		"poke-catalog":   {Type: TypePoke, Poke: &Poke{Head: 1302, CatalogHead: 874}},
		"push-exception": {Type: TypePush, Push: &Push{Events: []Event{fixtureReceive(), fixtureException()}}},
		"changes-users": {Type: TypeChanges, Changes: &Changes{From: 1301, Cursor: 1301, Entries: []Entry{}, Levels: []Level{},
			CatalogFrom: 874, CatalogCursor: 878, Catalog: &Catalog{
				Warehouses: []Warehouse{{Code: "MAIN", Name: "Main distribution centre", OverReceiptPct: 10, MinShelfLifeDays: 30, Position: 875}},
				PurchaseOrders: []PurchaseOrder{{Number: "PO-1001", Supplier: "SUP-01", Status: "partially_received", ExpectedDate: "2026-12-01",
					Lines: []POLine{{SKU: "SKU-0001", Ordered: 240, Received: 12}}, SSCCs: []string{"340063890000000010"}, Position: 877}},
				Users: []User{
					{Code: "ana", Name: "Ana Alves", Roles: []string{"receiver", "picker"},
						PINHash: "$2a$10$2Ud0Q3U5w7tTKpJ0b5JkUe1oVq6Q0Q0l3r6a2b7nRr4c1dJwq2b6K", Position: 876},
					{Code: "tom", Name: "Tom Berger", Roles: []string{"picker"}, PINHash: "", Archived: true, Position: 878}}}}},
		"push-pick": {Type: TypePush, Push: &Push{Events: []Event{fixturePick(), fixtureShortPick()}}},
		"changes-resolution": {Type: TypeChanges, Changes: &Changes{From: 1301, Cursor: 1306,
			Entries: []Entry{
				{Position: 1304, EventID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e60", DeviceID: ev.DeviceID, Kind: KindPick, Location: "A-01-1", SKU: "SKU-0001", Delta: -5, Balance: 0, RecordedAt: t0}},
			Levels: []Level{{Location: "A-01-1", SKU: "SKU-0001", Qty: 0, Position: 1304}},
			Resolutions: []Resolution{
				{EventID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e60", Seq: 43, Status: StatusApplied, Reason: "3 more found behind the shelf",
					By: "sue", At: t0, Position: 1305},
				{EventID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e66", Seq: 48, Status: StatusCancelled, Reason: "the order was changed",
					By: "sue", At: t0, Position: 1306}}}},
		"changes-picking": {Type: TypeChanges, Changes: &Changes{From: 1306, Cursor: 1306, Entries: []Entry{}, Levels: []Level{},
			CatalogFrom: 878, CatalogCursor: 881, Catalog: &Catalog{
				Locations: []Location{{Code: "TRANSIT", Type: "transit", Position: 879}},
				PickLists: []PickList{{ID: "PL-000123", Status: "assigned", AssignedTo: "ana", Orders: []string{"SO-2001", "SO-2002"},
					Tasks: []PickTask{
						{ID: "PL-000123/1", Seq: 1, Order: "SO-2001", Location: "A-01-1", SKU: "SKU-0001", Lot: "L2026-11", Expiry: "2027-03-31", Qty: 6, Picked: 6, Status: "picked"},
						{ID: "PL-000123/2", Seq: 2, Order: "SO-2002", Location: "A-03-2", SKU: "SKU-0002", Qty: 4, Picked: 0, Status: "open"}},
					Position: 880}},
				Transfers: []Transfer{{Number: "TR-0042", From: "MAIN", To: "NORTH", Status: "open",
					Lines: []TransferLine{{SKU: "SKU-0001", Lot: "L2026-11", Qty: 24, Shipped: 12, Received: 0}}, Position: 881}}}}},
		"push-count": {Type: TypePush, Push: &Push{Events: []Event{fixtureCount(), fixtureDispute()}}},
		"ack-count": {Type: TypeAck, Ack: &Ack{AckedThrough: 51, Outcomes: []Outcome{
			{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e67", Seq: 49, Status: StatusParked, Code: CodeCountVariance,
				Reason: "counted 11 of SKU-0001 lot L2026-11 at A-01-1, the ledger expected 14 (variance -3); waiting for a supervisor"},
			{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e68", Seq: 50, Status: StatusApplied},
			{ID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e69", Seq: 51, Status: StatusRejected, Code: CodeForbidden,
				Reason: "pete (Pete Park) may not record count events: that needs the counter role"}}}},
		"changes-counting": {Type: TypeChanges, Changes: &Changes{From: 1306, Cursor: 1308,
			Entries: []Entry{
				{Position: 1307, EventID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e70", DeviceID: "supervisor-MAIN", Kind: KindAdjust, Location: "A-01-1", SKU: "SKU-0001", Lot: "L2026-11", Delta: -3, Balance: 11, RecordedAt: t0}},
			Levels: []Level{{Location: "A-01-1", SKU: "SKU-0001", Lot: "L2026-11", Qty: 11, Position: 1307}},
			Resolutions: []Resolution{
				{EventID: "0193a5e0-7c2a-7b3e-9f00-5a1d2c3b4e67", Seq: 49, Status: StatusApplied, Reason: "approved: theft", By: "sue", At: t0, Position: 1308}},
			CatalogFrom: 881, CatalogCursor: 884, Catalog: &Catalog{
				CountTasks: []CountTask{
					{ID: "CT-000042", Location: "A-01-1", Status: "counted", AssignedTo: "cara", Reason: "scheduled", Class: "A", Due: "2026-11-29", Position: 882},
					{ID: "CT-000043", Location: "DOCK-1", Status: "open", Reason: "putaway_dispute", Class: "C", Due: "2026-11-29", Position: 883},
					{ID: "CT-000044", Location: "B-02-3", Status: "assigned", AssignedTo: "dan", NotBy: "cara", Reason: "recount", Class: "B", Due: "2026-11-29", Position: 884}}}}},
		"changes-alerts": {Type: TypeChanges, Changes: &Changes{From: 1310, Cursor: 1310,
			CatalogFrom: 900, CatalogCursor: 902, Catalog: &Catalog{
				Alerts: []Alert{
					{ID: "AL-000007", SKU: "SKU-0001", Available: 4, ReorderPoint: 20, OnOrder: 0, Suggested: 48, Status: "active",
						RaisedAt: "2026-11-29T12:00:00Z", Position: 901},
					{ID: "AL-000005", SKU: "SKU-0002", Available: 9, ReorderPoint: 10, OnOrder: 24, Suggested: 0, Status: "cleared",
						RaisedAt: "2026-11-28T08:30:00Z", Position: 902}}}}},
		"error":      {Type: TypeError, Error: &Error{Code: ErrSequenceGap, Message: "expected sequence 42, got 44: resend from 42", ExpectedSeq: 42}},
		"error-busy": {Type: TypeError, Error: &Error{Code: ErrBusy, Message: "the server is busy applying other devices' events", RetryAfterMillis: 1000}},
		"ping":       {Type: TypePing, Ping: &Ping{Nonce: 9}},
		"pong":       {Type: TypePong, Pong: &Pong{Nonce: 9}},
	}
}

func ptr[T any](v T) *T { return &v }

func TestGoldenFixtures(t *testing.T) {
	for name, m := range golden() {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name+".json")
			got, err := Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			// What WriteMessage sends, appended to a reused buffer.
			appended, err := appendMessage([]byte("reused"), m)
			if err != nil || !bytes.Equal(appended, append([]byte("reused"), got...)) {
				t.Fatalf("appendMessage differs from Marshal (%v):\n%s\n%s", err, appended, got)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, got, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			if *update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Fatalf("encoding of %s changed:\n got %s\nwant %s", name, pretty.Bytes(), want)
			}
			back, err := Unmarshal(want)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, m) {
				t.Fatalf("decoding the fixture gives %+v, want %+v", back, m)
			}
		})
	}
}

func TestEventHashIsStable(t *testing.T) {
	ev := fixtureEvent()
	// The hash is part of the protocol: changing the canonical encoding
	// breaks every outbox in the field. This value is fixed.
	const want = "sha256:f7aa04d7e9e8975d3418efd7287732362a619b6f56bd363136e513e4f471a19d"
	if ev.Hash != want || wantHash(t) != want {
		t.Fatalf("hash = %s, fixture has %s, want %s", ev.Hash, wantHash(t), want)
	}
	ev2 := ev
	ev2.DeviceTime = ev.DeviceTime.In(time.FixedZone("CET", 3600))
	if ev2.ComputeHash() != ev.Hash {
		t.Fatal("the hash depends on the time zone of device_time")
	}
	for _, mut := range []func(*Event){
		func(e *Event) { e.Qty++ }, func(e *Event) { e.Lot = "" }, func(e *Event) { e.To = "A-01-2" },
		func(e *Event) { e.SeenPosition++ }, func(e *Event) { e.Seq++ }, func(e *Event) { e.Reason = "x" },
		func(e *Event) { e.Serial = "S1" }, func(e *Event) { e.Expiry = "2027-01-01" }, func(e *Event) { e.Barcode = "b" },
	} {
		e := ev
		mut(&e)
		if e.ComputeHash() == ev.Hash {
			t.Fatalf("a changed payload kept its hash: %+v", e)
		}
	}
}

// wantHash reads the hash recorded in the push fixture.
func wantHash(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join("testdata", "push.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return m.Push.Events[0].Hash
}

func TestValidate(t *testing.T) {
	base := fixtureEvent()
	for _, tc := range []struct {
		field string
		mut   func(*Event)
	}{
		{"", func(e *Event) {}},
		{"kind", func(e *Event) { e.Kind = "teleport" }},
		{"qty", func(e *Event) { e.Qty = 0 }},
		{"qty", func(e *Event) { e.Qty = -3 }},
		{"from", func(e *Event) { e.From = "" }},
		{"to", func(e *Event) { e.To = "" }},
		{"to", func(e *Event) { e.To = e.From }},
		{"sku", func(e *Event) { e.SKU = "" }},
		{"reason", func(e *Event) { e.Kind = KindDamage; e.To = "" }},
		{"qty", func(e *Event) { e.Kind = KindAdjust; e.To = ""; e.Reason = "r"; e.Qty = 0 }},
		{"", func(e *Event) { e.Kind = KindAdjust; e.To = ""; e.Reason = "r"; e.Qty = -2 }},
		{"", func(e *Event) { e.Kind = KindCount; e.To = ""; e.Qty = 0 }},
		{"", func(e *Event) {
			e.Kind, e.SKU, e.From, e.To, e.Qty, e.Reason, e.Barcode = KindException, "", "", "", 1, "unknown_barcode", "123"
		}},
		{"barcode", func(e *Event) { e.Kind, e.SKU, e.From, e.To, e.Reason = KindException, "", "", "", "unknown_barcode" }},
		{"reason", func(e *Event) { e.Kind, e.From, e.To, e.Reason = KindException, "", "", "lost" }},
		{"qty", func(e *Event) { e.Kind, e.From, e.To, e.Reason, e.Qty = KindException, "", "", "damaged", -1 }},
		{"expiry", func(e *Event) { e.Expiry = "31.03.2027" }},
	} {
		e := base
		tc.mut(&e)
		e.Seal()
		err := e.Validate()
		if tc.field == "" {
			if err != nil {
				t.Errorf("%+v: unexpected %v", e, err)
			}
			continue
		}
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != tc.field {
			t.Errorf("%s: error %v, want a FieldError on %s", tc.field, err, tc.field)
		}
	}
	e := base
	e.Qty = 99 // not resealed
	if fe, ok := e.Validate().(*FieldError); !ok || fe.Field != "hash" {
		t.Fatalf("tampered event: %v", e.Validate())
	}
}

func TestUnmarshalErrors(t *testing.T) {
	for _, tc := range []struct{ in, code string }{
		{``, ErrBadMessage},
		{`[]`, ErrBadMessage},
		{`{"type":"push"}`, ErrBadMessage},
		{`{"type":"push","body":null}`, ErrBadMessage},
		{`{"type":"push","body":[1]}`, ErrBadMessage},
		{`{"type":"pull","body":{"cursor":-1}}`, ErrBadMessage},
		{`{"type":"nope","body":{}}`, ErrUnknownType},
		{`{"type":"push","body":{"events":[` + strings.Repeat(`{},`, MaxBatch) + `{}]}}`, ErrBadMessage},
		{strings.Repeat(" ", MaxMessageBytes+1), ErrMessageTooLarge},
	} {
		_, err := Unmarshal([]byte(tc.in))
		pe, ok := err.(*Error)
		if !ok || pe.Code != tc.code || pe.Message == "" {
			t.Errorf("%.40q: error %v, want %s", tc.in, err, tc.code)
		}
	}
}

// TestUnmarshalOnePass checks that the wire fixtures, as Marshal writes
// them, take the one-pass decoding and decode as step by step.
func TestUnmarshalOnePass(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		raw, _ := os.ReadFile(p)
		m, err := Unmarshal(raw)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		wire, _ := Marshal(m)
		fast, ok := unmarshalFast(wire)
		if !ok {
			t.Errorf("%s: Marshal's output does not take the one-pass decoding", p)
			continue
		}
		steps, _ := unmarshalSteps(wire)
		a, _ := Marshal(fast)
		b, _ := Marshal(steps)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: one pass %s, step by step %s", p, a, b)
		}
	}
	// A second body key, in another case, is left to the step by step
	// decoding (which keeps the last).
	if _, ok := unmarshalFast([]byte(`{"type":"push","body":{"events":[]},"BODY":{"events":[]}}`)); ok {
		t.Error("one pass took a message with two body keys")
	}
}

func FuzzUnmarshal(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte(`{"type":"push","body":{"events":[{"seq":1}]}}`))
	f.Add([]byte(`{"type":"push","body":{"events":[]},"Body":{"events":[{"seq":1}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Unmarshal(data)
		if fast, ok := unmarshalFast(data); ok {
			// The one-pass decoding must agree with the step by step one.
			steps, err := unmarshalSteps(data)
			if err != nil {
				t.Fatalf("one pass decoded %s, step by step refused it: %v", fast.Type, err)
			}
			a, _ := Marshal(fast)
			b, _ := Marshal(steps)
			if !bytes.Equal(a, b) {
				t.Fatalf("one pass decoded %s, step by step %s", a, b)
			}
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		// What decodes must encode, and decode again to the same message.
		b, err := Marshal(m)
		if err != nil {
			t.Fatalf("decoded %s but cannot encode it: %v", m.Type, err)
		}
		m2, err := Unmarshal(b)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		b2, _ := Marshal(m2)
		if !bytes.Equal(b, b2) {
			t.Fatalf("encoding is not stable:\n%s\n%s", b, b2)
		}
		if m.Type == TypePush {
			for i := range m.Push.Events {
				_ = m.Push.Events[i].Validate() // must not panic
			}
		}
	})
}
