package httpapi

import (
	"bufio"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/driftless/driftless/server"
)

// statusJSON is the server's own health for operators and load tests.
type statusJSON struct {
	Version        string  `json:"version"`
	UptimeSeconds  float64 `json:"uptime_seconds"`
	Goroutines     int     `json:"goroutines"`
	HeapBytes      uint64  `json:"heap_bytes"`
	RSSBytes       uint64  `json:"rss_bytes"`
	PeakRSSBytes   uint64  `json:"peak_rss_bytes"`
	GCPauseTotalMs float64 `json:"gc_pause_total_ms"`
}

var started = time.Now()

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, peak := procMemory()
	writeJSON(w, http.StatusOK, statusJSON{
		Version: server.Version, UptimeSeconds: time.Since(started).Seconds(),
		Goroutines: runtime.NumGoroutine(), HeapBytes: ms.HeapAlloc,
		RSSBytes: rss, PeakRSSBytes: peak, GCPauseTotalMs: float64(ms.PauseTotalNs) / 1e6,
	})
}

// procMemory reads the process's resident and peak resident memory from
// /proc (Linux); zero elsewhere.
func procMemory() (rss, peak uint64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		n, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			rss = n << 10
		case "VmHWM":
			peak = n << 10
		}
	}
	return rss, peak
}
