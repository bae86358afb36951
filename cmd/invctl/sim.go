package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftless/driftless/cmd/invctl/sim"
)

func init() { subcommands = append(subcommands, newSimCmd) }

func newSimCmd() *cobra.Command {
	var (
		seeds, steps int
		first        uint64
		trace        bool
	)
	c := &cobra.Command{
		Use:   "sim",
		Short: "Run the deterministic simulator over a range of seeds and check the sync invariants",
		Long: `sim runs devices and a server in one process from each seed, through
dropped, delayed and duplicated messages, cut connections, partitions,
device crashes and server restarts, then checks the invariants. A failing
seed replays exactly: invctl sim --seed N --seeds 1 --trace.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start := time.Now()
			bad := 0
			events := 0
			for seed := first; seed < first+uint64(seeds); seed++ {
				cfg := sim.Config{Seed: seed, Steps: steps}
				if trace {
					cfg.Trace = os.Stderr
				}
				res, err := sim.Run(cmd.Context(), cfg)
				if err != nil {
					return err
				}
				events += res.Events
				if !res.OK() {
					bad++
					b, _ := json.Marshal(res)
					fmt.Println(string(b))
				}
			}
			el := time.Since(start).Seconds()
			fmt.Printf(`{"seeds":%d,"failed":%d,"events":%d,"seconds":%.1f,"seeds_per_sec":%.1f}`+"\n", seeds, bad, events, el, float64(seeds)/el)
			if bad > 0 {
				return fmt.Errorf("%d seeds broke an invariant", bad)
			}
			return nil
		},
	}
	c.Flags().IntVar(&seeds, "seeds", 100, "how many seeds")
	c.Flags().Uint64Var(&first, "seed", 1, "the first seed")
	c.Flags().IntVar(&steps, "steps", 300, "fault-phase steps per seed")
	c.Flags().BoolVar(&trace, "trace", false, "print every step to stderr")
	return c
}
