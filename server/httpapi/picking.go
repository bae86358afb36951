package httpapi

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/driftless/driftless/server"
)

// Picking on the REST API (admin token unless said otherwise):
//
//	POST /pick-waves                 allocate a wave: {warehouse, orders (empty: every
//	                                 open or partially picked order with quantity left),
//	                                 max_lines, batch_lines, batch_orders} → 201
//	                                 {lists, unallocated}
//	GET  /pick-lists                 list by id: warehouse, status, assigned_to, limit, after
//	GET  /pick-lists/{id}            one list with its tasks in walking order
//	POST /pick-lists/{id}/assign     {user} → the list, assigned
//	POST /pick-lists/{id}/cancel     → the list, cancelled (idempotent; 409 when done)
//	POST /pick-lists/next            device token: {user} (or X-Driftless-User) → the
//	                                 oldest open unassigned list of the device's
//	                                 warehouse, now assigned to the user; 404 when none
//	GET  /count-tasks                count tasks short picks raised: warehouse, status, limit

// pickListResource serves the list and get routes like a catalog resource.
func (s *Server) pickListResource() *resource[server.PickList] {
	return &resource[server.PickList]{list: "/pick-lists", item: "/pick-lists/{id}", name: "PickList",
		coll: s.Catalog.PickLists, key: codeParam("id"),
		filters: []filterParam{fWarehouse,
			{"status", "only lists in this status: " + joinStatuses(server.PickListStatuses), func(f *server.ListFilter, v string) { f.Status = v }},
			{"assigned_to", "only lists assigned to this user", func(f *server.ListFilter, v string) { f.AssignedTo = v }}}}
}

func joinStatuses[T ~string](all []T) string {
	s := make([]string, len(all))
	for i, a := range all {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// mountPicking adds the picking routes: the device's "next" and the
// admin's others.
func (s *Server) mountPicking(r chi.Router) {
	if s.Catalog == nil {
		return
	}
	r.With(s.requireRole(server.RolePicker)).Post("/pick-lists/next", s.nextPickList)
	r.Group(func(r chi.Router) {
		r.Use(s.requireAdmin)
		res := s.pickListResource()
		r.Post("/pick-waves", s.createPickWave)
		r.Get("/pick-lists", func(w http.ResponseWriter, r *http.Request) {
			if v := r.URL.Query().Get("status"); v != "" && !slices.Contains(server.PickListStatuses, server.PickListStatus(v)) {
				writeError(w, r, &server.Error{Code: server.EInvalid, Field: "status",
					Message: fmt.Sprintf("unknown status %q: use one of %s", v, joinStatuses(server.PickListStatuses))})
				return
			}
			res.listHandler(w, r)
		})
		r.Get("/pick-lists/{id}", res.get)
		r.Post("/pick-lists/{id}/assign", s.assignPickList)
		r.Post("/pick-lists/{id}/cancel", s.cancelPickList)
		r.Get("/count-tasks", s.listCountTasks)
	})
}

func (s *Server) createPickWave(w http.ResponseWriter, r *http.Request) {
	var in server.WaveRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	if in.Warehouse == "" {
		writeError(w, r, &server.Error{Code: server.EInvalid, Field: "warehouse", Message: "warehouse is required"})
		return
	}
	wave, err := s.Catalog.CreatePickWave(r.Context(), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, wave)
}

// userRequest is the body of assign and next.
type userRequest struct {
	User string `json:"user"`
}

func (s *Server) assignPickList(w http.ResponseWriter, r *http.Request) {
	var in userRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	p, err := s.Catalog.AssignPickList(r.Context(), chi.URLParam(r, "id"), in.User)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) cancelPickList(w http.ResponseWriter, r *http.Request) {
	p, err := s.Catalog.CancelPickList(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// nextPickList assigns the next list of the device's warehouse to the
// signed-in user (X-Driftless-User, with the PIN); the body's user, when
// given, must be the same.
func (s *Server) nextPickList(w http.ResponseWriter, r *http.Request) {
	dev, isDevice := deviceFrom(r.Context())
	var in userRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			writeError(w, r, err)
			return
		}
	}
	if !isDevice {
		writeError(w, r, server.Errorf(server.EInvalid, "a device asks for its next pick list, with its credentials"))
		return
	}
	c := callerFrom(r.Context())
	if in.User != "" && in.User != c.User {
		writeError(w, r, &server.Error{Code: server.EForbidden, Field: "user", Message: fmt.Sprintf("user must be the signed-in user %s", c.User)})
		return
	}
	in.User = c.User
	p, err := s.Catalog.NextPickList(r.Context(), dev.Warehouse, in.User)
	if err != nil {
		writeError(w, r, err)
		return
	}
	s.Log.Info("pick list assigned", "list", p.ID, "user", in.User, "device", dev.ID)
	writeJSON(w, http.StatusOK, p)
}

// countTaskList is the body of GET /count-tasks.
type countTaskList struct {
	Items []server.CountTask `json:"items"`
}

func (s *Server) listCountTasks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := server.CountTaskFilter{Warehouse: q.Get("warehouse"), Status: q.Get("status"), Limit: 1000}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "limit", Message: "limit must be a number from 1 to 10000"})
			return
		}
		f.Limit = n
	}
	cts, err := s.Catalog.CountTasks(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, countTaskList{Items: cts})
}

