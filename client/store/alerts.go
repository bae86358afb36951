package store

import (
	"context"
	"fmt"

	"github.com/driftless/driftless/syncproto"
)

// Low-stock alerts as the device holds them: the active alerts of its
// warehouse, from the reference data (an alert the server clears or
// archives is deleted when its change is pulled).

// Alerts returns the active low-stock alerts the device holds, by ID.
func (s *Store) Alerts(ctx context.Context) ([]syncproto.Alert, error) {
	out, err := s.alerts(ctx)
	if err != nil {
		return nil, fmt.Errorf("read alerts: %w", err)
	}
	return out, nil
}

func (s *Store) alerts(ctx context.Context) ([]syncproto.Alert, error) {
	var out []syncproto.Alert
	err := scanAll(ctx, s.r, `SELECT id, sku, available, reorder_point, on_order, suggested, status, raised_at, position
		FROM ref_alerts ORDER BY id`,
		func(sc scanner) error {
			var a syncproto.Alert
			err := sc.Scan(&a.ID, &a.SKU, &a.Available, &a.ReorderPoint, &a.OnOrder, &a.Suggested, &a.Status, &a.RaisedAt, &a.Position)
			out = append(out, a)
			return err
		})
	return out, err
}
