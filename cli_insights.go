package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/patron-crm/patron/model"
)

// `patron lost` and `patron report` (issue 7): mark a customer lost with the
// reason they left, and print the Insights figures for the owner's records.

func (c *cli) lostCmd() *cobra.Command {
	var reason, note string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "lost CUSTOMER",
		Short: "Mark a customer as lost, with why they left",
		Long: `Mark a customer as lost, with the reason they left and what they said when
you asked (the exit interview). Lost customers leave the list and the
reminders, and are counted by reason in ` + "`patron report`" + `.
REASON is one of: ` + strings.Join(model.DefectionReasons, ", ") + `.
Running it again on a lost customer changes the reason or note and keeps the
day they were marked lost.`,
		Example: `  patron lost "Ana Lima" --reason price --note "found it cheaper at the market"
  patron lost #12 --reason service`,
		Args: exactArgs(1, "name the customer: #ID, an email, a phone number or their exact name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := parseReason(reason)
			if err != nil {
				return err
			}
			s, err := c.openWrite()
			if err != nil {
				return err
			}
			cu, err := s.FindCustomer(args[0])
			if err != nil {
				return err
			}
			st, err := s.Settings()
			if err != nil {
				return err
			}
			who := fmt.Sprintf("#%d %s", cu.ID, model.Sanitize(cu.Name))
			said := ""
			if note != "" {
				said = ": " + model.Sanitize(note)
			}
			already := cu.Status == model.StatusLost && !cu.LostAt.IsZero()
			if dryRun {
				if already {
					fmt.Fprintf(c.out, "Would change why %s left to %s%s (lost since %s); nothing was changed\n", who, r, said, day(cu.LostAt, st.Location()))
				} else {
					fmt.Fprintf(c.out, "Would mark %s as lost (%s)%s; nothing was changed\n", who, r, said)
				}
				return nil
			}
			if already {
				// Keep the day they were marked lost: the report counts them in that period.
				if cmd.Flags().Changed("note") {
					cu.LostNote = note
				}
				cu.LostReason = r
				if _, err := s.UpdateCustomer(cu); err != nil {
					return err
				}
				fmt.Fprintf(c.out, "%s has been lost since %s; the reason is now %s%s\n", who, day(cu.LostAt, st.Location()), r, said)
				return nil
			}
			saved, err := s.SetStatus(cu.ID, model.StatusLost, r, note)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Marked %s as lost on %s (%s)%s\n", who, day(saved.LostAt, st.Location()), r, said)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&reason, "reason", "", "why they left: "+strings.Join(model.DefectionReasons, ", "))
	f.StringVar(&note, "note", "", "what they said: the exit interview")
	f.BoolVar(&dryRun, "dry-run", false, "show what would be done, change nothing")
	return cmd
}

// parseReason reads a defection reason as typed, naming the six when it is
// missing or not one of them.
func parseReason(s string) (string, error) {
	r := strings.ToLower(strings.TrimSpace(s))
	if r == "organizational" {
		r = "organisational"
	}
	switch {
	case r == "":
		return "", fmt.Errorf("say why they left with --reason: %s", strings.Join(model.DefectionReasons, ", "))
	case !model.IsDefectionReason(r):
		return "", fmt.Errorf("%q is not one of the reasons; use %s", s, strings.Join(model.DefectionReasons, ", "))
	}
	return r, nil
}

func day(t time.Time, loc *time.Location) string { return t.In(loc).Format(model.DayFormat) }

func (c *cli) reportCmd() *cobra.Command {
	var period, at string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print the Insights figures: retention, repeat purchases, lapsed and lost customers, complaints, satisfaction",
		Long: `Print the Insights figures for the month, quarter or year that holds --at
(default today), to date, beside the full period before it and the change.

  retention rate        of the customers who bought in the period before,
                        the share who bought again in this one
  repeat-purchase rate  of this period's buyers, the share who had bought
                        before it, or bought on two or more days in it
  new customers         made their first purchase in the period; returning
                        customers bought in it and had bought before
  revenue               purchases less returns; the share from returning
                        customers
  lapsed customers      active customers a win-back or thinking-of-you
                        reminder is due for today (a figure of now)
  gap between visits    days from a customer's previous visit to each visit
                        day in the period (visits, purchases, returns)
  lost customers        marked lost in the period, by reason
  complaints            received in the period, by category; open ones were
                        still open when it ended; days to resolve counts
                        calendar days for those resolved by then
  satisfaction          average feedback score (1-5), and per month
  cards sent, rewards redeemed

Days, weeks (from Monday) and months are the shop's, in its time zone.`,
		Example: `  patron report
  patron report --period quarter
  patron report --period year --at 2025-06-01 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := model.ParsePeriod(period)
			if err != nil {
				return fmt.Errorf("--period: %w", err)
			}
			s, st, err := c.openReadSettings()
			if err != nil {
				return err
			}
			loc, now := st.Location(), s.Now()
			when := now
			if at != "" {
				if when, err = model.ParseDay(at, now, loc); err != nil {
					return fmt.Errorf("--at: %w", err)
				}
				if when.After(now) {
					return errors.New("--at is in the future; a report covers what has happened, so give today or an earlier day")
				}
			}
			r, err := s.Insights(p, when)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.out, toReportJSON(r, st))
			}
			return printReport(c.out, r, st)
		},
	}
	f := cmd.Flags()
	f.StringVar(&period, "period", "month", "month, quarter or year")
	f.StringVar(&at, "at", "", "a day in the period to report on (2026-06-15, -1m, ...); default today")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// printReport writes the figures as a table: this period to date, the
// period before, and the change marked up or down.
func printReport(w io.Writer, r model.Report, st model.Settings) error {
	cur, prev := r.Current, r.Previous
	money, loc := st.Money(), st.Location()
	to := "to date, " + cur.Through.In(loc).Format("Mon 2 Jan 2006")
	if !cur.Through.Before(cur.Span.End.Add(-time.Nanosecond)) {
		to = "complete"
	}
	fmt.Fprintf(w, "%s: %s (%s), compared with %s\n\n", model.Sanitize(st.ShopName), cur.Span.Label(), to, prev.Span.Label())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\t%s\t%s\tchange\n", cur.Span.Short(), prev.Span.Short())
	for _, fi := range model.FigureList {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", fi.Label, cur.Display(fi.Figure, money), prev.Display(fi.Figure, money), changeText(fi.Figure, cur, prev, money))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nLost in %s, by reason: %s\n", cur.Span.Short(), counts(cur.LostByReason, "no reason given"))
	fmt.Fprintf(w, "Lost in %s, by reason: %s\n", prev.Span.Short(), counts(prev.LostByReason, "no reason given"))
	fmt.Fprintf(w, "Complaints in %s, by category: %s\n", cur.Span.Short(), counts(cur.ComplaintsByCategory, "no category"))
	fmt.Fprintf(w, "Complaints in %s, by category: %s\n", prev.Span.Short(), counts(prev.ComplaintsByCategory, "no category"))
	if l := cur.Lapsed; l != nil && l.Count() > 0 {
		fmt.Fprintf(w, "Lapsed today: %d regulars not seen for a while (win-back), %d with no contact for longer than usual (thinking-of-you).\n",
			len(l.WinBack), len(l.ThinkingOfYou))
	}
	var weeks []string
	for _, wk := range r.Weeks {
		weeks = append(weeks, fmt.Sprint(wk.Visits))
	}
	fmt.Fprintf(w, "\nVisits per week, the %d weeks from %s: %s\n", len(r.Weeks), r.Weeks[0].Start.In(loc).Format("Mon 2 Jan 2006"), strings.Join(weeks, " "))
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "Month\tRevenue\tSatisfaction\t\n")
	for _, m := range r.Months {
		score := "—"
		if v, ok := m.AverageSatisfaction(); ok {
			score = fmt.Sprintf("%.1f (%d)", v, m.Feedback)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", m.Start.In(loc).Format("Jan 2006"), m.Revenue.Display(money), score)
	}
	return tw.Flush()
}

// changeText marks a change up or down, e.g. "↑ 4 pts".
func changeText(fig model.Figure, cur, prev model.Figures, money model.Currency) string {
	dir, text := model.Change(fig, cur, prev, money)
	switch dir {
	case 1:
		return "↑ " + strings.TrimPrefix(text, "+")
	case -1:
		return "↓ " + strings.TrimPrefix(text, "-")
	}
	return text
}

// counts lists the non-zero counts as "price 2, service 1", or "none".
func counts(list []model.Count, unnamed string) string {
	var parts []string
	for _, c := range list {
		if c.N == 0 {
			continue
		}
		name := c.Name
		if name == model.NoReason {
			name = unnamed
		}
		parts = append(parts, fmt.Sprintf("%s %d", model.Sanitize(name), c.N))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// reportJSON is `patron report --json`: the period's figures at the top,
// the period before under "previous", with the same keys.
type reportJSON struct {
	periodJSON
	AsOf                 string      `json:"as_of"`
	VisitsPerWeek        []weekJSON  `json:"visits_per_week"`
	RevenuePerMonth      []monthJSON `json:"revenue_per_month"`
	SatisfactionPerMonth []scoreJSON `json:"satisfaction_per_month"`
	Previous             periodJSON  `json:"previous"`
}

type periodJSON struct {
	Period                    string         `json:"period"`
	Label                     string         `json:"label"`
	From                      string         `json:"from"`
	To                        string         `json:"to"` // the last day counted
	Complete                  bool           `json:"complete"`
	RetentionRate             *float64       `json:"retention_rate"`
	RetainedCustomers         int            `json:"retained_customers"`
	PreviousPeriodBuyers      int            `json:"previous_period_buyers"`
	Buyers                    int            `json:"buyers"`
	NewCustomers              int            `json:"new_customers"`
	ReturningCustomers        int            `json:"returning_customers"`
	RepeatPurchaseRate        *float64       `json:"repeat_purchase_rate"`
	Revenue                   string         `json:"revenue"`
	RevenueFromReturning      string         `json:"revenue_from_returning"`
	RevenueFromReturningShare *float64       `json:"revenue_from_returning_share"`
	LapsedCustomers           *int           `json:"lapsed_customers"`
	LapsedWinBack             *int           `json:"lapsed_win_back"`
	LapsedThinkingOfYou       *int           `json:"lapsed_thinking_of_you"`
	Visits                    int            `json:"visits"`
	AverageGapDays            *float64       `json:"average_gap_days"`
	MedianGapDays             *float64       `json:"median_gap_days"`
	LostCustomers             int            `json:"lost_customers"`
	LostByReason              map[string]int `json:"lost_by_reason"`
	Complaints                int            `json:"complaints"`
	ComplaintsByCategory      map[string]int `json:"complaints_by_category"`
	OpenComplaints            int            `json:"open_complaints"`
	MedianDaysToResolve       *float64       `json:"median_days_to_resolve"`
	AverageSatisfaction       *float64       `json:"average_satisfaction"`
	FeedbackCount             int            `json:"feedback_count"`
	CardsSent                 int            `json:"cards_sent"`
	RewardsRedeemed           int            `json:"rewards_redeemed"`
}

type weekJSON struct {
	Week   string `json:"week"` // its Monday
	Visits int    `json:"visits"`
}

type monthJSON struct {
	Month   string `json:"month"` // 2026-11
	Revenue string `json:"revenue"`
}

type scoreJSON struct {
	Month   string   `json:"month"`
	Average *float64 `json:"average"`
	Count   int      `json:"count"`
}

func toReportJSON(r model.Report, st model.Settings) reportJSON {
	loc := st.Location()
	j := reportJSON{periodJSON: toPeriodJSON(r.Current, st), AsOf: r.Now.In(loc).Format(time.RFC3339), Previous: toPeriodJSON(r.Previous, st)}
	for _, w := range r.Weeks {
		j.VisitsPerWeek = append(j.VisitsPerWeek, weekJSON{Week: day(w.Start, loc), Visits: w.Visits})
	}
	for _, m := range r.Months {
		name := m.Start.In(loc).Format("2006-01")
		j.RevenuePerMonth = append(j.RevenuePerMonth, monthJSON{Month: name, Revenue: m.Revenue.Plain(st.Money())})
		v, ok := m.AverageSatisfaction()
		j.SatisfactionPerMonth = append(j.SatisfactionPerMonth, scoreJSON{Month: name, Average: rounded(v, ok, 2), Count: m.Feedback})
	}
	return j
}

func toPeriodJSON(f model.Figures, st model.Settings) periodJSON {
	loc, money := st.Location(), st.Money()
	j := periodJSON{
		Period: string(f.Span.Period), Label: f.Span.Label(), From: day(f.Span.Start, loc), To: day(f.Through, loc),
		Complete:          !f.Through.Before(f.Span.End.Add(-time.Nanosecond)),
		RetainedCustomers: f.Retention.Part, PreviousPeriodBuyers: f.Retention.Whole, Buyers: f.Buyers,
		NewCustomers: f.NewCustomers, ReturningCustomers: f.ReturningCustomers,
		Revenue: f.Revenue.Plain(money), RevenueFromReturning: f.ReturningRevenue.Plain(money),
		Visits: f.Visits, LostCustomers: f.LostCustomers, LostByReason: map[string]int{},
		Complaints: f.Complaints, ComplaintsByCategory: map[string]int{}, OpenComplaints: f.OpenComplaints,
		FeedbackCount: f.Feedback, CardsSent: f.CardsSent, RewardsRedeemed: f.Redeemed,
	}
	j.RetentionRate = rounded4(f.RetentionRate())
	j.RepeatPurchaseRate = rounded4(f.RepeatPurchaseRate())
	j.RevenueFromReturningShare = rounded4(f.ReturningRevenueShare())
	j.AverageGapDays = rounded2(f.AverageGapDays())
	j.MedianGapDays = rounded2(f.MedianGapDays())
	j.MedianDaysToResolve = rounded2(f.MedianDaysToResolve())
	j.AverageSatisfaction = rounded2(f.AverageSatisfaction())
	if l := f.Lapsed; l != nil {
		n, wb, ty := l.Count(), len(l.WinBack), len(l.ThinkingOfYou)
		j.LapsedCustomers, j.LapsedWinBack, j.LapsedThinkingOfYou = &n, &wb, &ty
	}
	for _, c := range f.LostByReason {
		name := c.Name
		if name == model.NoReason {
			name = "not_given"
		}
		j.LostByReason[name] = c.N
	}
	for _, c := range f.ComplaintsByCategory {
		name := c.Name
		if name == model.NoReason {
			name = "uncategorised"
		}
		j.ComplaintsByCategory[name] += c.N
	}
	return j
}

func rounded(v float64, ok bool, places int) *float64 {
	if !ok {
		return nil
	}
	p := math.Pow(10, float64(places))
	r := math.Round(v*p) / p
	return &r
}

func rounded4(v float64, ok bool) *float64 { return rounded(v, ok, 4) }
func rounded2(v float64, ok bool) *float64 { return rounded(v, ok, 2) }
