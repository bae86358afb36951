package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/driftless/driftless/syncproto"
)

// MigrateTo moves the database in a file up or down to a schema version,
// for tests of migrations on databases holding data.
func MigrateTo(ctx context.Context, path string, version int64) error {
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return err
	}
	defer db.Close()
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return err
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case cur > version:
		_, err = p.DownTo(ctx, version)
	case cur < version:
		_, err = p.UpTo(ctx, version)
	}
	if err != nil {
		return fmt.Errorf("migrate from %d to %d: %w", cur, version, err)
	}
	return nil
}

// QueryRow runs a query on the database in a file and scans its one row.
func QueryRow(ctx context.Context, path, query string, args []any, dest ...any) error {
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRowContext(ctx, query, args...).Scan(dest...)
}

// Plans are SQLite's query plans for the reads that must stay fast on
// a database with a long history, by name.
func Plans(ctx context.Context, path string) (map[string]string, error) {
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	evq, evargs := eventsQuery(100, syncproto.StatusParked, syncproto.StatusRejected)
	exq, exargs := eventsOfKindQuery(syncproto.KindException, "W1", 100)
	queries := map[string]struct {
		q    string
		args []any
	}{
		"resolutions":      {parkSelect + resolutionsWhere, []any{"W1", 5, 10}},
		"open events":      {evq, evargs},
		"exception events": {exq, exargs},
	}
	plans := map[string]string{}
	for name, q := range queries {
		rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q.q, q.args...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				rows.Close()
				return nil, err
			}
			plan = append(plan, detail)
		}
		rows.Close()
		plans[name] = strings.Join(plan, "; ")
	}
	return plans, nil
}
