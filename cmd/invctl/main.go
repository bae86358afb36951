// Command invctl holds Driftless's headless tools: load tests with simulated
// devices, barcode decoding and GS1 parsing from the command line.
//
// main only wires: each subcommand lives in its own file and registers its
// constructor in subcommands from an init function.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// subcommands collects the constructors of invctl's subcommands; each file
// adds its own in init so that the commands stay independent of each other.
var subcommands []func() *cobra.Command

func main() {
	root := &cobra.Command{
		Use:           "invctl",
		Short:         "Driftless headless tools: load tests, barcode decoding, GS1 parsing",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	for _, c := range subcommands {
		root.AddCommand(c())
	}
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "invctl:", err)
		os.Exit(1)
	}
}
