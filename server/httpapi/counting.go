package httpapi

import (
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/driftless/driftless/server"
)

// Counting on the REST API. Every route needs the supervisor role (the
// admin token, or a device with X-Driftless-User and X-Driftless-PIN of a
// supervisor, who acts on the device's warehouse only):
//
//	GET  /discrepancies                   the queue: warehouse, status (pending, or approved,
//	                                      rejected, recount, auto), limit → {items: [count with
//	                                      name, value, stock_now, movements, previous]}
//	GET  /discrepancies/{event_id}        one count with its evidence
//	POST /discrepancies/{event_id}/approve  {reason_code} → adjusted by the variance at count time
//	POST /discrepancies/{event_id}/reject   {reason}
//	POST /discrepancies/{event_id}/recount  {counter, reason} → a recount task for counter
//	GET  /accuracy                        warehouse, by (week, class, counter), from, to
//	                                      (YYYY-MM-DD), class, counter → {items: [rows]}
//	GET  /abc                             warehouse → {items: [SKU classes]}
//	POST /abc/recompute                   {warehouse} → {items}
//	GET  /count-schedule                  warehouse → {items: [bins with period and phase]}
//	GET  /count-settings, PUT             warehouse (query) → settings
//	POST /count-tasks                     {warehouse, location, due, assigned_to, reason} → 201 task
//	GET  /count-tasks/{id}                one task
//	POST /count-tasks/{id}/assign         {user} → the task
//	POST /count-tasks/{id}/cancel         → the task

func (s *Server) mountCounting(r chi.Router) {
	if s.Catalog == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.requireSupervisor)
		r.Get("/discrepancies", s.listDiscrepancies)
		r.Get("/discrepancies/{event_id}", s.getDiscrepancy)
		r.Post("/discrepancies/{event_id}/approve", s.decideDiscrepancy(server.CountApproved))
		r.Post("/discrepancies/{event_id}/reject", s.decideDiscrepancy(server.CountRejected))
		r.Post("/discrepancies/{event_id}/recount", s.decideDiscrepancy(server.CountRecounted))
		r.Get("/accuracy", s.accuracy)
		r.Get("/abc", s.listABC)
		r.Post("/abc/recompute", s.recomputeABC)
		r.Get("/count-schedule", s.countSchedule)
		r.Get("/count-settings", s.getCountSettings)
		r.Put("/count-settings", s.putCountSettings)
		r.Post("/count-tasks", s.createCountTask)
		r.Get("/count-tasks/{id}", s.getCountTask)
		r.Post("/count-tasks/{id}/assign", s.assignCountTask)
		r.Post("/count-tasks/{id}/cancel", s.cancelCountTask)
	})
}

// warehouseOf returns the warehouse a supervisor route acts on: the
// caller device's (a query for another is forbidden), else the query's;
// required says the route needs one.
func warehouseOf(r *http.Request, asked string, required bool) (string, error) {
	c := callerFrom(r.Context())
	if c.Warehouse != "" {
		if asked != "" && asked != c.Warehouse {
			return "", server.Errorf(server.EForbidden, "this device belongs to warehouse %s: it acts on that warehouse only", c.Warehouse)
		}
		return c.Warehouse, nil
	}
	if asked == "" && required {
		return "", &server.Error{Code: server.EInvalid, Field: "warehouse", Message: "warehouse is required"}
	}
	return asked, nil
}

type itemsJSON[T any] struct {
	Items []T `json:"items"`
}

func (s *Server) listDiscrepancies(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	wh, err := warehouseOf(r, q.Get("warehouse"), false)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f := server.DiscrepancyFilter{Warehouse: wh, Status: q.Get("status")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "limit", Message: "limit must be a number from 1 to 1000"})
			return
		}
		f.Limit = n
	}
	items, err := s.Ledger.Discrepancies(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.Discrepancy]{items})
}

