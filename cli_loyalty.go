package main

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// goalJSON is one way up to the next rung. have and need are numbers for
// counts and decimal strings for spend (money is always a string).
type goalJSON struct {
	Measure string `json:"measure"`
	Have    any    `json:"have"`
	Need    any    `json:"need"`
	Missing string `json:"missing"`
}

type windowJSON struct {
	From             string `json:"from"`
	To               string `json:"to"`
	Purchases        int    `json:"purchases"`
	Visits           int    `json:"visits"`
	Spend            string `json:"spend"`
	Referrals        int    `json:"referrals"`
	FiveStarFeedback int    `json:"five_star_feedback"`
}

type slipJSON struct {
	To string `json:"to"`
	On string `json:"on"`
}

type rewardJSON struct {
	Name   string `json:"name"`
	Points int64  `json:"points"`
}

type nextRewardJSON struct {
	Name          string `json:"name"`
	Points        int64  `json:"points"`
	PointsMissing int64  `json:"points_missing"`
}

// loyaltyJSON is `patron loyalty CUSTOMER --json`.
type loyaltyJSON struct {
	ID               model.ID        `json:"id"`
	Name             string          `json:"name"`
	AsOf             string          `json:"as_of"`
	Rung             string          `json:"rung"`
	Partner          bool            `json:"partner"`
	Points           int64           `json:"points"`
	NextRung         *string         `json:"next_rung"` // null at the top of what can be earned
	Missing          string          `json:"missing"`   // "5 more visits or 35.00 more"
	Progress         []goalJSON      `json:"progress"`
	CloseToNextRung  bool            `json:"close_to_next_rung"`
	Slipping         *slipJSON       `json:"slipping"` // null unless they drop a rung within 30 days
	Last12Months     windowJSON      `json:"last_12_months"`
	RewardsAvailable []rewardJSON    `json:"rewards_available"`
	NextReward       *nextRewardJSON `json:"next_reward"`
}

// loyaltyRowJSON is one customer in `patron loyalty --all --json`.
type loyaltyRowJSON struct {
	ID       model.ID `json:"id"`
	Name     string   `json:"name"`
	Status   string   `json:"status"`
	Rung     string   `json:"rung"`
	Points   int64    `json:"points"`
	NextRung *string  `json:"next_rung"`
	Missing  string   `json:"missing"`
}

const loyaltyDate = "2006-01-02"

func goalsJSON(p model.Progress, cur model.Currency) []goalJSON {
	out := []goalJSON{}
	for _, g := range p.Goals {
		j := goalJSON{Measure: string(g.Measure), Have: g.Have, Need: g.Need, Missing: g.Describe(cur)}
		if g.Measure == model.MeasureSpend {
			j.Have, j.Need = model.Money(g.Have).Plain(cur), model.Money(g.Need).Plain(cur)
		}
		out = append(out, j)
	}
	return out
}

func nextRung(p model.Progress) *string {
	if p.Top {
		return nil
	}
	s := p.Next.String()
	return &s
}

func rewardsJSON(rs []model.Reward) []rewardJSON {
	out := []rewardJSON{}
	for _, r := range rs {
		out = append(out, rewardJSON{Name: r.Name, Points: r.Points})
	}
	return out
}

// loyaltyCustomers reads every customer as they stood at the store's now
// (rewound when --now is before their later interactions).
func loyaltyCustomers(s *store.Store) ([]model.Customer, error) {
	all, err := s.AllCustomers(nil)
	if err != nil {
		return nil, err
	}
	return s.AsOf(all, s.Now())
}

