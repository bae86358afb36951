package httpapi

import (
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/csvio"
	"github.com/driftless/driftless/syncproto"
)

// The OpenAPI 3 document is built from the same descriptions the router
// mounts (the catalog resources) plus the hand-written routes below, and
// schemas come from the Go types the handlers encode, so the document
// cannot drift from the code unnoticed: TestOpenAPIMatchesRoutes walks
// the router and compares.

type openAPIDoc struct {
	OpenAPI    string                       `json:"openapi"`
	Info       map[string]string            `json:"info"`
	Paths      map[string]map[string]*apiOp `json:"paths"`
	Components map[string]map[string]any    `json:"components"`
	Security   []map[string][]string        `json:"security,omitempty"`
	Tags       []map[string]string          `json:"tags,omitempty"`
	schemas    map[reflect.Type]string      // type → component name
}

type apiOp struct {
	Summary     string                `json:"summary"`
	OperationID string                `json:"operationId"`
	Tags        []string              `json:"tags,omitempty"`
	Parameters  []apiParam            `json:"parameters,omitempty"`
	RequestBody map[string]any        `json:"requestBody,omitempty"`
	Responses   map[string]any        `json:"responses"`
	Security    []map[string][]string `json:"security"`
	// Role is the role the route requires (auth.go): public, device, a
	// user role, or user (any role). d.add fills it in from Security when
	// it is empty (none: admin) and sets Security from it.
	Role server.Role `json:"x-driftless-role"`
}

type apiParam struct {
	Name        string         `json:"name"`
	In          string         `json:"in"`
	Required    bool           `json:"required,omitempty"`
	Description string         `json:"description,omitempty"`
	Schema      map[string]any `json:"schema"`
}

var (
	// userSecurity is how user-level routes are called: the admin token,
	// or a device's credentials with the user's code and PIN.
	userSecurity = []map[string][]string{{"adminToken": {}}, {"deviceToken": {}, "userCode": {}, "userPIN": {}}}
	public       = []map[string][]string{}
	strSchema    = map[string]any{"type": "string"}
	intSchema    = map[string]any{"type": "integer"}
)

func (d *openAPIDoc) add(method, path string, op *apiOp) {
	if d.Paths[path] == nil {
		d.Paths[path] = map[string]*apiOp{}
	}
	for _, seg := range strings.Split(path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			op.Parameters = append([]apiParam{{Name: name, In: "path", Required: true, Schema: strSchema}}, op.Parameters...)
		}
	}
	op.Role, op.Security = opRole(op), nil
	switch op.Role {
	case RolePublic:
		op.Security = public
	case RoleDevice:
		op.Security = []map[string][]string{{"deviceToken": {}}}
	default:
		op.Security = userSecurity
	}
	if op.Responses == nil {
		op.Responses = map[string]any{}
	}
	codes := []string{"400", "401", "404"}
	if op.Role != RolePublic && op.Role != RoleDevice {
		codes = append(codes, "403", "429")
	}
	for _, code := range codes {
		if _, ok := op.Responses[code]; !ok && (code != "401" || len(op.Security) > 0) {
			op.Responses[code] = map[string]any{"$ref": "#/components/responses/Error"}
		}
	}
	d.Paths[path][strings.ToLower(method)] = op
}

// ref returns a schema for a Go type, adding named structs to the components.
func (d *openAPIDoc) ref(t reflect.Type) map[string]any {
	switch {
	case t == reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		return d.ref(t.Elem())
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case t.Kind() == reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": d.ref(t.Elem())}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": d.ref(t.Elem())}
	case t.Kind() == reflect.Struct:
		name, ok := d.schemas[t]
		if !ok {
			name = t.Name()
			if i := strings.IndexByte(name, '['); i >= 0 {
				name = name[:i]
			}
			d.schemas[t] = name
			d.Components["schemas"][name] = d.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// object is the schema of a struct's JSON encoding (embedded structs
// flattened, as encoding/json does).
func (d *openAPIDoc) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var collect func(t reflect.Type)
	collect = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if f.Anonymous && tag == "" {
				collect(f.Type)
				continue
			}
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			props[name] = d.ref(f.Type)
		}
	}
	collect(t)
	return map[string]any{"type": "object", "properties": props}
}

