package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// Conflicts: the supervisor's parked queue (the admin token, or a
// device's credentials plus the X-Driftless-User and X-Driftless-PIN
// headers of a user with the supervisor role: auth.go), transfers between
// warehouses and the moves devices made (admin).

// UserHeader names the user signed in on a device that calls a
// supervisor route with its device credentials.
const UserHeader = "X-Driftless-User"

// supervisorKey is the context key of the supervisor a route acts for.
type supervisorKey struct{}

// supervisor is who calls a supervisor route: the admin, or a user on a
// device of one warehouse.
type supervisor struct {
	user      string // "" for the admin token
	warehouse string // "" for the admin token: every warehouse
}

func supervisorFrom(ctx context.Context) supervisor {
	s, _ := ctx.Value(supervisorKey{}).(supervisor)
	return s
}

// mountSupervisor mounts the supervisor routes (their own auth).
func (s *Server) mountSupervisor(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireSupervisor)
		r.Get("/parked", s.listParked)
		r.Get("/parked/{event_id}", s.getParked)
		r.Post("/parked/{event_id}/accept", s.decideParked(syncproto.StatusApplied))
		r.Post("/parked/{event_id}/cancel", s.decideParked(syncproto.StatusCancelled))
	})
}

// mountConflicts mounts the admin routes of transfers and moves.
func (s *Server) mountConflicts(r chi.Router) {
	r.Get("/moves", s.listMoves)
	if s.Catalog == nil {
		return
	}
	r.Get("/transfers", s.listTransfers)
	r.Post("/transfers", s.createTransfer)
	r.Get("/transfers/{number}", s.getTransfer)
	r.Post("/transfers/{number}/cancel", s.cancelTransfer)
}

// parkedList is the body of GET /api/v1/parked.
type parkedList struct {
	Items []server.ParkedEvent `json:"items"`
}

func (s *Server) listParked(w http.ResponseWriter, r *http.Request) {
	sup := supervisorFrom(r.Context())
	q := r.URL.Query()
	f := server.ParkedFilter{Warehouse: q.Get("warehouse")}
	if sup.warehouse != "" {
		if f.Warehouse != "" && f.Warehouse != sup.warehouse {
			writeError(w, r, server.Errorf(server.EForbidden, "this device belongs to warehouse %s: it shows that warehouse's queue only", sup.warehouse))
			return
		}
		f.Warehouse = sup.warehouse
	}
	switch q.Get("status") {
	case "", string(syncproto.StatusParked):
	case "decided":
		f.Decided = true
	default:
		writeError(w, r, &server.Error{Code: server.EInvalid, Field: "status", Message: "status is parked (waiting, the default) or decided"})
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "limit", Message: "limit must be a number from 1 to 1000"})
			return
		}
		f.Limit = n
	}
	items, err := s.Ledger.Parked(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, parkedList{items})
}

func (s *Server) getParked(w http.ResponseWriter, r *http.Request) {
	sup := supervisorFrom(r.Context())
	pe, err := s.Ledger.ParkedEvent(r.Context(), chi.URLParam(r, "event_id"))
	if err == nil && sup.warehouse != "" && pe.Warehouse != sup.warehouse {
		err = server.Errorf(server.EForbidden, "event %s belongs to warehouse %s", pe.EventID, pe.Warehouse)
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pe)
}

// decisionRequest is the body of POST /api/v1/parked/{event_id}/accept
// and /cancel. By is the supervisor's user code: required with the admin
// token; from a device it is the signed-in user (X-Driftless-User).
type decisionRequest struct {
	Reason string `json:"reason"`
	By     string `json:"by,omitempty"`
}

func (s *Server) decideParked(status syncproto.Status) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sup := supervisorFrom(r.Context())
		var in decisionRequest
		if err := decodeJSON(r, &in); err != nil {
			writeError(w, r, err)
			return
		}
		by := strings.TrimSpace(in.By)
		if sup.user != "" {
			if by != "" && by != sup.user {
				writeError(w, r, &server.Error{Code: server.EForbidden, Field: "by",
					Message: fmt.Sprintf("by must be the signed-in supervisor %s", sup.user)})
				return
			}
			by = sup.user
		}
		pe, err := s.Ledger.Resolve(r.Context(), chi.URLParam(r, "event_id"),
			server.Decision{Status: status, Reason: in.Reason, By: by, Warehouse: sup.warehouse})
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, pe)
	}
}

// transferList is a page of transfers.
type transferList struct {
	Items     []server.Transfer `json:"items"`
	NextAfter string            `json:"next_after,omitempty"`
}