func (c *cli) loyaltyCmd() *cobra.Command {
	var asJSON, all bool
	cmd := &cobra.Command{
		Use:   "loyalty [CUSTOMER]",
		Short: "Show a customer's rung on the loyalty ladder, points and rewards; without one, how many stand on each rung",
		Long: `The loyalty ladder (default numbers): prospect, customer (a purchase), client (3 purchases in 12
months), supporter (8 visit days or 500.00 spent in 12 months), advocate (a
supporter who referred someone or gave 5-star feedback in 12 months) and
partner (set by hand). The numbers are the shop's settings (patron loyalty
settings). A customer slips down as purchases and visits pass 12 months.

CUSTOMER is #ID, an exact email, an exact phone number, or a name that matches
exactly one customer. Without CUSTOMER: how many active customers stand on
each rung; --all lists every customer's rung and points instead.`,
		Example: `  patron loyalty "Ana Lima"
  patron loyalty #12 --json
  patron loyalty --json
  patron loyalty --all --now 2026-01-01`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, st, err := c.openReadSettings()
			if err != nil {
				return err
			}
			now, loc, cur, ls := s.Now(), st.Location(), st.Money(), st.Loyalty
			if len(args) == 1 {
				if all {
					return errors.New("--all lists every customer; leave it out to show one")
				}
				cu, err := s.FindCustomer(args[0])
				if err != nil {
					return err
				}
				past, err := s.AsOf([]model.Customer{cu}, now)
				if err != nil {
					return err
				}
				return c.showLoyalty(past[0], ls, now, loc, cur, asJSON)
			}
			list, err := loyaltyCustomers(s)
			if err != nil {
				return err
			}
			if all {
				return c.listLoyalty(list, ls, now, loc, cur, asJSON)
			}
			var active []model.Customer
			for _, cu := range list {
				if cu.Active() {
					active = append(active, cu)
				}
			}
			counts := model.CountRungs(active, ls, now, loc)
			if asJSON {
				return writeJSON(c.out, counts)
			}
			tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUNG\tCUSTOMERS")
			for i := len(counts) - 1; i >= 0; i-- {
				fmt.Fprintf(tw, "%s\t%d\n", counts[i].Rung, counts[i].Customers)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&all, "all", false, "list every customer's rung and points (archived and lost too)")
	cmd.AddCommand(c.partnerCmd(), c.loyaltySettingsCmd(), c.loyaltySetCmd(), c.rewardCmd())
	return cmd
}

func (c *cli) showLoyalty(cu model.Customer, ls model.LoyaltySettings, now time.Time, loc *time.Location, cur model.Currency, asJSON bool) error {
	sd := model.StandingOf(cu, ls, now, loc)
	_, close := model.CloseToNext(cu, ls, now, loc)
	slip, slipping := model.Slipping(cu, ls, now, loc, model.SlipDays)
	afford := ls.Affordable(sd.Points)
	next, missing, hasNext := ls.NextReward(sd.Points)
	if asJSON {
		j := loyaltyJSON{ID: cu.ID, Name: cu.Name, AsOf: now.In(loc).Format(loyaltyDate), Rung: sd.Rung.String(), Partner: cu.Partner,
			Points: sd.Points, NextRung: nextRung(sd.Progress), Missing: sd.Progress.Describe(cur),
			Progress: goalsJSON(sd.Progress, cur), CloseToNextRung: close,
			Last12Months: windowJSON{From: sd.Window.From.String(), To: sd.Window.To.String(), Purchases: sd.Window.Purchases,
				Visits: sd.Window.Visits, Spend: sd.Window.Spend.Plain(cur), Referrals: sd.Window.Referrals, FiveStarFeedback: sd.Window.FiveStars},
			RewardsAvailable: rewardsJSON(afford)}
		if slipping {
			j.Slipping = &slipJSON{To: slip.To.String(), On: slip.On.Format(loyaltyDate)}
		}
		if hasNext {
			j.NextReward = &nextRewardJSON{Name: next.Name, Points: next.Points, PointsMissing: missing}
		}
		return writeJSON(c.out, j)
	}
	w := c.out
	fmt.Fprintf(w, "#%d %s: %s, %s\n", cu.ID, model.Sanitize(cu.Name), sd.Rung, loyaltyCount(sd.Points, "point"))
	switch {
	case cu.Partner:
		fmt.Fprintln(w, "Partner, set by hand: stays until unset (patron loyalty partner --off).")
	case sd.Progress.Top:
		fmt.Fprintln(w, "Top of the ladder a customer can earn.")
	default:
		fmt.Fprintf(w, "Next: %s, with %s\n", sd.Progress.Next, sd.Progress.Describe(cur))
	}
	win := sd.Window
	fmt.Fprintf(w, "Last 12 months (%s to %s): %s, %s, %s spent, %s, %s\n", win.From, win.To,
		loyaltyCount(int64(win.Purchases), "purchase"), loyaltyCount(int64(win.Visits), "visit day"), win.Spend.Plain(cur),
		loyaltyCount(int64(win.Referrals), "referral"), fmt.Sprintf("%d 5-star feedback", win.FiveStars))
	if slipping {
		fmt.Fprintf(w, "Slipping: drops to %s on %s unless they come back.\n", slip.To, slip.On.Format(loyaltyDate))
	}
	if len(afford) == 0 {
		fmt.Fprintln(w, "Rewards available: none yet.")
	} else {
		var names []string
		for _, r := range afford {
			names = append(names, fmt.Sprintf("%s (%d points)", model.Sanitize(r.Name), r.Points))
		}
		fmt.Fprintf(w, "Rewards available: %s\n", strings.Join(names, ", "))
	}
	if hasNext {
		fmt.Fprintf(w, "Next reward: %s, %d more points.\n", model.Sanitize(next.Name), missing)
	}
	return nil
}

func (c *cli) listLoyalty(list []model.Customer, ls model.LoyaltySettings, now time.Time, loc *time.Location, cur model.Currency, asJSON bool) error {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := strings.ToLower(list[i].Name), strings.ToLower(list[j].Name)
		if a != b {
			return a < b
		}
		return list[i].ID < list[j].ID
	})
	rows := make([]loyaltyRowJSON, 0, len(list))
	for _, cu := range list {
		sd := model.StandingOf(cu, ls, now, loc)
		status := string(cu.Status)
		if status == "" {
			status = string(model.StatusActive)
		}
		rows = append(rows, loyaltyRowJSON{ID: cu.ID, Name: cu.Name, Status: status, Rung: sd.Rung.String(), Points: sd.Points,
			NextRung: nextRung(sd.Progress), Missing: sd.Progress.Describe(cur)})
	}
	if asJSON {
		return writeJSON(c.out, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(c.out, "No customers yet. Add one with `patron add NAME`, or try `patron demo`.")
		return nil
	}
	tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tRUNG\tPOINTS\tNEXT")
	for _, r := range rows {
		next := "-"
		if r.NextRung != nil {
			next = *r.NextRung + ": " + r.Missing
		}
		name := r.Name
		if r.Status != string(model.StatusActive) {
			name += " (" + r.Status + ")"
		}
		fmt.Fprintf(tw, "#%d\t%s\t%s\t%d\t%s\n", r.ID, clip(name, 30), r.Rung, r.Points, next)
	}
	return tw.Flush()
}

