package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftless/driftless/server"
)

func deviceCmd() *cobra.Command {
	var data string
	c := &cobra.Command{Use: "device", Short: "Enroll, list and revoke handheld devices"}
	c.PersistentFlags().StringVar(&data, "data", "./data", "data directory")

	var warehouse string
	var asJSON bool
	var codeTTL time.Duration
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Enroll a device and print its ID, token and an enrollment code (shown once)",
		Long: "Enroll a device and print its ID and token, and an enrollment code to type into the scanner app\n" +
			"instead of them (single use, valid for --code-ttl).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, st, err := openLedger(cmd.Context(), data)
			if err != nil {
				return err
			}
			defer st.Close()
			d, token, err := l.AddDevice(cmd.Context(), args[0], warehouse)
			if err != nil {
				return err
			}
			code, exp, err := l.IssueEnrollmentCode(cmd.Context(), d.ID, codeTTL)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(os.Stdout).Encode(map[string]string{"id": d.ID, "name": d.Name, "warehouse": d.Warehouse,
					"token": token, "enrollment_code": code, "code_expires_at": exp.Format(time.RFC3339)})
			}
			fmt.Printf("device %s enrolled for warehouse %s\nid:    %s\ntoken: %s\ncode:  %s (enrollment code, single use, valid until %s)\n",
				d.Name, d.Warehouse, d.ID, token, code, exp.Local().Format("2006-01-02 15:04"))
			return nil
		},
	}
	add.Flags().StringVar(&warehouse, "warehouse", "", "the warehouse the device works in (required)")
	add.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	add.Flags().DurationVar(&codeTTL, "code-ttl", server.DefaultEnrollmentTTL, "how long the enrollment code stays valid")
	_ = add.MarkFlagRequired("warehouse")

	var freshTTL time.Duration
	code := &cobra.Command{
		Use:   "code ID",
		Short: "Issue a fresh enrollment code for a device (its earlier unused codes stop working)",
		Long: "Issue a fresh enrollment code for a device: typing it into the scanner app gives the device a new\n" +
			"token, replacing the old one (a replaced or wiped handheld is set up again this way).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, st, err := openLedger(cmd.Context(), data)
			if err != nil {
				return err
			}
			defer st.Close()
			code, exp, err := l.IssueEnrollmentCode(cmd.Context(), args[0], freshTTL)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(os.Stdout).Encode(map[string]string{"id": args[0], "enrollment_code": code,
					"code_expires_at": exp.Format(time.RFC3339)})
			}
			fmt.Printf("code: %s (enrollment code for device %s, single use, valid until %s)\n", code, args[0], exp.Local().Format("2006-01-02 15:04"))
			return nil
		},
	}
	code.Flags().DurationVar(&freshTTL, "code-ttl", server.DefaultEnrollmentTTL, "how long the code stays valid")
	code.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	list := &cobra.Command{
		Use:   "list",
		Short: "List enrolled devices with their sync state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, st, err := openLedger(cmd.Context(), data)
			if err != nil {
				return err
			}
			defer st.Close()
			devs, err := st.Devices(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tWAREHOUSE\tACKED\tLAST SYNC\tREVOKED")
			for _, d := range devs {
				last := "never"
				if !d.LastSyncAt.IsZero() {
					last = d.LastSyncAt.Local().Format("2006-01-02 15:04:05")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%v\n", d.ID, d.Name, d.Warehouse, d.AckedThrough, last, d.Revoked)
			}
			return w.Flush()
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Refuse a device's future sync sessions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, st, err := openLedger(cmd.Context(), data)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := l.RevokeDevice(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Printf("device %s revoked\n", args[0])
			return nil
		},
	}
	c.AddCommand(add, code, list, revoke)
	return c
}