func jsonBody(schema map[string]any) map[string]any {
	return map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schema}}}
}

func jsonResponse(desc string, schema map[string]any) map[string]any {
	return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": schema}}}
}

func queryParams(names ...string) []apiParam {
	out := make([]apiParam, 0, len(names))
	for _, n := range names {
		name, doc, _ := strings.Cut(n, ":")
		s := strSchema
		if name == "limit" {
			s = intSchema
		}
		out = append(out, apiParam{Name: name, In: "query", Description: doc, Schema: s})
	}
	return out
}

func (res *resource[T]) describe(d *openAPIDoc) {
	rec := d.ref(reflect.TypeFor[T]())
	page := d.ref(reflect.TypeFor[listJSON[T]]())
	tag := res.name
	noun := strings.ToLower(res.name)
	params := queryParams("limit:page size, 1 to 1000 (default 100)", "after:next_after of the previous page",
		"q:substring of the code, name or number", "archived:false (default), true or all")
	for _, f := range res.filters {
		params = append(params, queryParams(f.name+":"+f.doc)...)
	}
	d.add("GET", "/api/v1"+res.list, &apiOp{Summary: "List " + noun + " records in key order", OperationID: "list" + res.name,
		Tags: []string{tag}, Parameters: params, Responses: map[string]any{"200": jsonResponse("a page", page)}})
	d.add("POST", "/api/v1"+res.list, &apiOp{Summary: "Create a " + noun, OperationID: "create" + res.name, Tags: []string{tag},
		RequestBody: jsonBody(rec), Responses: map[string]any{"201": jsonResponse("created", rec),
			"409": map[string]any{"$ref": "#/components/responses/Error"}}})
	d.add("GET", "/api/v1"+res.item, &apiOp{Summary: "Get a " + noun, OperationID: "get" + res.name, Tags: []string{tag},
		Responses: map[string]any{"200": jsonResponse("the record", rec)}})
	d.add("PUT", "/api/v1"+res.item, &apiOp{Summary: "Replace a " + noun + "'s fields (archived state kept)", OperationID: "update" + res.name,
		Tags: []string{tag}, RequestBody: jsonBody(rec), Responses: map[string]any{"200": jsonResponse("updated", rec)}})
	d.add("POST", "/api/v1"+res.item+"/archive", &apiOp{Summary: "Archive a " + noun + " (idempotent)", OperationID: "archive" + res.name,
		Tags: []string{tag}, Responses: map[string]any{"200": jsonResponse("archived", rec)}})
	d.add("POST", "/api/v1"+res.item+"/restore", &apiOp{Summary: "Restore an archived " + noun, OperationID: "restore" + res.name,
		Tags: []string{tag}, Responses: map[string]any{"200": jsonResponse("restored", rec)}})
}

