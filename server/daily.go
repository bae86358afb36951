package server

import (
	"context"
	"log/slog"
	"time"
)

// runDaily is the loop of the daily jobs of `syncd serve`: it runs run
// once at start and then at the first tick of each new UTC day, until ctx
// is done (it returns nil then). A failed run is logged under name and
// tried again at the next tick. now is the clock (time.Now when nil),
// tick how often it looks at it (a minute when zero).
func runDaily(ctx context.Context, now func() time.Time, tick time.Duration, log *slog.Logger, name string,
	run func(ctx context.Context, now time.Time, day string) error) error {
	if now == nil {
		now = time.Now
	}
	if tick <= 0 {
		tick = time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	last := ""
	for {
		at := now()
		if day := at.UTC().Format(time.DateOnly); day != last {
			if err := run(ctx, at, day); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				log.Warn(name, "day", day, "err", err)
			} else {
				last = day
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
