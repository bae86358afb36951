package feedback

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/assets"
)

// fakeRunner records the sounds it is asked to play and holds each until
// released.
type fakeRunner struct {
	mu      sync.Mutex
	played  [][]byte
	started chan struct{}
	release chan struct{}
	err     error
}

func newFake() *fakeRunner {
	return &fakeRunner{started: make(chan struct{}, 16), release: make(chan struct{}, 16)}
}

func (f *fakeRunner) run(ctx context.Context, wav []byte) error {
	f.mu.Lock()
	f.played = append(f.played, wav)
	f.mu.Unlock()
	f.started <- struct{}{}
	select {
	case <-f.release:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeRunner) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.played)
}

// idle waits until p has no sound playing.
func idle(t *testing.T, p *Player) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for p.busy.Load() {
		if time.Now().After(deadline) {
			t.Fatal("sound still playing after 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPlaysTheRightSound(t *testing.T) {
	f := newFake()
	p := New(Options{Runner: f.run})
	defer p.Close()
	for _, tc := range []struct {
		play func() bool
		want []byte
	}{
		{p.Good, assets.GoodWAV},
		{p.Warn, assets.WarnWAV},
		{p.Bad, assets.BadWAV},
	} {
		if !tc.play() {
			t.Fatal("sound did not start on an idle player")
		}
		<-f.started
		f.release <- struct{}{}
		idle(t, p)
		f.mu.Lock()
		got := f.played[len(f.played)-1]
		f.mu.Unlock()
		if !bytes.Equal(got, tc.want) {
			t.Fatalf("played %d bytes, not the expected sound of %d bytes", len(got), len(tc.want))
		}
	}
	if n := f.count(); n != 3 {
		t.Fatalf("runner called %d times, want 3", n)
	}
}

func TestNeverBlocksAndDropsOverlaps(t *testing.T) {
	f := newFake()
	p := New(Options{Runner: f.run})
	defer p.Close()

	start := time.Now()
	if !p.Good() {
		t.Fatal("first sound did not start")
	}
	<-f.started // the runner is now holding the sound
	// Every call while it plays returns at once and is dropped.
	for i := 0; i < 100; i++ {
		if p.Bad() || p.Warn() {
			t.Fatal("a sound started while another was playing")
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("101 calls took %v with the runner blocked", d)
	}
	if n := f.count(); n != 1 {
		t.Fatalf("runner called %d times, want 1 (overlaps dropped, not queued)", n)
	}
	f.release <- struct{}{}
	idle(t, p)
	if !p.Bad() {
		t.Fatal("no sound after the previous one ended")
	}
	<-f.started
	f.release <- struct{}{}
	idle(t, p)
	if n := f.count(); n != 2 {
		t.Fatalf("runner called %d times, want 2", n)
	}
}

func TestCloseStopsAPlayingSound(t *testing.T) {
	f := newFake()
	p := New(Options{Runner: f.run})
	p.Good()
	<-f.started
	done := make(chan struct{})
	go func() { p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the playing sound")
	}
	if p.Good() {
		t.Fatal("a sound started after Close")
	}
}

func TestTimeoutEndsAHungPlayer(t *testing.T) {
	f := newFake()
	p := New(Options{Runner: f.run, Timeout: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	defer p.Close()
	p.Good()
	<-f.started
	idle(t, p) // never released: only the timeout ends it
	if !p.Warn() {
		t.Fatal("no sound after a hung one timed out")
	}
	<-f.started
}

func logTo(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, nil))
}

func TestFailureLoggedOnce(t *testing.T) {
	f := newFake()
	f.err = errors.New("no sound card")
	var logs bytes.Buffer
	p := New(Options{Runner: f.run, Logger: logTo(&logs)})
	defer p.Close()
	for i := 0; i < 3; i++ {
		if !p.Bad() {
			t.Fatalf("sound %d did not start", i)
		}
		<-f.started
		f.release <- struct{}{}
		idle(t, p)
	}
	if n := strings.Count(logs.String(), "no sound card"); n != 1 {
		t.Fatalf("failure logged %d times, want once:\n%s", n, logs.String())
	}
}

func TestSilentWithoutPlayer(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var logs bytes.Buffer
	p := New(Options{Logger: logTo(&logs)})
	defer p.Close()
	for i := 0; i < 3; i++ {
		if p.Good() {
			t.Fatal("a sound started with no player on PATH")
		}
	}
	if n := strings.Count(logs.String(), "scan sounds are off"); n != 1 {
		t.Fatalf("missing player logged %d times, want once:\n%s", n, logs.String())
	}
}

// lookCat finds cat before a test narrows PATH to its fake players.
func lookCat(t *testing.T) string {
	t.Helper()
	cat, err := exec.LookPath("cat")
	if err != nil {
		t.Skip("no cat on PATH")
	}
	return cat
}

// TestCommandRunnerPipesTheWAV runs the real command runner against a fake
// paplay on PATH that saves its standard input.
func TestCommandRunnerPipesTheWAV(t *testing.T) {
	dir := t.TempDir()
	cat := lookCat(t)
	script := "#!/bin/sh\n[ $# -eq 0 ] || exit 3\n" + cat + " > " + filepath.Join(dir, "got.wav") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "paplay"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	run := CommandRunner()
	if run == nil {
		t.Fatal("paplay on PATH not found")
	}
	if err := run(context.Background(), assets.WarnWAV); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "got.wav"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, assets.WarnWAV) {
		t.Fatalf("player got %d bytes, want the %d of warn.wav", len(got), len(assets.WarnWAV))
	}
}

func TestCommandRunnerFallsBackToAplay(t *testing.T) {
	dir := t.TempDir()
	cat := lookCat(t)
	script := "#!/bin/sh\n[ \"$*\" = \"-q -t wav -\" ] || { echo \"args: $*\" >&2; exit 3; }\n" + cat + " >/dev/null\n"
	if err := os.WriteFile(filepath.Join(dir, "aplay"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	run := CommandRunner()
	if run == nil {
		t.Fatal("aplay on PATH not found")
	}
	if err := run(context.Background(), assets.GoodWAV); err != nil {
		t.Fatal(err)
	}
}
