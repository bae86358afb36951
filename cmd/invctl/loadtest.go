package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftless/driftless/cmd/invctl/loadtest"
)

func init() { subcommands = append(subcommands, newLoadtestCmd) }

func newLoadtestCmd() *cobra.Command {
	var cfg loadtest.Config
	var verbose bool
	var cpuprofile string
	c := &cobra.Command{
		Use:   "loadtest",
		Short: "Run simulated devices (real client store and sync engine) against a server and audit the result",
		Long: `loadtest enrolls --devices simulated handhelds, each with its own SQLite
database, records --scans scans on each and syncs them to --server (or to a
server it starts in-process on a temporary database). It then checks that
every recorded event is held by the server exactly once and that every
device's stock view equals the server's, and prints one JSON line:

  {"devices":..,"scans":..,"applied":..,"parked":..,"rejected":..,"lost":..,
   "duplicated":..,"seconds":..,"events_per_sec":..,"p99_ack_ms":..,
   "p99_scan_ack_ms":..,"server_peak_rss_mb":..}

The ack latency runs from a push leaving the device to its ack arriving;
the scan-to-ack latency from the scan being recorded to its event's first
ack (time in the outbox included). With --light the devices run the real
sync engine over in-memory storage, to load the server rather than the
load generator.

It exits 1 when anything was lost, doubled or left diverged.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.ServerURL != "" && cfg.AdminToken == "" {
				cfg.AdminToken = os.Getenv("DRIFTLESS_ADMIN_TOKEN")
			}
			if verbose {
				cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			if cfg.ServerURL != "" && os.Getenv("GOGC") == "" {
				// The load generator alone (the server is another
				// process): it holds every device's view of the warehouse
				// and decodes every page each device pulls, and at the
				// default GOGC a quarter of its CPU was garbage
				// collection, taken from the server's cores. GOGC set in
				// the environment wins.
				debug.SetGCPercent(400)
			}
			if cpuprofile != "" {
				f, err := os.Create(cpuprofile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			rep, err := loadtest.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(rep)
			fmt.Println(string(b))
			if !rep.OK() {
				return fmt.Errorf("lost %d, duplicated %d, diverged %d", rep.Lost, rep.Duplicated, rep.Diverged)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&cfg.ServerURL, "server", "", "server base URL (http://host:port); empty starts one in-process")
	f.StringVar(&cfg.AdminToken, "admin-token", "", "admin token of --server (default $DRIFTLESS_ADMIN_TOKEN)")
	f.StringVar(&cfg.Warehouse, "warehouse", "LOAD", "warehouse the simulated devices work in")
	f.IntVar(&cfg.Devices, "devices", 10, "simulated devices")
	f.IntVar(&cfg.Scans, "scans", 1000, "scans per device")
	f.Float64Var(&cfg.Rate, "rate", 0, "scans per second per device (0: as fast as possible)")
	f.DurationVar(&cfg.Duration, "duration", 0, "scan at --rate for this long instead of --scans scans")
	f.DurationVar(&cfg.Heartbeat, "heartbeat", 0, "devices' ping interval (default: the server's)")
	f.BoolVar(&cfg.Offline, "offline", false, "record every scan before connecting (catch-up)")
	f.Float64Var(&cfg.DropRate, "drop-rate", 0, "fraction of pushes after which the connection is cut")
	f.BoolVar(&cfg.Light, "light", false, "simulate devices with the real sync engine over in-memory storage instead of their own SQLite databases (loads the server, not the load generator)")
	f.StringVar(&cfg.Dir, "dir", "", "directory for the device databases (default: a temporary one)")
	f.Uint64Var(&cfg.Seed, "seed", 1, "random seed of the scan mix and the faults")
	f.DurationVar(&cfg.Timeout, "timeout", 10*time.Minute, "give up after this long")
	f.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the run to this file")
	f.BoolVar(&verbose, "v", false, "log the devices' sync engines to stderr")
	return c
}
