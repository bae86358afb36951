package httpapi

import (
	"net/http"
	"reflect"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/driftless/driftless/server"
)

// Replenishment on the REST API (server/replenish*.go, alerts.go,
// webhook.go). Supervisors (who act on their device's warehouse only):
//
//	GET  /reorder-rules               warehouse, sku → {items: [rule with name, on_hand, on_order,
//	                                  allocated, available, suggested, low]}
//	GET  /alerts                      warehouse, sku, status (active (default), cleared or all),
//	                                  limit → {items: [alerts, newest first]}
//	GET  /po-drafts                   warehouse, status (open (default), approved, discarded or
//	                                  all) → {items: [drafts, newest first]}
//	POST /po-drafts/generate          {warehouse} → {items: one open draft per supplier}
//	GET  /po-drafts/{id}              one draft
//	PUT  /po-drafts/{id}              {lines: [{sku, qty}]} (qty 0 removes) → the draft
//	POST /po-drafts/{id}/approve      → {draft, purchase_order} (an open purchase order)
//	POST /po-drafts/{id}/discard      {reason} → the draft
//
// Admins:
//
//	PUT  /reorder-rules               {warehouse, sku, method, supplier, lead_time_days,
//	                                  service_level, review_weeks, order_multiple, min_order_qty,
//	                                  min, max, override_rop} → the rule with its position
//	POST /reorder-rules/recompute     {warehouse} → {warehouse, rules, raised, cleared}
//	GET  /webhooks, POST              {url, secret, events, disabled} → 201 webhook (no secret)
//	GET  /webhooks/{id}, PUT          the same body (an empty secret keeps the old one)
//	GET  /webhooks/{id}/deliveries    limit → {items: [deliveries with attempts, newest first]}

func (s *Server) mountReplenishment(r chi.Router) {
	if s.Catalog == nil {
		return
	}
	rp := server.NewReplenisher(s.Catalog, nil)
	h := replenishHandlers{s: s, rp: rp}
	r.Group(func(r chi.Router) {
		r.Use(s.requireSupervisor)
		r.Get("/reorder-rules", h.listRules)
		r.Get("/alerts", h.listAlerts)
		r.Get("/po-drafts", h.listDrafts)
		r.Post("/po-drafts/generate", h.generateDrafts)
		r.Get("/po-drafts/{id}", h.getDraft)
		r.Put("/po-drafts/{id}", h.editDraft)
		r.Post("/po-drafts/{id}/approve", h.approveDraft)
		r.Post("/po-drafts/{id}/discard", h.discardDraft)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireAdmin)
		r.Put("/reorder-rules", h.putRule)
		r.Post("/reorder-rules/recompute", h.recompute)
		r.Get("/webhooks", h.listWebhooks)
		r.Post("/webhooks", h.createWebhook)
		r.Get("/webhooks/{id}", h.getWebhook)
		r.Put("/webhooks/{id}", h.updateWebhook)
		r.Get("/webhooks/{id}/deliveries", h.listDeliveries)
	})
}

type replenishHandlers struct {
	s  *Server
	rp *server.Replenisher
}

// ruleRequest is the body of PUT /reorder-rules: the fields set by hand.
type ruleRequest struct {
	Warehouse     string  `json:"warehouse"`
	SKU           string  `json:"sku"`
	Method        string  `json:"method"`
	Supplier      string  `json:"supplier"`
	LeadTimeDays  float64 `json:"lead_time_days"`
	ServiceLevel  float64 `json:"service_level"`
	ReviewWeeks   int     `json:"review_weeks"`
	OrderMultiple int64   `json:"order_multiple"`
	MinOrderQty   int64   `json:"min_order_qty"`
	Min           int64   `json:"min"`
	Max           int64   `json:"max"`
	OverrideROP   *int64  `json:"override_rop"`
}

