package store

import (
	"context"
	"fmt"
)

// ReceivedAt sums, per location, SKU and lot, what this device received
// against a document reference (a purchase order's number) into locations
// of a type ("dock") less what it put away from there under putAwayRef
// (a pallet's SSCC), leaving out events the server parked, rejected or a
// supervisor cancelled. It reads the outbox (the device's own history), so
// it knows nothing of other devices' receipts.
func (s *Store) ReceivedAt(ctx context.Context, ref, putAwayRef, locationType string) ([]StockRow, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT e.loc, COALESCE(l.sequence, 0), e.sku, COALESCE(k.name, ''), e.lot, SUM(e.qty)
		FROM (SELECT CASE json_extract(payload, '$.kind') WHEN 'receive' THEN json_extract(payload, '$.to')
		                  ELSE json_extract(payload, '$.from') END AS loc,
		             json_extract(payload, '$.sku') AS sku,
		             COALESCE(json_extract(payload, '$.lot'), '') AS lot,
		             CASE json_extract(payload, '$.kind') WHEN 'receive' THEN 1 ELSE -1 END * json_extract(payload, '$.qty') AS qty
		      FROM outbox
		      WHERE status NOT IN ('parked', 'rejected', 'cancelled')
		        AND ((json_extract(payload, '$.kind') = 'receive' AND json_extract(payload, '$.ref') = ?)
		          OR (json_extract(payload, '$.kind') = 'putaway' AND json_extract(payload, '$.ref') = ?))) e
		JOIN ref_locations l ON l.code = e.loc AND l.type = ?
		LEFT JOIN ref_skus k ON k.code = e.sku
		GROUP BY e.loc, e.sku, e.lot
		HAVING SUM(e.qty) > 0
		ORDER BY l.sequence, e.loc, e.sku, e.lot`, ref, putAwayRef, locationType)
	if err != nil {
		return nil, fmt.Errorf("received against %s: %w", ref, err)
	}
	defer rows.Close()
	var out []StockRow
	for rows.Next() {
		r := StockRow{LocationType: locationType}
		if err := rows.Scan(&r.Location, &r.Sequence, &r.SKU, &r.Name, &r.Lot, &r.Qty); err != nil {
			return nil, fmt.Errorf("received against %s: %w", ref, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("received against %s: %w", ref, err)
	}
	return out, nil
}