func loyaltyCount(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func (c *cli) partnerCmd() *cobra.Command {
	var off bool
	cmd := &cobra.Command{
		Use:     "partner CUSTOMER",
		Short:   "Make a customer a partner on the ladder (--off to undo); it stays until unset",
		Example: "  patron loyalty partner \"Lima Florist\"\n  patron loyalty partner #12 --off",
		Args:    exactArgs(1, "name the customer: #ID, an email, a phone number or their exact name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := c.openWrite()
			if err != nil {
				return err
			}
			cu, err := s.FindCustomer(args[0])
			if err != nil {
				return err
			}
			cu, err = s.SetPartner(cu.ID, !off)
			if err != nil {
				return err
			}
			if cu.Partner {
				fmt.Fprintf(c.out, "#%d %s is a partner\n", cu.ID, model.Sanitize(cu.Name))
			} else {
				fmt.Fprintf(c.out, "#%d %s is not a partner\n", cu.ID, model.Sanitize(cu.Name))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&off, "off", false, "no longer a partner")
	return cmd
}

func (c *cli) loyaltySettingsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "settings",
		Short: "Show the ladder's thresholds, the earn rate and the rewards catalogue",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, st, err := c.openReadSettings()
			if err != nil {
				return err
			}
			ls, cur := st.Loyalty, st.Money()
			if asJSON {
				return writeJSON(c.out, map[string]any{
					"client_purchases": ls.ClientPurchases, "supporter_visits": ls.SupporterVisits,
					"supporter_spend": ls.SupporterSpend.Plain(cur), "earn_points": ls.EarnPoints,
					"earn_per": ls.EarnPer.Plain(cur), "rewards": rewardsJSON(ls.Rewards)})
			}
			tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "client_purchases\t%d\tpurchases in 12 months make a client\n", ls.ClientPurchases)
			fmt.Fprintf(tw, "supporter_visits\t%d\tvisit days in 12 months make a supporter,\n", ls.SupporterVisits)
			fmt.Fprintf(tw, "supporter_spend\t%s\tor this much spent in 12 months\n", ls.SupporterSpend.Plain(cur))
			fmt.Fprintf(tw, "earn_points\t%d\tpoints earned\n", ls.EarnPoints)
			fmt.Fprintf(tw, "earn_per\t%s\tfor every whole amount spent, rounded down per purchase\n", ls.EarnPer.Plain(cur))
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(ls.Rewards) == 0 {
				fmt.Fprintln(c.out, "No rewards yet: add one with `patron loyalty reward NAME POINTS`.")
				return nil
			}
			fmt.Fprintln(c.out, "Rewards:")
			tw = tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
			for _, r := range ls.Rewards {
				fmt.Fprintf(tw, "  %s\t%d points\n", model.Sanitize(r.Name), r.Points)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

func (c *cli) loyaltySetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change a threshold or the earn rate: " + strings.Join(model.LoyaltyKeys, ", "),
		Example: `  patron loyalty set client_purchases 4
  patron loyalty set supporter_spend 750.00
  patron loyalty set earn_per 10.00`,
		Args: exactArgs(2, "give a loyalty setting and its value, e.g. `patron loyalty set client_purchases 4`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, st, err := c.openWriteSettings()
			if err != nil {
				return err
			}
			ls := st.Loyalty
			if err := ls.Set(args[0], args[1], st.Money()); err != nil {
				return err
			}
			if _, err := s.SaveLoyaltySettings(ls); err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Saved %s\n", model.Sanitize(args[0]))
			return nil
		},
	}
}

func (c *cli) rewardCmd() *cobra.Command {
	var remove bool
	cmd := &cobra.Command{
		Use:   "reward NAME [POINTS]",
		Short: "Add a reward to the catalogue or change its points; --remove takes it out",
		Example: `  patron loyalty reward "coffee mug" 300
  patron loyalty reward "free gift wrap" --remove`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if remove != (len(args) == 1) {
				return errors.New("give the reward's name and its points, e.g. `patron loyalty reward \"coffee mug\" 300`, or its name and --remove")
			}
			s, st, err := c.openWriteSettings()
			if err != nil {
				return err
			}
			ls := st.Loyalty
			found, err := ls.FindReward(args[0])
			var rewards []model.Reward
			for _, r := range ls.Rewards {
				if err != nil || r != found {
					rewards = append(rewards, r)
				}
			}
			if remove {
				if err != nil {
					return err
				}
				ls.Rewards = rewards
			} else {
				pts, perr := strconv.ParseInt(strings.TrimSpace(args[1]), 10, 64)
				if perr != nil {
					return fmt.Errorf("%q is not a whole number of points", args[1])
				}
				r := model.Reward{Name: args[0], Points: pts}
				if err == nil {
					r.Name = found.Name // keep the catalogue's spelling and place
					for i := range ls.Rewards {
						if ls.Rewards[i] == found {
							ls.Rewards[i] = r
						}
					}
				} else {
					ls.Rewards = append(ls.Rewards, r)
				}
			}
			saved, err := s.SaveLoyaltySettings(ls)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Saved the rewards: %d in the catalogue\n", len(saved.Rewards))
			return nil
		},
	}
	cmd.Flags().BoolVar(&remove, "remove", false, "take the reward out of the catalogue")
	return cmd
}

