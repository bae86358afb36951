// Command syncd is the Driftless sync server: it owns the stock ledger,
// applies device events exactly once and serves the REST API and the sync
// websocket. main only wires: the work is in package server and below.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := &cobra.Command{
		Use:           "syncd",
		Short:         "Driftless sync server",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var level slog.Level
	root.PersistentFlags().TextVar(&level, "log-level", slog.LevelInfo, "log level: debug, info, warn, error")
	root.PersistentPreRun = func(*cobra.Command, []string) {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	}
	root.AddCommand(serveCmd(), deviceCmd(), userCmd(), demoCmd(), importCmd(), exportCmd(), usageCmd())
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "syncd:", err)
		os.Exit(1)
	}
}