type draftEdit struct {
	Lines []server.DraftQty `json:"lines"`
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

type approveAnswer struct {
	Draft         server.OrderDraft    `json:"draft"`
	PurchaseOrder server.PurchaseOrder `json:"purchase_order"`
}

type webhookRequest struct {
	URL      string   `json:"url"`
	Secret   string   `json:"secret"`
	Events   []string `json:"events"`
	Disabled bool     `json:"disabled"`
}

func (h replenishHandlers) listRules(w http.ResponseWriter, r *http.Request) {
	wh, err := warehouseOf(r, r.URL.Query().Get("warehouse"), false)
	if err != nil {
		writeError(w, r, err)
		return
	}
	rules, err := h.rp.Rules(r.Context(), wh, r.URL.Query().Get("sku"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.RuleStatus]{rules})
}

func (h replenishHandlers) putRule(w http.ResponseWriter, r *http.Request) {
	var in ruleRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	st, err := h.rp.PutRule(r.Context(), server.ReorderRule{Warehouse: in.Warehouse, SKU: in.SKU, Method: in.Method,
		Supplier: in.Supplier, LeadTimeDays: in.LeadTimeDays, ServiceLevel: in.ServiceLevel, ReviewWeeks: in.ReviewWeeks,
		OrderMultiple: in.OrderMultiple, MinOrderQty: in.MinOrderQty, Min: in.Min, Max: in.Max, OverrideROP: in.OverrideROP})
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h replenishHandlers) recompute(w http.ResponseWriter, r *http.Request) {
	var in warehouseRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	if in.Warehouse == "" {
		writeError(w, r, &server.Error{Code: server.EInvalid, Field: "warehouse", Message: "warehouse is required"})
		return
	}
	run, err := h.rp.Recompute(r.Context(), in.Warehouse, h.s.now())
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, run)
}

func limitParam(r *http.Request, def int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10000 {
		return 0, &server.Error{Code: server.EInvalid, Field: "limit", Message: "limit must be a number from 1 to 10000"}
	}
	return n, nil
}

func (h replenishHandlers) listAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	wh, err := warehouseOf(r, q.Get("warehouse"), false)
	if err != nil {
		writeError(w, r, err)
		return
	}
	limit, err := limitParam(r, 1000)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f := server.AlertFilter{Warehouse: wh, SKU: q.Get("sku"), Status: q.Get("status"), Newest: true, Limit: limit}
	switch f.Status {
	case "":
		f.Status = server.AlertActive
	case "all":
		f.Status = ""
	case server.AlertActive, server.AlertCleared:
	default:
		writeError(w, r, &server.Error{Code: server.EInvalid, Field: "status", Message: "status must be active, cleared or all"})
		return
	}
	as, err := h.s.Catalog.Alerts(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.Alert]{as})
}

func (h replenishHandlers) listDrafts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	wh, err := warehouseOf(r, q.Get("warehouse"), false)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f := server.OrderDraftFilter{Warehouse: wh, Status: q.Get("status"), Supplier: q.Get("supplier"), Limit: 1000}
	switch f.Status {
	case "":
		f.Status = server.DraftOpen
	case "all":
		f.Status = ""
	case server.DraftOpen, server.DraftApproved, server.DraftDiscarded:
	default:
		writeError(w, r, &server.Error{Code: server.EInvalid, Field: "status", Message: "status must be open, approved, discarded or all"})
		return
	}
	ds, err := h.rp.PODrafts(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.OrderDraft]{ds})
}

func (h replenishHandlers) generateDrafts(w http.ResponseWriter, r *http.Request) {
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
	ds, err := h.rp.GenerateDrafts(r.Context(), wh)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.OrderDraft]{ds})
}

// draft reads the draft of the route, checking a device's supervisor may
// act on its warehouse; false when it wrote an error.
func (h replenishHandlers) draft(w http.ResponseWriter, r *http.Request) (server.OrderDraft, bool) {
	d, err := h.rp.PODraft(r.Context(), chi.URLParam(r, "id"))
	if err == nil {
		_, err = warehouseOf(r, d.Warehouse, true)
	}
	if err != nil {
		writeError(w, r, err)
		return d, false
	}
	return d, true
}

func (h replenishHandlers) getDraft(w http.ResponseWriter, r *http.Request) {
	if d, ok := h.draft(w, r); ok {
		writeJSON(w, http.StatusOK, d)
	}
}

func (h replenishHandlers) editDraft(w http.ResponseWriter, r *http.Request) {
	var in draftEdit
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	d, ok := h.draft(w, r)
	if !ok {
		return
	}
	d, err := h.rp.UpdatePODraft(r.Context(), d.ID, in.Lines)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (h replenishHandlers) approveDraft(w http.ResponseWriter, r *http.Request) {
	d, ok := h.draft(w, r)
	if !ok {
		return
	}
	d, po, err := h.rp.ApprovePODraft(r.Context(), d.ID)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, approveAnswer{Draft: d, PurchaseOrder: po})
}

