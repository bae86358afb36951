package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/driftless/driftless/server"
)

func usageCmd() *cobra.Command {
	c := &cobra.Command{Use: "usage", Short: "Maintain the usage history (usage_daily)"}
	var data, pgDSN, warehouse string
	rebuild := &cobra.Command{
		Use:   "rebuild",
		Short: "Recompute the usage history from the ledger, one transaction per warehouse",
		Long: "Recompute usage_daily from the ledger, replacing each warehouse's rows in one transaction that\n" +
			"holds the warehouse's write lock (its pushes wait meanwhile). Usage is kept as events apply from\n" +
			"the upgrade that added it on: run this once after upgrading a server with ledger history.\n" +
			"Values are at today's unit costs. Without --warehouse: every warehouse of the catalog.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if pgDSN == "" {
				pgDSN = os.Getenv("DRIFTLESS_POSTGRES")
			}
			st, _, err := openServeStore(ctx, data, pgDSN)
			if err != nil {
				return err
			}
			defer st.Close()
			whs := []string{warehouse}
			if warehouse == "" {
				cs, ok := st.(server.CatalogStore)
				if !ok {
					return fmt.Errorf("this store keeps no catalog: name a --warehouse")
				}
				ws, err := server.NewCatalog(cs, server.NewLedger(st)).Warehouses.List(ctx, server.ListFilter{})
				if err != nil {
					return err
				}
				whs = whs[:0]
				for _, w := range ws {
					whs = append(whs, w.Code)
				}
			}
			r := server.NewReports(st, nil)
			for _, wh := range whs {
				n, err := r.RebuildUsage(ctx, wh)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d usage rows rebuilt\n", wh, n)
			}
			return nil
		},
	}
	rebuild.Flags().StringVar(&data, "data", "./data", "data directory (SQLite database)")
	rebuild.Flags().StringVar(&pgDSN, "postgres", "", "PostgreSQL DSN of the shared database instead of the SQLite in --data (default $DRIFTLESS_POSTGRES)")
	rebuild.Flags().StringVar(&warehouse, "warehouse", "", "rebuild only this warehouse")
	c.AddCommand(rebuild)
	return c
}