func (s *Server) getDiscrepancy(w http.ResponseWriter, r *http.Request) {
	d, err := s.Ledger.Discrepancy(r.Context(), chi.URLParam(r, "event_id"))
	if err == nil {
		_, err = warehouseOf(r, d.Warehouse, false)
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// discrepancyRequest is the body of approve ({reason_code}), reject
// ({reason}) and recount ({counter, reason}).
type discrepancyRequest struct {
	ReasonCode string `json:"reason_code,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Counter    string `json:"counter,omitempty"`
}

func (s *Server) decideDiscrepancy(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in discrepancyRequest
		if err := decodeJSON(r, &in); err != nil {
			writeError(w, r, err)
			return
		}
		c := callerFrom(r.Context())
		dd := server.DiscrepancyDecision{Action: action, Reason: in.Reason, Counter: in.Counter, By: c.Actor(), Warehouse: c.Warehouse}
		if action == server.CountApproved {
			dd.Reason = in.ReasonCode
		}
		d, err := s.Ledger.DecideDiscrepancy(r.Context(), chi.URLParam(r, "event_id"), dd)
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, d)
	}
}

func parseDay(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return t, &server.Error{Code: server.EInvalid, Field: field, Message: field + " must be a date YYYY-MM-DD"}
	}
	return t, nil
}

func (s *Server) accuracy(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	wh, err := warehouseOf(r, q.Get("warehouse"), false)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f := server.AccuracyFilter{Warehouse: wh, By: server.AccuracyBy(q.Get("by")), Class: q.Get("class"), Counter: q.Get("counter")}
	if f.From, err = parseDay("from", q.Get("from")); err == nil {
		f.To, err = parseDay("to", q.Get("to"))
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // through the day
	}
	rows, err := s.Ledger.Accuracy(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.AccuracyRow]{rows})
}

func (s *Server) listABC(w http.ResponseWriter, r *http.Request) {
	wh, err := warehouseOf(r, r.URL.Query().Get("warehouse"), true)
	if err != nil {
		writeError(w, r, err)
		return
	}
	cs, err := s.Catalog.ABC(r.Context(), wh)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.SKUClass]{cs})
}

// warehouseRequest is a body naming a warehouse.
type warehouseRequest struct {
	Warehouse string `json:"warehouse"`
}

func (s *Server) recomputeABC(w http.ResponseWriter, r *http.Request) {
	var in warehouseRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	wh, err := warehouseOf(r, in.Warehouse, true)
	if err != nil {
		writeError(w, r, err)
		return
	}
	cs, err := s.Catalog.RecomputeABC(r.Context(), wh)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.SKUClass]{cs})
}

func (s *Server) countSchedule(w http.ResponseWriter, r *http.Request) {
	wh, err := warehouseOf(r, r.URL.Query().Get("warehouse"), true)
	if err != nil {
		writeError(w, r, err)
		return
	}
	bins, err := s.Catalog.CountSchedule(r.Context(), wh)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.ScheduledBin]{bins})
}

func (s *Server) getCountSettings(w http.ResponseWriter, r *http.Request) {
	wh, err := warehouseOf(r, r.URL.Query().Get("warehouse"), true)
	if err != nil {
		writeError(w, r, err)
		return
	}
	set, err := s.Catalog.CountSettings(r.Context(), wh)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, set)
}

func (s *Server) putCountSettings(w http.ResponseWriter, r *http.Request) {
	wh, err := warehouseOf(r, r.URL.Query().Get("warehouse"), true)
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in server.CountSettings
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	set, err := s.Catalog.SetCountSettings(r.Context(), wh, in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, set)
}

// countTaskRequest is the body of POST /count-tasks.
type countTaskRequest struct {
	Warehouse  string `json:"warehouse"`
	Location   string `json:"location"`
	Due        string `json:"due,omitempty"`
	AssignedTo string `json:"assigned_to,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

func (s *Server) createCountTask(w http.ResponseWriter, r *http.Request) {
	var in countTaskRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	wh, err := warehouseOf(r, in.Warehouse, true)
	if err != nil {
		writeError(w, r, err)
		return
	}
	t, err := s.Catalog.CreateCountTask(r.Context(), server.CountTask{Warehouse: wh, Location: in.Location, Due: in.Due,
		AssignedTo: in.AssignedTo, Reason: in.Reason})
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/count-tasks/"+t.ID)
	writeJSON(w, http.StatusCreated, t)
}

// countTaskOf returns the task a route names, if the caller may act on it.
func (s *Server) countTaskOf(r *http.Request) (server.CountTask, error) {
	t, err := s.Catalog.CountTask(r.Context(), chi.URLParam(r, "id"))
	if err == nil {
		_, err = warehouseOf(r, t.Warehouse, false)
	}
	return t, err
}

func (s *Server) getCountTask(w http.ResponseWriter, r *http.Request) {
	t, err := s.countTaskOf(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) assignCountTask(w http.ResponseWriter, r *http.Request) {
	var in userRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	t, err := s.countTaskOf(r)
	if err == nil {
		t, err = s.Catalog.AssignCountTask(r.Context(), t.ID, in.User)
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) cancelCountTask(w http.ResponseWriter, r *http.Request) {
	t, err := s.countTaskOf(r)
	if err == nil {
		t, err = s.Catalog.CancelCountTask(r.Context(), t.ID)
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// describeCounting adds counting's routes to the OpenAPI document.
func (s *Server) describeCounting(d *openAPIDoc) {
	tags := []string{"counting"}
	sup := server.RoleSupervisor
	errConflict := map[string]any{"$ref": "#/components/responses/Error"}
	disc := d.ref(reflect.TypeFor[server.Discrepancy]())
	task := d.ref(reflect.TypeFor[server.CountTask]())
	body := jsonBody(d.ref(reflect.TypeFor[discrepancyRequest]()))
	d.add("GET", "/api/v1/discrepancies", &apiOp{Summary: "The discrepancy queue: counts outside tolerance with their evidence, oldest first",
		OperationID: "listDiscrepancies", Tags: tags, Role: sup,
		Parameters: queryParams("warehouse", "status:pending (default), auto, approved, rejected or recount", "limit:1 to 1000 (default 500)"),
		Responses:  map[string]any{"200": jsonResponse("counts", d.ref(reflect.TypeFor[itemsJSON[server.Discrepancy]]()))}})
	d.add("GET", "/api/v1/discrepancies/{event_id}", &apiOp{Summary: "One count, decided or not, with its evidence",
		OperationID: "getDiscrepancy", Tags: tags, Role: sup, Responses: map[string]any{"200": jsonResponse("the count", disc)}})
	d.add("POST", "/api/v1/discrepancies/{event_id}/approve", &apiOp{Summary: "Approve: adjust the stock by the variance computed when the count arrived " +
		"(reason_code: miscount, damage, theft, unrecorded_receipt, unit_of_measure or other)",
		OperationID: "approveDiscrepancy", Tags: tags, Role: sup, RequestBody: body,
		Responses: map[string]any{"200": jsonResponse("the count, approved", disc), "409": errConflict}})
	d.add("POST", "/api/v1/discrepancies/{event_id}/reject", &apiOp{Summary: "Reject: the ledger stands (reason required)",
		OperationID: "rejectDiscrepancy", Tags: tags, Role: sup, RequestBody: body,
		Responses: map[string]any{"200": jsonResponse("the count, rejected", disc), "409": errConflict}})
	d.add("POST", "/api/v1/discrepancies/{event_id}/recount", &apiOp{Summary: "Recount: the ledger stands and another counter (not the first) counts the bin again",
		OperationID: "recountDiscrepancy", Tags: tags, Role: sup, RequestBody: body,
		Responses: map[string]any{"200": jsonResponse("the count, sent for a recount", disc), "409": errConflict}})
	d.add("GET", "/api/v1/accuracy", &apiOp{Summary: "Inventory accuracy (location, SKU, value) from decided counts, by ISO week, class or counter",
		OperationID: "accuracy", Tags: tags, Role: sup,
		Parameters: queryParams("warehouse", "by:week (default), class or counter", "from:first day YYYY-MM-DD", "to:last day YYYY-MM-DD",
			"class:only this class", "counter:only this counter"),
		Responses: map[string]any{"200": jsonResponse("rows", d.ref(reflect.TypeFor[itemsJSON[server.AccuracyRow]]()))}})
	classes := d.ref(reflect.TypeFor[itemsJSON[server.SKUClass]]())
	d.add("GET", "/api/v1/abc", &apiOp{Summary: "A warehouse's ABC classes of SKUs by usage value", OperationID: "listABC", Tags: tags, Role: sup,
		Parameters: queryParams("warehouse"), Responses: map[string]any{"200": jsonResponse("classes, A first", classes)}})
	d.add("POST", "/api/v1/abc/recompute", &apiOp{Summary: "Classify a warehouse's SKUs again now (the daily job does it too)",
		OperationID: "recomputeABC", Tags: tags, Role: sup, RequestBody: jsonBody(d.ref(reflect.TypeFor[warehouseRequest]())),
		Responses: map[string]any{"200": jsonResponse("classes, A first", classes)}})
	d.add("GET", "/api/v1/count-schedule", &apiOp{Summary: "A warehouse's count schedule: each bin's class, period and phase",
		OperationID: "countSchedule", Tags: tags, Role: sup, Parameters: queryParams("warehouse"),
		Responses: map[string]any{"200": jsonResponse("bins", d.ref(reflect.TypeFor[itemsJSON[server.ScheduledBin]]()))}})
	set := d.ref(reflect.TypeFor[server.CountSettings]())
	d.add("GET", "/api/v1/count-settings", &apiOp{Summary: "A warehouse's counting settings (ABC shares, periods, tolerances per class)",
		OperationID: "getCountSettings", Tags: tags, Role: sup, Parameters: queryParams("warehouse"),
		Responses: map[string]any{"200": jsonResponse("settings", set)}})
	d.add("PUT", "/api/v1/count-settings", &apiOp{Summary: "Set a warehouse's counting settings (missing fields take the defaults)",
		OperationID: "putCountSettings", Tags: tags, Role: sup, Parameters: queryParams("warehouse"), RequestBody: jsonBody(set),
		Responses: map[string]any{"200": jsonResponse("settings", set)}})
	d.add("POST", "/api/v1/count-tasks", &apiOp{Summary: "Raise a count task for a bin by hand (409 while the bin holds one)",
		OperationID: "createCountTask", Tags: tags, Role: sup, RequestBody: jsonBody(d.ref(reflect.TypeFor[countTaskRequest]())),
		Responses: map[string]any{"201": jsonResponse("the task", task), "409": errConflict}})
	d.add("GET", "/api/v1/count-tasks/{id}", &apiOp{Summary: "One count task", OperationID: "getCountTask", Tags: tags, Role: sup,
		Responses: map[string]any{"200": jsonResponse("the task", task)}})
	d.add("POST", "/api/v1/count-tasks/{id}/assign", &apiOp{Summary: "Assign an open or assigned task to a counter (not its not_by)",
		OperationID: "assignCountTask", Tags: tags, Role: sup, RequestBody: jsonBody(d.ref(reflect.TypeFor[userRequest]())),
		Responses: map[string]any{"200": jsonResponse("the task", task), "409": errConflict}})
	d.add("POST", "/api/v1/count-tasks/{id}/cancel", &apiOp{Summary: "Cancel an open or assigned task (idempotent)",
		OperationID: "cancelCountTask", Tags: tags, Role: sup,
		Responses: map[string]any{"200": jsonResponse("the task", task), "409": errConflict}})
}