func (h replenishHandlers) discardDraft(w http.ResponseWriter, r *http.Request) {
	var in reasonRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			writeError(w, r, err)
			return
		}
	}
	d, ok := h.draft(w, r)
	if !ok {
		return
	}
	d, err := h.rp.DiscardPODraft(r.Context(), d.ID, in.Reason)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (h replenishHandlers) listWebhooks(w http.ResponseWriter, r *http.Request) {
	ws, err := h.s.Catalog.Webhooks(r.Context())
	if err != nil {
		writeError(w, r, err)
		return
	}
	if ws == nil {
		ws = []server.Webhook{}
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.Webhook]{ws})
}

func (h replenishHandlers) createWebhook(w http.ResponseWriter, r *http.Request) {
	var in webhookRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	wh, err := h.s.Catalog.CreateWebhook(r.Context(), server.Webhook{URL: in.URL, Secret: in.Secret, Events: in.Events, Disabled: in.Disabled})
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, wh)
}

func (h replenishHandlers) getWebhook(w http.ResponseWriter, r *http.Request) {
	wh, err := h.s.Catalog.Webhook(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wh)
}

func (h replenishHandlers) updateWebhook(w http.ResponseWriter, r *http.Request) {
	var in webhookRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	wh, err := h.s.Catalog.UpdateWebhook(r.Context(), server.Webhook{ID: chi.URLParam(r, "id"), URL: in.URL, Secret: in.Secret,
		Events: in.Events, Disabled: in.Disabled})
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wh)
}

func (h replenishHandlers) listDeliveries(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, 100)
	if err != nil {
		writeError(w, r, err)
		return
	}
	ds, err := h.s.Catalog.Deliveries(r.Context(), chi.URLParam(r, "id"), limit)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, itemsJSON[server.Delivery]{ds})
}