func (c *cli) redeemCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "redeem CUSTOMER REWARD",
		Short: "Spend a customer's points on a reward from the catalogue (logged on their timeline)",
		Long: `Redeem a reward for a customer: the reward's points are taken from their
balance and a reward-redeemed interaction is logged. A reward they cannot
afford is refused, saying how many points are missing. See the catalogue with
patron loyalty settings.`,
		Example: `  patron redeem "Ana Lima" "5.00 off"
  patron redeem #12 "free gift wrap" --json`,
		Args: exactArgs(2, "name the customer and the reward, e.g. `patron redeem \"Ana Lima\" \"5.00 off\"`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, st, err := c.openWriteSettings()
			if err != nil {
				return err
			}
			cu, err := s.FindCustomer(args[0])
			if err != nil {
				return err
			}
			in, err := s.Redeem(cu.ID, args[1])
			if err != nil {
				return err
			}
			after, err := s.Customer(cu.ID)
			if err != nil {
				return err
			}
			left := after.Stats.Points
			if past, err := s.AsOf([]model.Customer{after}, s.Now()); err == nil {
				left = past[0].Stats.Points
			}
			if asJSON {
				return writeJSON(c.out, map[string]any{"id": in.ID, "customer_id": cu.ID, "customer": cu.Name,
					"reward": in.Reward, "points": -in.Points, "points_left": left, "at": in.At.In(st.Location()).Format(time.RFC3339)})
			}
			fmt.Fprintf(c.out, "Redeemed %q for #%d %s: %d points, %d left\n", model.Sanitize(in.Reward), cu.ID, model.Sanitize(cu.Name), -in.Points, left)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}
