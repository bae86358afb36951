package httpapi

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/driftless/driftless/server"
)

// The catalog's REST resources. Every collection has the same five
// routes under /api/v1:
//
//	GET  /things                 list, in key order: limit (1..1000, default 100),
//	                             after (the previous page's next_after), q, archived
//	                             (false, true or all; default false) and the kind's filters
//	POST /things                 create (201); 409 when the key is taken
//	GET  /things/{key}           get
//	PUT  /things/{key}           replace every field (an order's lines too); the
//	                             body's key, when given, must be the path's;
//	                             archived, archived_at and position are read-only
//	POST /things/{key}/archive   archive (idempotent); /restore undoes it
//
// Records are never deleted, so there is no DELETE. Errors are the usual
// {"error": {"code", "message", "field"}} with the offending field as a
// JSON path ("lines[2].sku").

// resource is one catalog collection on the REST API.
type resource[T any] struct {
	// list is the collection's path; item is list + "/{param}", except for
	// locations, which live under their warehouse.
	list, item string
	// name is the record's name in the OpenAPI document (SKU, Location…).
	name string
	coll *server.Collection[T]
	// key reads the record's key from the path; setKey fills an empty
	// key field of a body from it and reports the field that differs.
	key    func(r *http.Request) server.CatalogKey
	setKey func(rec *T, k server.CatalogKey) (mismatch string)
	// filters are the query parameters the list takes besides the common ones.
	filters []filterParam
}

// filterParam is a list filter: its query parameter, what it means, and
// where it goes in the ListFilter.
type filterParam struct {
	name, doc string
	set       func(f *server.ListFilter, v string)
}

var (
	fWarehouse = filterParam{"warehouse", "only records of this warehouse", func(f *server.ListFilter, v string) { f.Warehouse = v }}
	fStatus    = filterParam{"status", "only orders in this status", func(f *server.ListFilter, v string) { f.Status = v }}
	fSKU       = filterParam{"sku", "only barcodes of this SKU", func(f *server.ListFilter, v string) { f.SKU = v }}
	fSupplier  = filterParam{"supplier", "only orders placed with this supplier", func(f *server.ListFilter, v string) { f.Supplier = v }}
	fType      = filterParam{"type", "only records of this type", func(f *server.ListFilter, v string) { f.Type = v }}
)

// catalogRoute is what the router and the OpenAPI document need of a resource.
type catalogRoute interface {
	mount(r chi.Router)
	describe(doc *openAPIDoc)
}

func codeParam(name string) func(r *http.Request) server.CatalogKey {
	return func(r *http.Request) server.CatalogKey { return server.CatalogKey{Code: chi.URLParam(r, name)} }
}

// setCode fills an empty body key from the path, or names the field when
// the body's key differs.
func setCode(field string, dst *string, want string) string {
	if *dst == "" {
		*dst = want
	}
	if *dst != want {
		return field
	}
	return ""
}

// catalogResources lists the catalog's REST resources.
func (s *Server) catalogResources() []catalogRoute {
	c := s.Catalog
	return []catalogRoute{
		&resource[server.SKU]{list: "/skus", item: "/skus/{code}", name: "SKU", coll: c.SKUs, key: codeParam("code"),
			setKey: func(x *server.SKU, k server.CatalogKey) string { return setCode("code", &x.Code, k.Code) }},
		&resource[server.Barcode]{list: "/barcodes", item: "/barcodes/{value}", name: "Barcode", coll: c.Barcodes, key: codeParam("value"),
			setKey:  func(x *server.Barcode, k server.CatalogKey) string { return setCode("value", &x.Value, k.Code) },
			filters: []filterParam{fSKU, fType}},
		&resource[server.Warehouse]{list: "/warehouses", item: "/warehouses/{warehouse}", name: "Warehouse", coll: c.Warehouses,
			key: func(r *http.Request) server.CatalogKey {
				w := chi.URLParam(r, "warehouse")
				return server.CatalogKey{Warehouse: w, Code: w}
			},
			setKey: func(x *server.Warehouse, k server.CatalogKey) string { return setCode("code", &x.Code, k.Code) }},
		&resource[server.Location]{list: "/warehouses/{warehouse}/locations", item: "/warehouses/{warehouse}/locations/{code}",
			name: "Location", coll: c.Locations,
			key: func(r *http.Request) server.CatalogKey {
				return server.CatalogKey{Warehouse: chi.URLParam(r, "warehouse"), Code: chi.URLParam(r, "code")}
			},
			setKey: func(x *server.Location, k server.CatalogKey) string {
				if f := setCode("warehouse", &x.Warehouse, k.Warehouse); f != "" {
					return f
				}
				return setCode("code", &x.Code, k.Code)
			},
			filters: []filterParam{fType}},
		&resource[server.Supplier]{list: "/suppliers", item: "/suppliers/{code}", name: "Supplier", coll: c.Suppliers, key: codeParam("code"),
			setKey: func(x *server.Supplier, k server.CatalogKey) string { return setCode("code", &x.Code, k.Code) }},
		&resource[server.PurchaseOrder]{list: "/purchase-orders", item: "/purchase-orders/{number}", name: "PurchaseOrder",
			coll: c.PurchaseOrders, key: codeParam("number"),
			setKey:  func(x *server.PurchaseOrder, k server.CatalogKey) string { return setCode("number", &x.Number, k.Code) },
			filters: []filterParam{fWarehouse, fStatus, fSupplier}},
		&resource[server.SalesOrder]{list: "/sales-orders", item: "/sales-orders/{number}", name: "SalesOrder",
			coll: c.SalesOrders, key: codeParam("number"),
			setKey:  func(x *server.SalesOrder, k server.CatalogKey) string { return setCode("number", &x.Number, k.Code) },
			filters: []filterParam{fWarehouse, fStatus}},
		&resource[server.User]{list: "/users", item: "/users/{code}", name: "User", coll: c.Users, key: codeParam("code"),
			setKey: func(x *server.User, k server.CatalogKey) string { return setCode("code", &x.Code, k.Code) }},
	}
}

