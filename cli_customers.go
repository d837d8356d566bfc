package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/patron-crm/patron/model"
)

func (c *cli) addCmd() *cobra.Command {
	var phone, email, birthday, address, notes string
	var tags []string
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a customer",
		Example: `  patron add "Ana Lima" --phone "555 0101" --email ana@example.com --birthday 1988-04-15 --tag vip
  patron add "Rui Costa" --tag wedding,newsletter`,
		Args: exactArgs(1, "give the customer's name, in quotes when it has spaces"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cu := model.Customer{Name: args[0], Phone: phone, Email: email, Address: address, Notes: notes}
			for _, t := range tags {
				cu.Tags = append(cu.Tags, model.ParseTags(t)...)
			}
			if birthday != "" {
				b, err := model.ParseBirthday(birthday)
				if err != nil {
					return err
				}
				cu.Birthday = b
			}
			if err := model.ValidateCustomer(cu); err != nil {
				return err
			}
			s, err := c.openWrite()
			if err != nil {
				return err
			}
			cu.Since = s.Now()
			dups, err := s.Duplicates(cu)
			if err != nil {
				return err
			}
			saved, err := s.AddCustomer(cu)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Added #%d %s\n", saved.ID, model.Sanitize(saved.Name))
			for _, d := range dups {
				fmt.Fprintf(c.errOut, "note: #%d %s has the same email or phone\n", d.ID, model.Sanitize(d.Name))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&phone, "phone", "", "phone number")
	f.StringVar(&email, "email", "", "email address")
	f.StringVar(&birthday, "birthday", "", "birthday: 12-24 or 1990-12-24")
	f.StringVar(&address, "address", "", "mailing address, for cards")
	f.StringVar(&notes, "notes", "", "notes")
	f.StringSliceVar(&tags, "tag", nil, "a tag (repeat, or separate with commas)")
	return cmd
}

// customerJSON is a customer as scripts see it (DESIGN "--json").
type customerJSON struct {
	ID        model.ID `json:"id"`
	Name      string   `json:"name"`
	Phone     string   `json:"phone"`
	Email     string   `json:"email"`
	Address   string   `json:"address,omitempty"`
	Birthday  string   `json:"birthday,omitempty"`
	Tags      []string `json:"tags"`
	Status    string   `json:"status"`
	LastVisit string   `json:"last_visit"`
	Visits    int      `json:"visits"`
	Spend     string   `json:"spend"`
}

func toCustomerJSON(cu model.Customer, cur model.Currency, loc *time.Location) customerJSON {
	j := customerJSON{ID: cu.ID, Name: cu.Name, Phone: cu.Phone, Email: cu.Email, Address: cu.Address,
		Birthday: cu.Birthday.String(), Tags: cu.Tags, Status: string(cu.Status), Visits: cu.Stats.Visits,
		Spend: cu.Stats.Spend.Plain(cur)}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if j.Status == "" {
		j.Status = string(model.StatusActive)
	}
	if !cu.Stats.LastVisit.IsZero() {
		j.LastVisit = cu.Stats.LastVisit.In(loc).Format("2006-01-02")
	}
	return j
}

func (c *cli) listCmd() *cobra.Command {
	var asJSON, all bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List customers (active ones; --all adds archived and lost)",
		Example: `  patron list
  patron list --json --all > customers.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, st, err := c.openReadSettings()
			if err != nil {
				return err
			}
			list, err := s.AllCustomers(nil)
			if err != nil {
				return err
			}
			shown := list[:0]
			for _, cu := range list {
				if all || cu.Active() {
					shown = append(shown, cu)
				}
			}
			sort.SliceStable(shown, func(i, j int) bool {
				a, b := strings.ToLower(shown[i].Name), strings.ToLower(shown[j].Name)
				if a != b {
					return a < b
				}
				return shown[i].ID < shown[j].ID
			})
			if asJSON {
				out := make([]customerJSON, 0, len(shown))
				for _, cu := range shown {
					out = append(out, toCustomerJSON(cu, st.Money(), st.Location()))
				}
				return writeJSON(c.out, out)
			}
			if len(shown) == 0 {
				fmt.Fprintln(c.out, "No customers yet. Add one with `patron add NAME`, or try `patron demo`.")
				return nil
			}
			now := s.Now()
			tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tPHONE\tEMAIL\tTAGS\tLAST VISIT\tVISITS\tSPEND")
			for _, cu := range shown {
				last := "never"
				if !cu.Stats.LastVisit.IsZero() {
					last = model.FormatRelative(cu.Stats.LastVisit, now, st.Location())
				}
				name := cu.Name
				if !cu.Active() {
					name += " (" + string(cu.Status) + ")"
				}
				fmt.Fprintf(tw, "#%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", cu.ID, clip(name, 30), clip(cu.Phone, 18),
					clip(cu.Email, 30), clip(strings.Join(cu.Tags, ","), 20), last, cu.Stats.Visits, cu.Stats.Spend.Plain(st.Money()))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON array")
	cmd.Flags().BoolVar(&all, "all", false, "include archived and lost customers")
	return cmd
}

// clip sanitises text for the terminal and shortens it to n characters.
func clip(s string, n int) string {
	s = model.Sanitize(s)
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonForTerminal(b.Bytes()))
	return err
}

func (c *cli) settingsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "settings",
		Short: "Show the shop's settings (name, currency, time zone)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, st, err := c.openReadSettings()
			if err != nil {
				return err
			}
			cur := st.Money()
			tz := st.TimeZone
			if tz == "" {
				name, _ := s.Now().Zone()
				tz = "this machine's (" + name + ", UTC" + s.Now().Format("-07:00") + ")"
			}
			if asJSON {
				return writeJSON(c.out, map[string]any{"shop_name": st.ShopName, "currency": cur.Code,
					"currency_symbol": cur.Symbol, "currency_digits": cur.Digits, "time_zone": st.TimeZone})
			}
			fmt.Fprintf(c.out, "shop_name  %s\ncurrency   %s (%s, %d decimal places, e.g. %s)\ntime_zone  %s\n",
				model.Sanitize(st.ShopName), cur.Code, cur.Symbol, cur.Digits, model.Money(123450).Display(cur), tz)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	set := &cobra.Command{
		Use:     "set KEY VALUE",
		Short:   "Change one setting: shop_name, currency (ISO code) or time_zone (e.g. Europe/Lisbon, or local)",
		Example: "  patron settings set shop_name \"Lima & Daughters\"\n  patron settings set currency EUR\n  patron settings set time_zone Europe/Lisbon",
		Args:    exactArgs(2, "give a setting name and its value, e.g. `patron settings set currency EUR`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, st, err := c.openWriteSettings()
			if err != nil {
				return err
			}
			if err := st.Set(args[0], args[1]); err != nil {
				return err
			}
			if err := s.SaveSettings(st); err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Saved %s\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(set)
	return cmd
}

// exactArgs is cobra.ExactArgs with a message that says what to type.
func exactArgs(n int, hint string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("%s takes %d argument(s), got %d: %s", cmd.Name(), n, len(args), hint)
		}
		return nil
	}
}
