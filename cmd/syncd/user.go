package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/driftless/driftless/server"
)

func userCmd() *cobra.Command {
	var data string
	c := &cobra.Command{Use: "user", Short: "Add and list the people who sign in on the handhelds"}
	c.PersistentFlags().StringVar(&data, "data", "./data", "data directory")

	var name, roles, pin string
	add := &cobra.Command{
		Use:   "add CODE",
		Short: "Add a user (or update one: name, roles, and the PIN when given)",
		Long: "Add a user who signs in on every warehouse's handhelds with a PIN of 4 to 8 digits. Roles are\n" +
			"comma-separated: " + rolesList() + ". Adding a user that exists updates it; without --pin\n" +
			"its PIN stays as it is.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The audit log names the command line as who changed the user.
			ctx := server.WithActor(cmd.Context(), "cli")
			l, st, err := openLedger(ctx, data)
			if err != nil {
				return err
			}
			defer st.Close()
			c := server.NewCatalog(st, l)
			u := server.User{Code: args[0], Name: name, PIN: pin}
			for _, r := range strings.Split(roles, ",") {
				if r = strings.TrimSpace(r); r != "" {
					u.Roles = append(u.Roles, r)
				}
			}
			verb := "added"
			if _, err := c.Users.Get(ctx, server.CatalogKey{Code: u.Code}); err == nil {
				verb = "updated"
				_, err = c.Users.Update(ctx, u)
				if err != nil {
					return err
				}
			} else if !server.IsNotFound(err) {
				return err
			} else if _, err := c.Users.Create(ctx, u); err != nil {
				return err
			}
			fmt.Printf("user %s %s (%s)\n", u.Code, verb, strings.Join(u.Roles, ", "))
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "the user's name (required)")
	add.Flags().StringVar(&roles, "roles", "", "comma-separated roles (required): "+rolesList())
	add.Flags().StringVar(&pin, "pin", "", "the sign-in PIN, 4 to 8 digits")
	_ = add.MarkFlagRequired("name")
	_ = add.MarkFlagRequired("roles")

	var all bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			l, st, err := openLedger(ctx, data)
			if err != nil {
				return err
			}
			defer st.Close()
			f := server.ListFilter{}
			if all {
				f.Archived = server.ActiveAndArchived
			}
			users, err := server.NewCatalog(st, l).Users.List(ctx, f)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "CODE\tNAME\tROLES\tPIN\tARCHIVED")
			for _, u := range users {
				hasPIN := "no"
				if u.PINHash != "" {
					hasPIN = "set"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%v\n", u.Code, u.Name, strings.Join(u.Roles, ","), hasPIN, u.Archived)
			}
			return w.Flush()
		},
	}
	list.Flags().BoolVar(&all, "all", false, "include archived users")
	c.AddCommand(add, list)
	return c
}

func rolesList() string {
	s := make([]string, len(server.Roles))
	for i, r := range server.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}
