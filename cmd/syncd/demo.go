package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/driftless/driftless/syncproto"
)

// demoDeviceFile holds the demo handheld's credentials, for the scanner app
// that `make demo` starts.
const demoDeviceFile = "demo-device.json"

func demoCmd() *cobra.Command {
	var data string
	c := &cobra.Command{
		Use:   "demo",
		Short: "Seed a data directory with a small demo warehouse (once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			credPath := filepath.Join(data, demoDeviceFile)
			if _, err := os.Stat(credPath); err == nil {
				fmt.Printf("demo data already in %s\n", data)
				return nil
			} else if !errors.Is(err, os.ErrNotExist) {
				return err
			}
			l, st, err := openLedger(ctx, data)
			if err != nil {
				return err
			}
			defer st.Close()
			const warehouse = "MAIN"
			seed, _, err := l.AddDevice(ctx, "demo-seed", warehouse)
			if err != nil {
				return err
			}
			// Opening stock arrives as the events a receiving clerk would
			// make: receive at the dock, then put away to bins.
			rng := rand.New(rand.NewPCG(1, 2))
			var events []syncproto.Event
			seq := uint64(0)
			add := func(kind syncproto.Kind, sku, from, to string, qty int64) {
				seq++
				ev := syncproto.Event{ID: uuid.Must(uuid.NewV7()).String(), DeviceID: seed.ID, Seq: seq, User: "demo",
					Kind: kind, SKU: sku, From: from, To: to, Qty: qty, Ref: "OPENING", DeviceTime: time.Now().UTC()}
				ev.Seal()
				events = append(events, ev)
			}
			bins := 0
			for aisle := 'A'; aisle <= 'C'; aisle++ {
				for rack := 1; rack <= 4; rack++ {
					for level := 1; level <= 2; level++ {
						bins++
						bin := fmt.Sprintf("%c-%02d-%d", aisle, rack, level)
						sku := fmt.Sprintf("SKU-%04d", bins)
						qty := int64(20 + rng.IntN(200))
						add(syncproto.KindReceive, sku, "", "DOCK-1", qty)
						add(syncproto.KindPutaway, sku, "DOCK-1", bin, qty)
					}
				}
			}
			ack, err := l.Push(ctx, seed.ID, events)
			if err != nil {
				return fmt.Errorf("seed demo stock: %w", err)
			}
			if err := l.RevokeDevice(ctx, seed.ID); err != nil {
				return err
			}
			dev, token, err := l.AddDevice(ctx, "handheld-1", warehouse)
			if err != nil {
				return err
			}
			cred, _ := json.MarshalIndent(map[string]string{"id": dev.ID, "name": dev.Name, "warehouse": warehouse, "token": token}, "", "  ")
			if err := os.WriteFile(credPath, append(cred, '\n'), 0o600); err != nil {
				return err
			}
			fmt.Printf("demo warehouse %s: %d bins stocked (%d events applied); handheld-1 enrolled, credentials in %s\n",
				warehouse, bins, ack.AckedThrough, credPath)
			return nil
		},
	}
	c.Flags().StringVar(&data, "data", "./data", "data directory")
	return c
}
