package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/csvio"
)

func importCmd() *cobra.Command {
	var data string
	c := &cobra.Command{
		Use:   "import KIND FILE",
		Short: "Import a CSV file: every row is checked first, any bad row imports nothing",
		Long: "Import a CSV file of one kind (" + strings.Join(csvio.Kinds, ", ") + ") into the data directory.\n" +
			"Every row is checked before anything is written; when any row is bad, every bad row is listed\n" +
			"(row, column, reason) and nothing is imported. A good file is imported in one transaction.\n" +
			"Use - as FILE to read standard input. Columns are described in server/csvio/doc.go.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := server.WithActor(cmd.Context(), "cli") // who the audit log names
			kind, path := args[0], args[1]
			if _, err := csvio.Columns(kind); err != nil {
				return err
			}
			in := os.Stdin
			if path != "-" {
				f, err := os.Open(path)
				if err != nil {
					return fmt.Errorf("import %s: %w", kind, err)
				}
				defer f.Close()
				in = f
			}
			l, st, err := openLedger(ctx, data)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := csvio.Import(ctx, server.NewCatalog(st, l), kind, in)
			var rej *csvio.Rejected
			if errors.As(err, &rej) {
				fmt.Fprintf(os.Stderr, "%s: %d bad rows; nothing was imported\n", path, len(rej.Rows))
				for _, r := range rej.Rows {
					fmt.Fprintf(os.Stderr, "%s:%s\n", path, strings.TrimPrefix(r.String(), "row "))
				}
				return fmt.Errorf("import %s: %d bad rows", kind, len(rej.Rows))
			}
			if err != nil {
				return err
			}
			fmt.Printf("imported %d %s from %s\n", n, kind, path)
			return nil
		},
	}
	c.Flags().StringVar(&data, "data", "./data", "data directory")
	return c
}

func exportCmd() *cobra.Command {
	var data string
	c := &cobra.Command{
		Use:   "export KIND",
		Short: "Write every record of a kind (archived included) as CSV to standard output",
		Long:  "Export one kind (" + strings.Join(csvio.Kinds, ", ") + ") as CSV; `syncd import` reads it back unchanged.",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if _, err := csvio.Columns(args[0]); err != nil {
				return err
			}
			l, st, err := openLedger(ctx, data)
			if err != nil {
				return err
			}
			defer st.Close()
			_, err = csvio.Export(ctx, server.NewCatalog(st, l), args[0], os.Stdout)
			return err
		},
	}
	c.Flags().StringVar(&data, "data", "./data", "data directory")
	return c
}
