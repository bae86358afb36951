package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
	"github.com/klauspost/compress/gzip"
)

// The device snapshot: GET /api/v1/snapshot, authenticated with the
// device's own token. Why HTTP rather than the websocket: pages are large
// (10,000 rows by default, far over the websocket's 1 MiB message limit
// before compression), HTTP gives gzip, resumable paging and ordinary
// load balancing for free, and a device that is still downloading does not
// hold a sync session (and its pokes) open. See syncproto's "Snapshot".

// deviceKey is the context key of the authenticated device.
type deviceKey struct{}

// deviceFrom returns the device requireDevice authenticated.
func deviceFrom(ctx context.Context) (server.Device, bool) {
	d, ok := ctx.Value(deviceKey{}).(server.Device)
	return d, ok
}

// requireDevice authenticates a device by "Authorization: Device ID:TOKEN"
// (the token from enrollment) and puts it in the request's context.
func (s *Server) requireDevice(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Device ")
		id, token, ok2 := strings.Cut(cred, ":")
		if !ok || !ok2 || id == "" || token == "" {
			w.Header().Set("WWW-Authenticate", `Device realm="driftless"`)
			writeError(w, r, server.Errorf(server.EUnauthorized, "this route needs the device's credentials as 'Authorization: Device ID:TOKEN'"))
			return
		}
		dev, err := s.Ledger.Authenticate(r.Context(), id, token)
		if err != nil {
			if server.ErrorCode(err) == server.EInternal {
				s.Log.Error("authenticate device", "device", id, "err", err)
			}
			w.Header().Set("WWW-Authenticate", `Device realm="driftless"`)
			writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), deviceKey{}, dev)))
	})
}

// snapshot serves one snapshot page, gzip-compressed when the device
// accepts it.
func (s *Server) snapshot(w http.ResponseWriter, r *http.Request) {
	dev, ok := deviceFrom(r.Context())
	if !ok || s.Catalog == nil {
		writeError(w, r, server.Errorf(server.ENotFound, "this server has no catalog to snapshot"))
		return
	}
	q := r.URL.Query()
	req := server.SnapshotRequest{Token: q.Get("page"), Stock: true}
	if v := q.Get("stock"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "stock", Message: "stock must be true or false"})
			return
		}
		req.Stock = b
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > server.MaxSnapshotPage {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "limit",
				Message: "limit must be a number from 1 to " + strconv.Itoa(server.MaxSnapshotPage)})
			return
		}
		req.Limit = n
	}
	page, err := s.Catalog.Snapshot(r.Context(), dev, req)
	if err != nil {
		if server.ErrorCode(err) == server.EInternal {
			s.Log.Error("snapshot", "device", dev.ID, "err", err)
		}
		writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Vary", "Accept-Encoding")
	if page.Next != "" {
		// Before the body, so that a device can ask for the next page
		// while it still decodes this one.
		w.Header().Set(snapshotNextHeader, page.Next)
	}
	if !acceptsGzip(r) {
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(page)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(http.StatusOK)
	// BestSpeed: on loopback and Wi-Fi alike the CPU, not the link, is
	// the snapshot's bottleneck; it still compresses JSON about 5:1.
	gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err := json.NewEncoder(gz).Encode(page); err != nil {
		s.Log.Warn("snapshot: write page", "device", dev.ID, "err", err)
		return
	}
	if err := gz.Close(); err != nil {
		s.Log.Warn("snapshot: write page", "device", dev.ID, "err", err)
	}
}

// snapshotNextHeader repeats a page's next token as a response header.
const snapshotNextHeader = "Snapshot-Next"

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.TrimSpace(params) != "q=0" {
			return true
		}
	}
	return false
}

// describeSnapshot adds the snapshot route and the device token scheme to
// the OpenAPI document.
func (s *Server) describeSnapshot(d *openAPIDoc) {
	d.Components["securitySchemes"]["deviceToken"] = map[string]any{"type": "apiKey", "in": "header", "name": "Authorization",
		"description": "'Device ID:TOKEN' with the device ID and the token shown at enrollment"}
	// The wire records share their Go names with the catalog's REST
	// records: give them their own schema names.
	wire := []reflect.Type{reflect.TypeFor[syncproto.Warehouse](), reflect.TypeFor[syncproto.Supplier](),
		reflect.TypeFor[syncproto.SKU](), reflect.TypeFor[syncproto.Barcode](), reflect.TypeFor[syncproto.Location](),
		reflect.TypeFor[syncproto.PurchaseOrder](), reflect.TypeFor[syncproto.SalesOrder](), reflect.TypeFor[syncproto.Level](),
		reflect.TypeFor[syncproto.User](), reflect.TypeFor[syncproto.PickList](), reflect.TypeFor[syncproto.PickTask](),
		reflect.TypeFor[syncproto.Transfer](), reflect.TypeFor[syncproto.TransferLine]()}
	for _, t := range wire {
		d.schemas[t] = "Device" + t.Name()
	}
	for _, t := range wire {
		d.Components["schemas"]["Device"+t.Name()] = d.object(t)
	}
	d.add("GET", "/api/v1/snapshot", &apiOp{
		Summary: "One page of the device's snapshot: its warehouse's reference data and stock, gzip-compressed " +
			"(see syncproto/doc.go, Snapshot)",
		OperationID: "snapshot", Tags: []string{"Devices"},
		Security: []map[string][]string{{"deviceToken": {}}},
		Parameters: queryParams("page:the next token of the previous page (absent for the first page)",
			"stock:true (default) to include stock levels; first page only",
			"limit:rows per page, 1 to 50000 (default 10000); first page only"),
		Responses: map[string]any{"200": jsonResponse("a page", d.ref(reflect.TypeFor[syncproto.SnapshotPage]()))}})
}
