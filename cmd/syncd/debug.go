package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveDebug serves Go's profiler on addr until ctx ends or stop is
// called: `go tool pprof http://ADDR/debug/pprof/profile?seconds=30`
// profiles a running syncd (the fleet soak's server side, say). It has
// no authentication, so it is off unless asked for and belongs on
// localhost.
func serveDebug(ctx context.Context, addr string) (stop func(), err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for the profiler: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Warn("profiler stopped", "err", err)
		}
	}()
	slog.Info("profiler listening", "addr", l.Addr().String())
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	return func() { cancel(); <-done }, nil
}
