package feedback

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/driftless/driftless/assets"
)

// Sound is one of the scan feedback sounds.
type Sound int

// The sounds, in the order of app.Level (Good, Warn, Bad).
const (
	Good Sound = iota // accepted
	Warn              // accepted and flagged
	Bad               // refused or an exception
)

func (s Sound) String() string {
	switch s {
	case Good:
		return "good"
	case Warn:
		return "warn"
	case Bad:
		return "bad"
	}
	return fmt.Sprintf("Sound(%d)", int(s))
}

// WAV is the sound's RIFF/WAVE file, from package assets.
func (s Sound) WAV() []byte {
	switch s {
	case Good:
		return assets.GoodWAV
	case Warn:
		return assets.WarnWAV
	}
	return assets.BadWAV
}

// Runner plays one WAV file and returns when it has finished (or failed, or
// ctx ended). The default runs an audio player command with the file on its
// standard input.
type Runner func(ctx context.Context, wav []byte) error

// Options configure a Player; the zero value finds a player on PATH and logs
// to slog.Default.
type Options struct {
	// Runner plays the sounds; nil looks for paplay, then aplay, on PATH
	// (see CommandRunner), and stays silent if neither is there.
	Runner Runner
	// Logger receives the one-time notes about missing or failing players.
	Logger *slog.Logger
	// Timeout bounds one sound, so a hung player cannot silence the rest
	// (default 3 s).
	Timeout time.Duration
}

// Player plays scan sounds without blocking its caller. Its methods are
// safe for concurrent use; Close stops it.
type Player struct {
	run     Runner
	log     *slog.Logger
	timeout time.Duration

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	busy       atomic.Bool // a sound is playing
	silentOnce sync.Once
	failOnce   sync.Once
}

// New returns a Player. Close it when the app exits.
func New(opts Options) *Player {
	p := &Player{run: opts.Runner, log: opts.Logger, timeout: opts.Timeout}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.timeout <= 0 {
		p.timeout = 3 * time.Second
	}
	if p.run == nil {
		p.run = CommandRunner()
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p
}

// Good plays the accepted-scan sound.
func (p *Player) Good() bool { return p.Play(Good) }

// Warn plays the accepted-but-flagged sound.
func (p *Player) Warn() bool { return p.Play(Warn) }

// Bad plays the refused/exception sound.
func (p *Player) Bad() bool { return p.Play(Bad) }

// Play starts s in the background and returns at once. It reports whether
// the sound started: false when another sound is still playing (s is
// dropped), when there is no audio player, or after Close.
func (p *Player) Play(s Sound) bool {
	if p.run == nil {
		p.silentOnce.Do(func() {
			p.log.Info("scan sounds are off: neither paplay nor aplay is on PATH")
		})
		return false
	}
	if p.ctx.Err() != nil || !p.busy.CompareAndSwap(false, true) {
		return false
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer p.busy.Store(false)
		ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
		defer cancel()
		if err := p.run(ctx, s.WAV()); err != nil && p.ctx.Err() == nil {
			p.failOnce.Do(func() {
				p.log.Warn("scan sound failed; later failures are not logged", "sound", s.String(), "err", err)
			})
		}
	}()
	return true
}

// Vibrate asks for a vibration of about d. Fyne has no vibration API, so on
// the desktop (and in a Fyne app on Android) this does nothing: on handhelds
// the scanner's own profile vibrates on a good decode (see the package
// documentation). It is the hook a platform-specific implementation would
// fill in.
func (p *Player) Vibrate(d time.Duration) {}

// Close stops a sound that is playing, waits for it to end and makes later
// calls do nothing.
func (p *Player) Close() {
	p.cancel()
	p.wg.Wait()
}

// players are the commands CommandRunner looks for, in order, each with the
// arguments that make it read a WAV file from standard input.
var players = []struct {
	name string
	args []string
}{
	{"paplay", nil}, // PulseAudio/PipeWire: no file argument reads stdin
	{"aplay", []string{"-q", "-t", "wav", "-"}}, // ALSA
}

// CommandRunner returns a Runner that pipes the WAV file to the first of
// paplay and aplay found on PATH, or nil if neither is there.
func CommandRunner() Runner {
	for _, pl := range players {
		path, err := exec.LookPath(pl.name)
		if err != nil {
			continue
		}
		args := pl.args
		return func(ctx context.Context, wav []byte) error {
			cmd := exec.CommandContext(ctx, path, args...)
			cmd.Stdin = bytes.NewReader(wav)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("%s: %w: %s", path, err, bytes.TrimSpace(stderr.Bytes()))
			}
			return nil
		}
	}
	return nil
}