func (s *Server) listTransfers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := server.TransferFilter{Warehouse: q.Get("warehouse"), Status: server.TransferStatus(q.Get("status")), After: q.Get("after"), Limit: defaultPage}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "limit", Message: fmt.Sprintf("limit must be a number from 1 to %d", maxPage)})
			return
		}
		f.Limit = n
	}
	ts, err := s.Catalog.Transfers(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := transferList{Items: ts}
	if out.Items == nil {
		out.Items = []server.Transfer{}
	}
	if len(ts) == f.Limit {
		out.NextAfter = ts[len(ts)-1].Number
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createTransfer(w http.ResponseWriter, r *http.Request) {
	var in server.Transfer
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	t, err := s.Catalog.CreateTransfer(r.Context(), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/transfers/"+t.Number)
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) getTransfer(w http.ResponseWriter, r *http.Request) {
	t, err := s.Catalog.Transfer(r.Context(), chi.URLParam(r, "number"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) cancelTransfer(w http.ResponseWriter, r *http.Request) {
	t, err := s.Catalog.CancelTransfer(r.Context(), chi.URLParam(r, "number"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) listMoves(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 1000
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "limit", Message: "limit must be a number from 1 to 10000"})
			return
		}
		limit = n
	}
	recs, err := s.Ledger.Moves(r.Context(), q.Get("warehouse"), q.Get("ref"), limit)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items []eventJSON `json:"items"`
	}{eventsJSON(recs)})
}

// describeConflicts adds the conflict routes to the OpenAPI document.
func (s *Server) describeConflicts(d *openAPIDoc) {
	const sup = server.RoleSupervisor
	pe := d.ref(reflect.TypeFor[server.ParkedEvent]())
	conflict := map[string]any{"$ref": "#/components/responses/Error"}
	d.add("GET", "/api/v1/parked", &apiOp{Summary: "The supervisor's queue: parked events with their evidence (the competing events at the same stock after what the device had seen, and the stock now), oldest first",
		OperationID: "listParked", Tags: []string{"Parked"}, Role: sup,
		Parameters: queryParams("warehouse:the warehouse (a device's own when called from a device)", "status:parked (waiting, default) or decided", "limit:1 to 1000 (default 500)"),
		Responses:  map[string]any{"200": jsonResponse("parked events", d.ref(reflect.TypeFor[parkedList]())), "403": conflict}})
	d.add("GET", "/api/v1/parked/{event_id}", &apiOp{Summary: "One parked (or decided) event with its evidence", OperationID: "getParked",
		Tags: []string{"Parked"}, Role: sup, Responses: map[string]any{"200": jsonResponse("the event", pe), "403": conflict}})
	body := jsonBody(d.ref(reflect.TypeFor[decisionRequest]()))
	d.add("POST", "/api/v1/parked/{event_id}/accept", &apiOp{Summary: "Accept a parked event: in one transaction an adjust of the supervisor device adds what its location lacked (with the reason), then the event applies; the device receives the resolution in its pulls. Accepting again returns the decision; 409 when the event is not parked",
		OperationID: "acceptParked", Tags: []string{"Parked"}, Role: sup, RequestBody: body,
		Responses: map[string]any{"200": jsonResponse("accepted", pe), "403": conflict, "409": conflict}})
	d.add("POST", "/api/v1/parked/{event_id}/cancel", &apiOp{Summary: "Cancel a parked event: it never applies and stays listed as cancelled; the device receives the resolution. Cancelling again returns the decision; 409 when the event is not parked",
		OperationID: "cancelParked", Tags: []string{"Parked"}, Role: sup, RequestBody: body,
		Responses: map[string]any{"200": jsonResponse("cancelled", pe), "403": conflict, "409": conflict}})
	type eventList struct {
		Items []eventJSON `json:"items"`
	}
	d.add("GET", "/api/v1/moves", &apiOp{Summary: "List move events (transfer shipments included) and their outcomes, newest first", OperationID: "listMoves",
		Tags: []string{"Events"}, Parameters: queryParams("warehouse", "ref:a transfer number", "limit:1 to 10000 (default 1000)"),
		Responses: map[string]any{"200": jsonResponse("moves", d.ref(reflect.TypeFor[eventList]()))}})
	if s.Catalog == nil {
		return
	}
	tr := d.ref(reflect.TypeFor[server.Transfer]())
	d.add("GET", "/api/v1/transfers", &apiOp{Summary: "List transfers between warehouses by number", OperationID: "listTransfers",
		Tags: []string{"Transfers"}, Parameters: queryParams("warehouse:from or to it", "status:open, shipped, received or cancelled",
			"after:next_after of the previous page", "limit:page size, 1 to 1000 (default 100)"),
		Responses: map[string]any{"200": jsonResponse("a page", d.ref(reflect.TypeFor[transferList]()))}})
	d.add("POST", "/api/v1/transfers", &apiOp{Summary: "Create an open transfer (number, from, to, lines of sku, lot, qty); the sending warehouse needs a transit location",
		OperationID: "createTransfer", Tags: []string{"Transfers"}, RequestBody: jsonBody(tr),
		Responses: map[string]any{"201": jsonResponse("created", tr), "409": conflict}})
	d.add("GET", "/api/v1/transfers/{number}", &apiOp{Summary: "Get a transfer with its shipped and received quantities", OperationID: "getTransfer",
		Tags: []string{"Transfers"}, Responses: map[string]any{"200": jsonResponse("the transfer", tr)}})
	d.add("POST", "/api/v1/transfers/{number}/cancel", &apiOp{Summary: "Cancel a transfer nothing was shipped or received on (409 otherwise)",
		OperationID: "cancelTransfer", Tags: []string{"Transfers"}, Responses: map[string]any{"200": jsonResponse("cancelled", tr), "409": conflict}})
}
