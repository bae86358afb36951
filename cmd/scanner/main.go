// Command scanner is the handheld app: receiving against purchase orders,
// put-away and customer returns, offline first, on an Android handheld or
// a laptop.
//
// main only wires: flags, the device database (client/store), the app
// state (client/app), the screens (client/ui) and the sync engine, which
// runs until the window closes.
//
//	scanner [--data DIR] [--server HOST:PORT --enroll CODE] [--dark] [--camera /dev/video0]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/driftless/driftless/assets"
	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/feedback"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/ui"
)

// appID matches FyneApp.toml's ID.
const appID = "org.driftless.scanner"

// version is set by the build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "scanner:", err)
		os.Exit(1)
	}
}

func run() error {
	data := flag.String("data", defaultDataDir(), "directory of the device database")
	server := flag.String("server", "", "server address (host:port or URL) to enroll with, with --enroll")
	code := flag.String("enroll", "", "enrollment code (from `syncd device add`) to enroll without the set-up screen")
	dark := flag.Bool("dark", false, "dark theme")
	cam := flag.String("camera", "", "camera device (such as /dev/video0) for the camera scan button")
	gs := flag.String("gs-substitute", "|", "what the hardware scanner's profile types for the GS1 group separator (ASCII 29), which a keyboard wedge cannot deliver; empty for none")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	st, err := store.Open(ctx, filepath.Join(*data, "device.db"), store.WithLogger(log))
	if err != nil {
		return err
	}
	defer st.Close()
	state := app.New(st, app.Config{AppVersion: version, GSSubstitute: *gs})

	if *server != "" && *code != "" {
		enrollNow(ctx, log, state, *server, *code)
	}

	player := feedback.New(feedback.Options{Logger: log})
	defer player.Close()

	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow("Driftless Scanner")
	w.Resize(fyne.NewSize(480, 800))
	opts := ui.Options{Feedback: sink{player}, Dark: *dark, Log: log, SetupServer: *server, SetupCode: *code}
	if *cam != "" {
		opts.Camera = cameraOpener(*cam)
	}
	ui.New(ui.FromApp(state), w, opts)

	served := make(chan error, 1)
	go func() { served <- state.Serve(ctx) }()
	// Ctrl-C or SIGTERM closes the window like the user would.
	sig, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	go func() {
		<-sig.Done()
		if ctx.Err() == nil {
			fyne.Do(a.Quit)
		}
	}()
	w.ShowAndRun()
	cancel()
	if err := <-served; err != nil && !errors.Is(err, context.Canceled) {
		log.Error("sync engine", "err", err)
	}
	return nil
}

// enrollNow enrolls before the window opens (--server and --enroll). A
// failure is logged and leaves the set-up screen, filled in, to retry.
func enrollNow(ctx context.Context, log *slog.Logger, state *app.App, server, code string) {
	if ok, err := state.Enrolled(ctx); err == nil && ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	err := state.Enroll(ctx, server, code, func(p app.EnrollProgress) {
		log.Info("catalog snapshot", "done", p.Done, "total", p.Total)
	})
	if err != nil {
		log.Error("enroll", "server", server, "err", err)
		return
	}
	log.Info("enrolled", "server", server)
}

// defaultDataDir is the device database's directory in the user's
// configuration directory.
func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "driftless-scanner"
	}
	return filepath.Join(dir, "driftless-scanner")
}

// sink plays the scan sounds.
type sink struct{ p *feedback.Player }

func (s sink) Good() { s.p.Good() }
func (s sink) Warn() { s.p.Warn() }
func (s sink) Bad()  { s.p.Bad() }
