package syncer

import (
	"bytes"
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
	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"
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

// SnapshotNextHeader is the response header that carries a snapshot
// page's next token before its body (see syncproto's "Snapshot").
const SnapshotNextHeader = "Snapshot-Next"

// body is one page as it came over the wire: still compressed when gzip
// says so, and the next token from the header ("" when the server sent
// none). page is set when the download stage had to decode it.
type body struct {
	raw  []byte
	gzip bool
	next string
	page *syncproto.SnapshotPage
}

// decoded is a page ready to store, with its size on the wire.
type decoded struct {
	page  *syncproto.SnapshotPage
	bytes int64
}

// snapshot downloads every page and stores each as it arrives, in three
// stages that overlap: while the store writes page n, page n+1 decodes
// and page n+2 downloads (the server names the next page in a header, so
// the next request need not wait for the decoding). Each stage hands on
// at most one page ahead, so a few pages at most are in memory.
func (e *Engine) snapshot(ctx context.Context, ss SnapshotStore, id store.Identity, syncURL string, stock bool) (st SnapshotStats, err error) {
	start := time.Now()
	base, err := e.snapshotURL(syncURL)
	if err != nil {
		return SnapshotStats{}, err
	}
	g, ctx := errgroup.WithContext(ctx)
	bodies := make(chan body, 1)
	pages := make(chan decoded, 1)
	g.Go(func() error { // download
		defer close(bodies)
		q := url.Values{"stock": {fmt.Sprint(stock)}}
		for n := 1; ; n++ {
			b, err := e.fetchPage(ctx, id, base+"?"+q.Encode())
			if err != nil {
				return fmt.Errorf("snapshot page %d: %w", n, err)
			}
			if b.next == "" {
				// The last page, or a server that does not name the next
				// page in a header: the body says.
				if b.page, err = decodePage(b); err != nil {
					return fmt.Errorf("snapshot page %d: %w", n, err)
				}
				b.next = b.page.Next
			}
			select {
			case bodies <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
			if b.next == "" {
				return nil
			}
			q = url.Values{"page": {b.next}}
		}
	})
	g.Go(func() error { // decode
		defer close(pages)
		n := 0
		for b := range bodies {
			n++
			p := b.page
			if p == nil {
				var err error
				if p, err = decodePage(b); err != nil {
					return fmt.Errorf("snapshot page %d: %w", n, err)
				}
			}
			if p.Next != b.next {
				return fmt.Errorf("snapshot page %d: the page's next token differs from its %s header", n, SnapshotNextHeader)
			}
			select {
			case pages <- decoded{p, int64(len(b.raw))}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	g.Go(func() error { // store
		for d := range pages {
			p := d.page
			if err := ss.ApplySnapshotPage(ctx, p, st.Pages == 0); err != nil {
				return fmt.Errorf("snapshot: %w", err)
			}
			st.Pages++
			st.Rows += p.Rows
			st.WireBytes += d.bytes
			st.CatalogHead, st.Position = p.CatalogHead, p.Position
			if e.cfg.OnSnapshot != nil {
				e.cfg.OnSnapshot(SnapshotProgress{Page: p.Page, Done: p.Done, Total: p.Total, WireBytes: st.WireBytes})
			}
			if p.Next == "" {
				st.Took = time.Since(start)
				return nil
			}
		}
		return fmt.Errorf("snapshot: %w", context.Cause(ctx))
	})
	if err := g.Wait(); err != nil {
		return st, err
	}
	return st, nil
}

// decodePage decodes a page's body.
func decodePage(b body) (*syncproto.SnapshotPage, error) {
	var r io.Reader = bytes.NewReader(b.raw)
	if b.gzip {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("read page: %w", err)
		}
		defer gz.Close()
		r = gz
	}
	var p syncproto.SnapshotPage
	if err := json.NewDecoder(r).Decode(&p); err != nil {
		return nil, fmt.Errorf("read page: %w", err)
	}
	return &p, nil
}

// fetchPage GETs one page with the device's credentials and reads its
// body as it came over the wire.
func (e *Engine) fetchPage(ctx context.Context, id store.Identity, u string) (body, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return body{}, err
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
		return body{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var eb struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&eb)
		if resp.StatusCode == http.StatusNotFound {
			return body{}, errNoSnapshot
		}
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			return body{}, &FatalError{Err: &syncproto.Error{Code: syncproto.ErrUnauthorized, Message: eb.Error.Message}}
		}
		return body{}, fmt.Errorf("server answered %s: %s", resp.Status, eb.Error.Message)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return body{}, fmt.Errorf("read page: %w", err)
	}
	return body{raw: raw, gzip: resp.Header.Get("Content-Encoding") == "gzip", next: resp.Header.Get(SnapshotNextHeader)}, nil
}
