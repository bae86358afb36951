package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/csvio"
)

// maxImportBytes bounds an imported CSV file.
const maxImportBytes = 256 << 20

// importCSV imports a CSV file (the request body) of the kind in the path.
// A file with bad rows imports nothing and is answered 400 with every bad
// row listed under "rows".
func (s *Server) importCSV(w http.ResponseWriter, r *http.Request) {
	kind := chi.URLParam(r, "kind")
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "text/csv") && !strings.HasPrefix(ct, "text/plain") && !strings.HasPrefix(ct, "application/octet-stream") {
		writeError(w, r, &server.Error{Code: server.EInvalid, Field: "Content-Type", Message: "send the file as text/csv"})
		return
	}
	body := http.MaxBytesReader(w, r.Body, maxImportBytes)
	n, err := csvio.Import(r.Context(), s.Catalog, kind, body)
	var rej *csvio.Rejected
	switch {
	case errors.As(err, &rej):
		var out struct {
			errorJSON
			Rows []csvio.RowError `json:"rows"`
		}
		e := rej.Invalid()
		out.Error.Code, out.Error.Message, out.Error.Field = e.Code, e.Message, e.Field
		out.Rows = rej.Rows
		writeJSON(w, http.StatusBadRequest, out)
		return
	case err != nil:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = server.Errorf(server.EInvalid, "the file is larger than %d MiB: split it", maxImportBytes>>20)
		}
		writeError(w, r, err)
		return
	}
	s.Log.Info("csv import", "kind", kind, "records", n)
	writeJSON(w, http.StatusOK, struct {
		Kind     string `json:"kind"`
		Imported int    `json:"imported"`
	}{kind, n})
}

// exportCSV streams every record of a kind as CSV.
func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request) {
	kind := chi.URLParam(r, "kind")
	if _, err := csvio.Columns(kind); err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+kind+`.csv"`)
	if _, err := csvio.Export(r.Context(), s.Catalog, kind, w); err != nil {
		// The status is sent: all that is left is to cut the body short
		// and say why in the log.
		s.Log.Error("csv export", "kind", kind, "err", err)
		panic(http.ErrAbortHandler)
	}
}
