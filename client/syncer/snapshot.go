package syncer

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// SnapshotStore is what a snapshot needs of the device's database
// (*store.Store has it).
type SnapshotStore interface {
	SnapshotPlan(ctx context.Context) (store.SnapshotPlan, error)
	ApplySnapshotPage(ctx context.Context, p *syncproto.SnapshotPage, first bool) error
}

var _ SnapshotStore = (*store.Store)(nil)

// SnapshotProgress is how far a snapshot download is, for a progress bar:
// Done of Total rows (Total is 0 when the server cannot count).
type SnapshotProgress struct {
	Page        int
	Done, Total int
	// WireBytes is what came over the network so far (compressed).
	WireBytes int64
}

// SnapshotStats describes a finished snapshot.
type SnapshotStats struct {
	Pages, Rows int
	// WireBytes is the compressed size of every page as received.
	WireBytes   int64
	CatalogHead uint64
	Position    uint64
	Took        time.Duration
}

// errNoSnapshot: the server has no snapshot route (an older server).
var errNoSnapshot = errors.New("the server offers no snapshot")

// ensureSnapshot takes a snapshot when the store has never completed one.
// A server without snapshots is not an error: the catalog then arrives
// through pulls.
func (e *Engine) ensureSnapshot(ctx context.Context, id store.Identity, syncURL string) error {
	ss, ok := e.st.(SnapshotStore)
	if !ok {
		return nil
	}
	plan, err := ss.SnapshotPlan(ctx)
	if err != nil || !plan.NeedCatalog {
		return err
	}
	st, err := e.snapshot(ctx, ss, id, syncURL, plan.WithStock)
	if errors.Is(err, errNoSnapshot) {
		e.log.Warn("the server offers no snapshot; reference data will come through pulls")
		return nil
	}
	if err != nil {
		return err
	}
	e.log.Info("snapshot stored", "pages", st.Pages, "rows", st.Rows, "wire_bytes", st.WireBytes,
		"catalog_head", st.CatalogHead, "position", st.Position, "took", st.Took)
	return nil
}

// Snapshot downloads the warehouse's snapshot into the store now, with
// stock when the device has no ledger history, whether or not it has
// one already, and reports what it took. Serve does it by itself before
// its first session when Config.Snapshot is set.
func (e *Engine) Snapshot(ctx context.Context) (SnapshotStats, error) {
	ss, ok := e.st.(SnapshotStore)
	if !ok {
		return SnapshotStats{}, errors.New("snapshot: the store cannot hold a snapshot")
	}
	id, err := e.st.Identity(ctx)
	if err != nil {
		return SnapshotStats{}, fmt.Errorf("snapshot: %w", err)
	}
	plan, err := ss.SnapshotPlan(ctx)
	if err != nil {
		return SnapshotStats{}, fmt.Errorf("snapshot: %w", err)
	}
	u := e.cfg.URL
	if u == "" {
		u = id.ServerURL
	}
	return e.snapshot(ctx, ss, id, u, plan.WithStock)
}

// snapshotURL is the snapshot endpoint for a sync URL.
func (e *Engine) snapshotURL(syncURL string) (string, error) {
	if e.cfg.SnapshotURL != "" {
		return e.cfg.SnapshotURL, nil
	}
	u, err := url.Parse(syncURL)
	if err != nil {
		return "", fmt.Errorf("snapshot url from %q: %w", syncURL, err)
	}
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	}
	u.Path = strings.TrimSuffix(u.Path, "/sync") + "/snapshot"
	return u.String(), nil
}

type fetched struct {
	page  *syncproto.SnapshotPage
	bytes int64
	err   error
}

// snapshot downloads every page and stores each as it arrives. The next
// page downloads while the store writes the current one.
func (e *Engine) snapshot(ctx context.Context, ss SnapshotStore, id store.Identity, syncURL string, stock bool) (SnapshotStats, error) {
	start := time.Now()
	base, err := e.snapshotURL(syncURL)
	if err != nil {
		return SnapshotStats{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan fetched, 1)
	go func() {
		defer close(pages)
		q := url.Values{"stock": {fmt.Sprint(stock)}}
		for {
			p, n, err := e.fetchPage(ctx, id, base+"?"+q.Encode())
			select {
			case pages <- fetched{p, n, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || p.Next == "" {
				return
			}
			q = url.Values{"page": {p.Next}}
		}
	}()
	var st SnapshotStats
	for f := range pages {
		if f.err != nil {
			return st, fmt.Errorf("snapshot page %d: %w", st.Pages+1, f.err)
		}
		p := f.page
		if err := ss.ApplySnapshotPage(ctx, p, st.Pages == 0); err != nil {
			return st, fmt.Errorf("snapshot: %w", err)
		}
		st.Pages++
		st.Rows += p.Rows
		st.WireBytes += f.bytes
		st.CatalogHead, st.Position = p.CatalogHead, p.Position
		if e.cfg.OnSnapshot != nil {
			e.cfg.OnSnapshot(SnapshotProgress{Page: p.Page, Done: p.Done, Total: p.Total, WireBytes: st.WireBytes})
		}
		if p.Next == "" {
			st.Took = time.Since(start)
			return st, nil
		}
	}
	return st, fmt.Errorf("snapshot: %w", ctx.Err())
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// fetchPage GETs one page with the device's credentials and decodes it,
// returning the bytes received on the wire.
func (e *Engine) fetchPage(ctx context.Context, id store.Identity, u string) (*syncproto.SnapshotPage, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Device "+id.DeviceID+":"+id.Token)
	// Asked for explicitly, so the transport leaves the body compressed
	// and the wire size can be counted.
	req.Header.Set("Accept-Encoding", "gzip")
	client := e.cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	cr := &countingReader{r: resp.Body}
	if resp.StatusCode != http.StatusOK {
		var body struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.NewDecoder(io.LimitReader(cr, 64<<10)).Decode(&body)
		if resp.StatusCode == http.StatusNotFound {
			return nil, cr.n, errNoSnapshot
		}
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			return nil, cr.n, &FatalError{Err: &syncproto.Error{Code: syncproto.ErrUnauthorized, Message: body.Error.Message}}
		}
		return nil, cr.n, fmt.Errorf("server answered %s: %s", resp.Status, body.Error.Message)
	}
	var r io.Reader = cr
	if resp.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(cr)
		if err != nil {
			return nil, cr.n, fmt.Errorf("read page: %w", err)
		}
		defer gz.Close()
		r = gz
	}
	var p syncproto.SnapshotPage
	if err := json.NewDecoder(r).Decode(&p); err != nil {
		return nil, cr.n, fmt.Errorf("read page: %w", err)
	}
	return &p, cr.n, nil
}