// describeReplenishment adds replenishment's routes to the OpenAPI document.
func (s *Server) describeReplenishment(d *openAPIDoc) {
	tags := []string{"replenishment"}
	sup, adm := server.RoleSupervisor, server.RoleAdmin
	errConflict := map[string]any{"$ref": "#/components/responses/Error"}
	draft := d.ref(reflect.TypeFor[server.OrderDraft]())
	drafts := d.ref(reflect.TypeFor[itemsJSON[server.OrderDraft]]())
	hook := d.ref(reflect.TypeFor[server.Webhook]())
	hookBody := jsonBody(d.ref(reflect.TypeFor[webhookRequest]()))
	rule := d.ref(reflect.TypeFor[server.RuleStatus]())
	d.add("GET", "/api/v1/reorder-rules", &apiOp{Summary: "Reorder rules with each SKU's position (on hand, on order, allocated, available) and suggested quantity",
		OperationID: "listReorderRules", Tags: tags, Role: sup, Parameters: queryParams("warehouse", "sku"),
		Responses: map[string]any{"200": jsonResponse("rules", d.ref(reflect.TypeFor[itemsJSON[server.RuleStatus]]()))}})
	d.add("PUT", "/api/v1/reorder-rules", &apiOp{Summary: "Set a SKU's reorder rule in a warehouse (rop, the default, or minmax; " +
		"override_rop replaces the computed reorder point); it is computed from usage at once and audited",
		OperationID: "putReorderRule", Tags: tags, Role: adm, RequestBody: jsonBody(d.ref(reflect.TypeFor[ruleRequest]())),
		Responses: map[string]any{"200": jsonResponse("the rule", rule)}})
	d.add("POST", "/api/v1/reorder-rules/recompute", &apiOp{Summary: "Recompute a warehouse's rules from usage now and check their alerts (the daily job does it too)",
		OperationID: "recomputeReorderRules", Tags: tags, Role: adm, RequestBody: jsonBody(d.ref(reflect.TypeFor[warehouseRequest]())),
		Responses: map[string]any{"200": jsonResponse("what it did", d.ref(reflect.TypeFor[server.RecomputeRun]()))}})
	d.add("GET", "/api/v1/alerts", &apiOp{Summary: "Low-stock alerts, newest first", OperationID: "listAlerts", Tags: tags, Role: sup,
		Parameters: queryParams("warehouse", "sku", "status:active (default), cleared or all", "limit:1 to 10000 (default 1000)"),
		Responses:  map[string]any{"200": jsonResponse("alerts", d.ref(reflect.TypeFor[itemsJSON[server.Alert]]()))}})
	d.add("GET", "/api/v1/po-drafts", &apiOp{Summary: "Purchase-order drafts, newest first", OperationID: "listPODrafts", Tags: tags, Role: sup,
		Parameters: queryParams("warehouse", "supplier", "status:open (default), approved, discarded or all"),
		Responses:  map[string]any{"200": jsonResponse("drafts", drafts)}})
	d.add("POST", "/api/v1/po-drafts/generate", &apiOp{Summary: "Draft one purchase order per supplier from the current suggestions (a supplier's open draft is rewritten)",
		OperationID: "generatePODrafts", Tags: tags, Role: sup, RequestBody: jsonBody(d.ref(reflect.TypeFor[warehouseRequest]())),
		Responses: map[string]any{"200": jsonResponse("the drafts written", drafts)}})
	d.add("GET", "/api/v1/po-drafts/{id}", &apiOp{Summary: "One draft", OperationID: "getPODraft", Tags: tags, Role: sup,
		Responses: map[string]any{"200": jsonResponse("the draft", draft)}})
	d.add("PUT", "/api/v1/po-drafts/{id}", &apiOp{Summary: "Edit an open draft's quantities (qty 0 removes a line; a new SKU is added)",
		OperationID: "editPODraft", Tags: tags, Role: sup, RequestBody: jsonBody(d.ref(reflect.TypeFor[draftEdit]())),
		Responses: map[string]any{"200": jsonResponse("the draft", draft), "409": errConflict}})
	d.add("POST", "/api/v1/po-drafts/{id}/approve", &apiOp{Summary: "Approve an open draft: it becomes an open purchase order, a receiving target on the warehouse's devices (audited)",
		OperationID: "approvePODraft", Tags: tags, Role: sup,
		Responses: map[string]any{"200": jsonResponse("the draft and its order", d.ref(reflect.TypeFor[approveAnswer]())), "409": errConflict}})
	d.add("POST", "/api/v1/po-drafts/{id}/discard", &apiOp{Summary: "Discard an open draft (audited)", OperationID: "discardPODraft",
		Tags: tags, Role: sup, RequestBody: jsonBody(d.ref(reflect.TypeFor[reasonRequest]())),
		Responses: map[string]any{"200": jsonResponse("the draft", draft), "409": errConflict}})
	d.add("GET", "/api/v1/webhooks", &apiOp{Summary: "Webhook endpoints (secrets are never shown)", OperationID: "listWebhooks", Tags: tags, Role: adm,
		Responses: map[string]any{"200": jsonResponse("endpoints", d.ref(reflect.TypeFor[itemsJSON[server.Webhook]]()))}})
	d.add("POST", "/api/v1/webhooks", &apiOp{Summary: "Add an endpoint told of alert.raised (the default) and/or alert.cleared; " +
		"bodies are signed X-Driftless-Signature: sha256=HMAC-SHA256(secret, body)",
		OperationID: "createWebhook", Tags: tags, Role: adm, RequestBody: hookBody, Responses: map[string]any{"201": jsonResponse("the endpoint", hook)}})
	d.add("GET", "/api/v1/webhooks/{id}", &apiOp{Summary: "One endpoint", OperationID: "getWebhook", Tags: tags, Role: adm,
		Responses: map[string]any{"200": jsonResponse("the endpoint", hook)}})
	d.add("PUT", "/api/v1/webhooks/{id}", &apiOp{Summary: "Replace an endpoint's fields (an empty secret keeps the old one)", OperationID: "updateWebhook",
		Tags: tags, Role: adm, RequestBody: hookBody, Responses: map[string]any{"200": jsonResponse("the endpoint", hook)}})
	d.add("GET", "/api/v1/webhooks/{id}/deliveries", &apiOp{Summary: "The delivery log: an endpoint's deliveries with every attempt, newest first",
		OperationID: "listWebhookDeliveries", Tags: tags, Role: adm, Parameters: queryParams("limit:1 to 10000 (default 100)"),
		Responses: map[string]any{"200": jsonResponse("deliveries", d.ref(reflect.TypeFor[itemsJSON[server.Delivery]]()))}})
}