// mountCatalog adds the catalog's routes and import/export to an
// (admin-only) router.
func (s *Server) mountCatalog(r chi.Router) {
	if s.Catalog == nil {
		return
	}
	for _, res := range s.catalogResources() {
		res.mount(r)
	}
	r.Post("/import/{kind}", s.importCSV)
	r.Get("/export/{kind}", s.exportCSV)
}

func (res *resource[T]) mount(r chi.Router) {
	r.Get(res.list, res.listHandler)
	r.Post(res.list, res.create)
	r.Get(res.item, res.get)
	r.Put(res.item, res.update)
	r.Post(res.item+"/archive", res.archive(true))
	r.Post(res.item+"/restore", res.archive(false))
}

const (
	defaultPage = 100
	maxPage     = 1000
)

// encodeCursor makes a page's next_after from its last key.
func encodeCursor(k server.CatalogKey) string {
	return base64.RawURLEncoding.EncodeToString([]byte(k.Warehouse + "\x00" + k.Code))
}

func decodeCursor(v string) (server.CatalogKey, bool) {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return server.CatalogKey{}, false
	}
	wh, code, ok := strings.Cut(string(b), "\x00")
	return server.CatalogKey{Warehouse: wh, Code: code}, ok
}

// listFilter reads the common list parameters and the resource's filters;
// an unknown parameter is an error, so a typo does not list everything.
func (res *resource[T]) listFilter(r *http.Request) (server.ListFilter, error) {
	f := server.ListFilter{Limit: defaultPage}
	if w := chi.URLParam(r, "warehouse"); w != "" {
		f.Warehouse = w
	}
	for name, vs := range r.URL.Query() {
		v := vs[len(vs)-1]
		switch name {
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxPage {
				return f, &server.Error{Code: server.EInvalid, Field: "limit", Message: fmt.Sprintf("limit must be a number from 1 to %d", maxPage)}
			}
			f.Limit = n
		case "after":
			k, ok := decodeCursor(v)
			if !ok {
				return f, &server.Error{Code: server.EInvalid, Field: "after", Message: "after must be the next_after value of the previous page"}
			}
			f.After = &k
		case "q":
			f.Q = v
		case "archived":
			switch v {
			case "false", "":
				f.Archived = server.ActiveOnly
			case "true":
				f.Archived = server.ArchivedOnly
			case "all":
				f.Archived = server.ActiveAndArchived
			default:
				return f, &server.Error{Code: server.EInvalid, Field: "archived", Message: "archived must be false, true or all"}
			}
		default:
			i := slices.IndexFunc(res.filters, func(p filterParam) bool { return p.name == name })
			if i < 0 {
				return f, &server.Error{Code: server.EInvalid, Field: name, Message: fmt.Sprintf("%s does not filter %s: use %s", name, res.list, res.paramNames())}
			}
			res.filters[i].set(&f, v)
		}
	}
	return f, nil
}

func (res *resource[T]) paramNames() string {
	names := []string{"limit", "after", "q", "archived"}
	for _, p := range res.filters {
		names = append(names, p.name)
	}
	return strings.Join(names, ", ")
}

// listJSON is a page of records.
type listJSON[T any] struct {
	Items []T `json:"items"`
	// NextAfter is set when there may be more: pass it as after.
	NextAfter string `json:"next_after,omitempty"`
}

func (res *resource[T]) listHandler(w http.ResponseWriter, r *http.Request) {
	f, err := res.listFilter(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	recs, err := res.coll.List(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := listJSON[T]{Items: recs}
	if out.Items == nil {
		out.Items = []T{}
	}
	if len(recs) == f.Limit {
		out.NextAfter = encodeCursor(res.coll.Key(&recs[len(recs)-1]))
	}
	writeJSON(w, http.StatusOK, out)
}

func (res *resource[T]) get(w http.ResponseWriter, r *http.Request) {
	rec, err := res.coll.Get(r.Context(), res.key(r))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

func (res *resource[T]) create(w http.ResponseWriter, r *http.Request) {
	var rec T
	if err := decodeJSON(r, &rec); err != nil {
		writeError(w, r, err)
		return
	}
	if wh := chi.URLParam(r, "warehouse"); wh != "" {
		k := res.coll.Key(&rec)
		if f := res.setKey(&rec, server.CatalogKey{Warehouse: wh, Code: k.Code}); f != "" {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: f, Message: fmt.Sprintf("%s must be %s, as in the path", f, wh)})
			return
		}
	}
	out, err := res.coll.Create(r.Context(), rec)
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Location", r.URL.Path+"/"+res.coll.Key(&out).Code)
	writeJSON(w, http.StatusCreated, out)
}

func (res *resource[T]) update(w http.ResponseWriter, r *http.Request) {
	var rec T
	if err := decodeJSON(r, &rec); err != nil {
		writeError(w, r, err)
		return
	}
	if f := res.setKey(&rec, res.key(r)); f != "" {
		writeError(w, r, &server.Error{Code: server.EInvalid, Field: f, Message: fmt.Sprintf("%s in the body differs from the path; a key cannot change", f)})
		return
	}
	out, err := res.coll.Update(r.Context(), rec)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (res *resource[T]) archive(archived bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, err := res.coll.SetArchived(r.Context(), res.key(r), archived)
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}