// describePicking adds the picking routes to the OpenAPI document.
func (s *Server) describePicking(d *openAPIDoc) {
	tags := []string{"Picking"}
	list := d.ref(reflect.TypeFor[server.PickList]())
	res := s.pickListResource()
	params := queryParams("limit:page size, 1 to 1000 (default 100)", "after:next_after of the previous page",
		"q:substring of the id or an order number", "archived:false (default), true or all")
	for _, f := range res.filters {
		params = append(params, queryParams(f.name+":"+f.doc)...)
	}
	d.add("POST", "/api/v1/pick-waves", &apiOp{Summary: "Allocate a pick wave: FEFO, then fewest locations, tasks in walking order; " +
		"lists split at max_lines (default 25), orders of at most batch_lines tasks (default 5) batched up to batch_orders (default 4)",
		OperationID: "createPickWave", Tags: tags, RequestBody: jsonBody(d.ref(reflect.TypeFor[server.WaveRequest]())),
		Responses: map[string]any{"201": jsonResponse("the lists created and what no stock was found for", d.ref(reflect.TypeFor[server.Wave]()))}})
	d.add("GET", "/api/v1/pick-lists", &apiOp{Summary: "List pick lists by id", OperationID: "listPickLists", Tags: tags,
		Parameters: params, Responses: map[string]any{"200": jsonResponse("a page", d.ref(reflect.TypeFor[listJSON[server.PickList]]()))}})
	d.add("GET", "/api/v1/pick-lists/{id}", &apiOp{Summary: "Get a pick list with its tasks in walking order", OperationID: "getPickList",
		Tags: tags, Responses: map[string]any{"200": jsonResponse("the list", list)}})
	d.add("POST", "/api/v1/pick-lists/{id}/assign", &apiOp{Summary: "Assign an open, assigned or in-progress list to a user",
		OperationID: "assignPickList", Tags: tags, RequestBody: jsonBody(d.ref(reflect.TypeFor[userRequest]())),
		Responses: map[string]any{"200": jsonResponse("the list", list), "409": map[string]any{"$ref": "#/components/responses/Error"}}})
	d.add("POST", "/api/v1/pick-lists/{id}/cancel", &apiOp{Summary: "Cancel a list that is not done (idempotent): its open tasks are cancelled",
		OperationID: "cancelPickList", Tags: tags,
		Responses: map[string]any{"200": jsonResponse("the list", list), "409": map[string]any{"$ref": "#/components/responses/Error"}}})
	d.add("POST", "/api/v1/pick-lists/next", &apiOp{Summary: "From a device: assign the oldest open unassigned list of its warehouse " +
		"to the signed-in user (X-Driftless-User with X-Driftless-PIN; the body's user, when given, must be the same); 404 when none waits",
		OperationID: "nextPickList", Tags: tags, Role: server.RolePicker,
		RequestBody: jsonBody(d.ref(reflect.TypeFor[userRequest]())),
		Responses:   map[string]any{"200": jsonResponse("the list, assigned", list)}})
	d.add("GET", "/api/v1/count-tasks", &apiOp{Summary: "List count tasks (short picks raise them), oldest first", OperationID: "listCountTasks",
		Tags: tags, Parameters: queryParams("warehouse", "status:open", "limit:1 to 10000 (default 1000)"),
		Responses: map[string]any{"200": jsonResponse("count tasks", d.ref(reflect.TypeFor[countTaskList]()))}})
}