// buildOpenAPI makes the document.
func (s *Server) buildOpenAPI() *openAPIDoc {
	d := &openAPIDoc{
		OpenAPI: "3.0.3",
		Info: map[string]string{"title": "Driftless sync server", "version": server.Version,
			"description": "REST API of syncd. Each operation's x-driftless-role is the role it requires: public, device ('Authorization: Device ID:TOKEN'), " +
				"or a user role, which the admin token ('Authorization: Bearer ADMIN_TOKEN') passes, as does a device's credentials with the headers X-Driftless-User and X-Driftless-PIN of an active user holding the role " +
				"(a supervisor passes the floor roles, an admin all; 'user' is any role). Errors are {\"error\": {\"code\", \"message\", \"field\"}}."},
		Paths: map[string]map[string]*apiOp{},
		Components: map[string]map[string]any{
			"schemas": {},
			"securitySchemes": {"adminToken": map[string]any{"type": "http", "scheme": "bearer",
				"description": "the admin token (syncd serve --admin-token, $DRIFTLESS_ADMIN_TOKEN or DATA/admin.token)"}},
			"responses": {},
		},
		schemas: map[reflect.Type]string{},
	}
	d.Components["responses"]["Error"] = jsonResponse("an error: code, message and the offending field", d.ref(reflect.TypeFor[errorJSON]()))
	status := map[string]any{"type": "object", "properties": map[string]any{"status": strSchema}}
	d.add("GET", "/healthz", &apiOp{Summary: "Liveness", OperationID: "healthz", Security: public,
		Responses: map[string]any{"200": jsonResponse("alive", status)}})
	d.add("GET", "/readyz", &apiOp{Summary: "Readiness: the database answers", OperationID: "readyz", Security: public,
		Responses: map[string]any{"200": jsonResponse("ready", status), "503": map[string]any{"$ref": "#/components/responses/Error"}}})
	d.add("GET", "/api/v1/openapi.json", &apiOp{Summary: "This document", OperationID: "openapi", Security: public,
		Responses: map[string]any{"200": map[string]any{"description": "the OpenAPI 3 document"}}})
	d.add("GET", "/api/v1/sync", &apiOp{Summary: "The device sync websocket (subprotocol " + syncproto.Subprotocol + "; see syncproto/doc.go)",
		OperationID: "sync", Security: public,
		Responses: map[string]any{"101": map[string]any{"description": "switching to the websocket"}}})
	d.add("GET", "/api/v1/stock", &apiOp{Summary: "List stock levels in key order", OperationID: "listStock", Tags: []string{"Stock"},
		Parameters: queryParams("warehouse", "location", "sku", "limit:1 to 10000 (default 1000)", "after:next_after of the previous page"),
		Responses: map[string]any{"200": jsonResponse("a page", d.ref(reflect.TypeFor[struct {
			Items     []stockJSON `json:"items"`
			NextAfter string      `json:"next_after,omitempty"`
		}]()))}})
	type eventList struct {
		Items []eventJSON `json:"items"`
	}
	d.add("POST", "/api/v1/devices", &apiOp{Summary: "Enroll a device; its token and an enrollment code are shown once",
		OperationID: "addDevice", Tags: []string{"Devices"},
		RequestBody: jsonBody(d.ref(reflect.TypeFor[addDeviceRequest]())),
		Responses:   map[string]any{"201": jsonResponse("enrolled", d.ref(reflect.TypeFor[addedDevice]()))}})
	type codeTTL struct {
		CodeTTL string `json:"code_ttl,omitempty"`
	}
	d.add("POST", "/api/v1/devices/{id}/code", &apiOp{Summary: "Issue a fresh enrollment code for a device (its earlier unused codes stop working)",
		OperationID: "issueEnrollmentCode", Tags: []string{"Devices"},
		RequestBody: map[string]any{"required": false, "content": map[string]any{"application/json": map[string]any{"schema": d.ref(reflect.TypeFor[codeTTL]())}}},
		Responses:   map[string]any{"201": jsonResponse("the code, shown once", d.ref(reflect.TypeFor[enrollmentCodeJSON]()))}})
	d.add("POST", "/api/v1/enroll", &apiOp{Summary: "Redeem an enrollment code (XXXX-XXXX, any case, dash optional): the device gets a new token",
		OperationID: "enroll", Tags: []string{"Devices"}, Security: public,
		RequestBody: jsonBody(d.ref(reflect.TypeFor[enrollRequest]())),
		Responses: map[string]any{"200": jsonResponse("enrolled", d.ref(reflect.TypeFor[EnrollResponse]())),
			"429": map[string]any{"$ref": "#/components/responses/Error"}}})
	d.add("GET", "/api/v1/exceptions", &apiOp{Summary: "List the exceptions clerks flagged on devices, newest first", OperationID: "listExceptions",
		Tags: []string{"Events"}, Parameters: queryParams("warehouse", "reason:"+strings.Join(syncproto.ExceptionReasons, ", "),
			"ref:the purchase order number", "limit:1 to 10000 (default 1000)"),
		Responses: map[string]any{"200": jsonResponse("exceptions", d.ref(reflect.TypeFor[exceptionList]()))}})
	d.add("GET", "/api/v1/unknown-barcodes", &apiOp{Summary: "List scanned barcodes no catalog barcode maps yet, most recently seen first",
		OperationID: "listUnknownBarcodes", Tags: []string{"Events"}, Parameters: queryParams("warehouse"),
		Responses: map[string]any{"200": jsonResponse("barcodes", d.ref(reflect.TypeFor[unknownBarcodeList]()))}})
	d.add("GET", "/api/v1/devices/{id}", &apiOp{Summary: "Get a device and its sync state", OperationID: "getDevice", Tags: []string{"Devices"},
		Responses: map[string]any{"200": jsonResponse("the device", d.ref(reflect.TypeFor[DeviceJSON]()))}})
	d.add("GET", "/api/v1/devices/{id}/events", &apiOp{Summary: "List a device's events and outcomes by sequence", OperationID: "listDeviceEvents",
		Tags: []string{"Devices"}, Parameters: queryParams("after:sequence to list after", "limit:1 to 10000 (default 1000)"),
		Responses: map[string]any{"200": jsonResponse("events", d.ref(reflect.TypeFor[eventList]()))}})
	d.add("GET", "/api/v1/events", &apiOp{Summary: "List held events by status (the supervisor's queue)", OperationID: "listEvents",
		Tags: []string{"Events"}, Parameters: queryParams("status:comma-separated applied, parked, rejected, cancelled (parked and cancelled events never disappear)"),
		Responses: map[string]any{"200": jsonResponse("events", d.ref(reflect.TypeFor[eventList]()))}})
	d.add("GET", "/api/v1/status", &apiOp{Summary: "The server process: version, uptime, goroutines, heap, resident and peak resident memory",
		OperationID: "status", Tags: []string{"Server"},
		Responses: map[string]any{"200": jsonResponse("status", d.ref(reflect.TypeFor[statusJSON]()))}})
	s.describeRoles(d)
	s.describeSnapshot(d)
	s.describeConflicts(d)
	if s.Catalog == nil {
		return d
	}
	for _, res := range s.catalogResources() {
		res.describe(d)
	}
	s.describePicking(d)
	s.describeCounting(d)
	s.describeReplenishment(d)
	s.describeReports(d)
	kinds := map[string]any{"type": "string", "enum": csvio.Kinds}
	type rejected struct {
		errorJSON
		Rows []csvio.RowError `json:"rows"`
	}
	imp := &apiOp{Summary: "Import a CSV file: every row is checked first; any bad row imports nothing and is listed", OperationID: "importCSV",
		Tags:        []string{"CSV"},
		RequestBody: map[string]any{"required": true, "content": map[string]any{"text/csv": map[string]any{"schema": map[string]any{"type": "string"}}}},
		Responses: map[string]any{
			"200": jsonResponse("imported", map[string]any{"type": "object", "properties": map[string]any{"kind": strSchema, "imported": intSchema}}),
			"400": jsonResponse("bad rows (nothing imported) or a bad request", d.ref(reflect.TypeFor[rejected]())),
		}}
	d.add("POST", "/api/v1/import/{kind}", imp)
	exp := &apiOp{Summary: "Export every record of a kind (archived included) as CSV", OperationID: "exportCSV", Tags: []string{"CSV"},
		Responses: map[string]any{"200": map[string]any{"description": "the file",
			"content": map[string]any{"text/csv": map[string]any{"schema": map[string]any{"type": "string"}}}}}}
	d.add("GET", "/api/v1/export/{kind}", exp)
	for _, op := range []*apiOp{imp, exp} {
		op.Parameters[0].Schema = kinds
	}
	return d
}

// openAPI serves the document, built on each request (it takes well
// under a millisecond) so that it always describes this server.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.buildOpenAPI())
}
