package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/patron-crm/patron/assets"
	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/store/exchange"
)

// reminderJSON is a reminder as scripts see it (issue 5).
type reminderJSON struct {
	Key        string   `json:"key"`
	Due        string   `json:"due"`
	CustomerID model.ID `json:"customer_id"`
	Customer   string   `json:"customer"`
	Kind       string   `json:"kind"`
	Note       string   `json:"note"`
}

// untilDay reads --until (default: def) as a whole day in the shop's zone.
func untilDay(flag, def string, now time.Time, loc *time.Location) (time.Time, error) {
	if strings.TrimSpace(flag) == "" {
		flag = def
	}
	day, err := model.ParseDay(flag, now, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("--until: %w", err)
	}
	return day, nil
}

func (c *cli) remindersCmd() *cobra.Command {
	var until string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "reminders",
		Short: "List the reminders due by a day (default today): cards to send, calls to make",
		Long: `List the open reminders due by a day, that whole day included (default: today),
overdue ones first. Each has a key to settle it with: done, snooze or dismiss.
Rules make most of them (thank-you, birthday and anniversary cards,
thinking-of-you, win-back, complaint follow-ups, tier-up congratulations);
add your own with "patron reminders add".`,
		Example: `  patron reminders
  patron reminders --until +7d --json
  patron reminders done thank-you:12:2026-11-24
  patron reminders snooze birthday:12:2026 friday`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, st, err := c.openReadSettings()
			if err != nil {
				return err
			}
			loc := st.Location()
			day, err := untilDay(until, "today", s.Now(), loc)
			if err != nil {
				return err
			}
			a, err := s.Agenda(day)
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]reminderJSON, 0, len(a.Reminders))
				for _, r := range a.Reminders {
					out = append(out, reminderJSON{Key: r.Key, Due: r.Due.In(loc).Format(model.DayFormat), CustomerID: r.Customer,
						Customer: a.Customers[r.Customer].Name, Kind: string(r.Kind), Note: r.Note})
				}
				return writeJSON(c.out, out)
			}
			if len(a.Reminders) == 0 {
				fmt.Fprintf(c.out, "Nothing due by %s.\n", day.Format(model.DayFormat))
				return nil
			}
			tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "DUE\tWHEN\tCUSTOMER\tKIND\tNOTE\tKEY")
			for _, r := range a.Reminders {
				fmt.Fprintf(tw, "%s\t%s\t#%d %s\t%s\t%s\t%s\n", r.Due.In(loc).Format(model.DayFormat), model.DueRelative(r.Due, a.Now, loc),
					r.Customer, clip(a.Customers[r.Customer].Name, 24), r.Kind.Label(), clip(r.Note, 40), r.Key)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&until, "until", "", "list what is due by this day, included: today (default), +7d, friday, 2026-12-01")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON array")
	cmd.AddCommand(c.reminderAddCmd(), c.reminderDoneCmd(), c.reminderSnoozeCmd(), c.reminderDismissCmd(), c.reminderRulesCmd())
	return cmd
}

func (c *cli) reminderRulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Show the reminder rules' settings: each rule on or off, and its numbers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, st, err := c.openReadSettings()
			if err != nil {
				return err
			}
			rs := st.ReminderRules()
			tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
			for _, k := range model.ReminderKeys() {
				fmt.Fprintf(tw, "%s\t%s\n", k, rs.Get(k, st.Money()))
			}
			return tw.Flush()
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change a rule: on/off by its name (birthday off), or a number (birthday.days_before 10)",
		Example: `  patron reminders rules set thank_you.threshold 150
  patron reminders rules set thinking_of_you off`,
		Args: exactArgs(2, "give a rule's setting and its value, e.g. `patron reminders rules set birthday.days_before 10`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, st, err := c.openWriteSettings()
			if err != nil {
				return err
			}
			rs := st.ReminderRules()
			if err := rs.Set(args[0], args[1], st.Money()); err != nil {
				return err
			}
			st.Reminders = rs
			if err := s.SaveSettings(st); err != nil {
				return err
			}
			fmt.Fprintf(c.out, "%s is now %s\n", args[0], rs.Get(args[0], st.Money()))
			return nil
		},
	})
	return cmd
}

func (c *cli) reminderAddCmd() *cobra.Command {
	var due, kind, note, repeat string
	cmd := &cobra.Command{
		Use:   "add CUSTOMER",
		Short: "Add a reminder of your own: a follow-up call, something custom, a card",
		Example: `  patron reminders add "Ana Lima" --due friday --note "ask how the coat fits"
  patron reminders add #12 --due +1m --kind custom --note "reorder her tea" --repeat 1m`,
		Args: exactArgs(1, "name the customer: #ID, an email, a phone number or their exact name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, ok := model.ParseReminderKind(kind)
			if !ok {
				return fmt.Errorf("%q is not a kind of reminder; use follow-up, custom or a card: %s", kind, strings.Join(cardKindList(), ", "))
			}
			rep, err := model.ParseRepeat(repeat)
			if err != nil {
				return fmt.Errorf("--repeat: %w", err)
			}
			s, st, err := c.openWriteSettings()
			if err != nil {
				return err
			}
			cu, err := s.FindCustomer(args[0])
			if err != nil {
				return err
			}
			r := model.Reminder{Customer: cu.ID, Kind: k, Note: note, Repeat: rep}
			if r.Due, err = model.ParseDue(due, s.Now(), st.Location()); err != nil {
				return fmt.Errorf("--due: %w", err)
			}
			saved, err := s.AddReminder(r)
			if err != nil {
				return err
			}
			what := fmt.Sprintf("Added a %s for #%d %s, due %s", k.Label(), cu.ID, model.Sanitize(cu.Name), saved.Due.In(st.Location()).Format(model.DayFormat))
			if !rep.IsZero() {
				what += ", " + rep.String()
			}
			fmt.Fprintf(c.out, "%s (%s)\n", what, saved.Key)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&due, "due", "tomorrow", "when: today, tomorrow, +3d, +2w, +1m, friday or 2026-12-01")
	f.StringVar(&kind, "kind", string(model.ReminderFollowUp), "follow-up, custom, or a card: "+strings.Join(cardKindList(), ", "))
	f.StringVar(&note, "note", "", "what to do (a custom reminder needs one)")
	f.StringVar(&repeat, "repeat", "", "repeat every N days, weeks, months or years: 3d, 2w, 1m, 1y")
	return cmd
}

func cardKindList() []string {
	var s []string
	for _, k := range model.CardKinds {
		s = append(s, string(k))
	}
	return s
}

// findForWrite opens the file for a write and finds the open reminder KEY.
func (c *cli) findForWrite(key string) (*store.Store, model.Settings, model.Reminder, model.Customer, error) {
	s, err := c.openWrite()
	if err != nil {
		return nil, model.Settings{}, model.Reminder{}, model.Customer{}, err
	}
	st, err := s.Settings()
	if err != nil {
		return nil, st, model.Reminder{}, model.Customer{}, err
	}
	r, cu, err := s.FindReminder(key)
	return s, st, r, cu, err
}

func (c *cli) reminderDoneCmd() *cobra.Command {
	var text string
	cmd := &cobra.Command{
		Use:   "done KEY",
		Short: "Mark a reminder done: logs the card sent (with its message) or the call on the customer",
		Long: `Mark a reminder done. A card is logged as sent on the customer's timeline with
its message: the card template filled in for them, or --text. A follow-up is
logged as a call. A repeating reminder comes back on its next day.`,
		Example: `  patron reminders done thank-you:12:2026-11-24
  patron reminders done birthday:12:2026 --text "Happy birthday, Ana! See you soon."`,
		Args: exactArgs(1, "give the reminder's key, as `patron reminders` lists it"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, st, r, cu, err := c.findForWrite(args[0])
			if err != nil {
				return err
			}
			if strings.TrimSpace(text) == "" && r.Kind.IsCard() {
				if text, err = model.ComposeCardFor(r, cu, st, assets.CardTemplates(), s.Now()); err != nil {
					return err
				}
			}
			in, err := s.MarkDone(r, text)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Done: %s for #%d %s; logged %s\n", r.Kind.Label(), cu.ID, model.Sanitize(cu.Name), in.Kind.Label())
			return nil
		},
	}
	cmd.Flags().StringVar(&text, "text", "", "the card's message or a note (default: the card template filled in)")
	return cmd
}

func (c *cli) reminderSnoozeCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "snooze KEY DAY",
		Short:   "Put a reminder off until a later day: tomorrow, +3d, +1w, +1m, friday, 2026-12-01",
		Example: "  patron reminders snooze win-back:12:2026-09-15 +1w",
		Args:    exactArgs(2, "give the reminder's key and the day, e.g. `patron reminders snooze KEY tomorrow`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, st, r, cu, err := c.findForWrite(args[0])
			if err != nil {
				return err
			}
			day, err := model.ParseDue(args[1], s.Now(), st.Location())
			if err != nil {
				return err
			}
			if err := s.Snooze(r, day); err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Snoozed the %s for #%d %s until %s\n", r.Kind.Label(), cu.ID, model.Sanitize(cu.Name), day.Format(model.DayFormat))
			return nil
		},
	}
}

func (c *cli) reminderDismissCmd() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:     "dismiss KEY",
		Short:   "Dismiss a reminder without doing it; it does not come back",
		Example: `  patron reminders dismiss thinking-of-you:12:2026-09-01 --reason "moved abroad"`,
		Args:    exactArgs(1, "give the reminder's key, as `patron reminders` lists it"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, _, r, cu, err := c.findForWrite(args[0])
			if err != nil {
				return err
			}
			if err := s.Dismiss(r, reason); err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Dismissed the %s for #%d %s\n", r.Kind.Label(), cu.ID, model.Sanitize(cu.Name))
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the record (optional)")
	return cmd
}

func (c *cli) cardsCmd() *cobra.Command {
	var until, out string
	cmd := &cobra.Command{
		Use:   "cards",
		Short: "Write the cards due (default: this week) with addresses and messages, as CSV for a mail merge",
		Long: `Write the cards due by a day (default: a week from today), overdue ones
included, as CSV for a mail merge or labels: name, four address lines, kind,
due day, the message filled in from the card's template, customer id and the
reminder's key. Cells that a spreadsheet would run as a formula are
neutralised with a leading apostrophe. Mark each card done once it is sent:
patron reminders done KEY.`,
		Example: `  patron cards --out cards.csv
  patron cards --until 2026-12-24 --out christmas.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, st, err := c.openReadSettings()
			if err != nil {
				return err
			}
			day, err := untilDay(until, "+7d", s.Now(), st.Location())
			if err != nil {
				return err
			}
			a, err := s.Agenda(day)
			if err != nil {
				return err
			}
			cards, err := exchange.Cards(a.Reminders, func(id model.ID) (model.Customer, bool) { cu, ok := a.Customers[id]; return cu, ok },
				a.Settings, assets.CardTemplates(), a.Now)
			if err != nil {
				return err
			}
			noAddress := 0
			for _, card := range cards {
				if strings.TrimSpace(card.Customer.Address) == "" {
					noAddress++
				}
			}
			if err := c.writeFile(out, func(w io.Writer) error { return exchange.WriteCardsCSV(w, cards, st.Location()) }); err != nil {
				return err
			}
			if out != "" && out != "-" {
				fmt.Fprintf(c.errOut, "Wrote %d card(s) due by %s to %s\n", len(cards), day.Format(model.DayFormat), shown(out))
			}
			if noAddress > 0 {
				fmt.Fprintf(c.errOut, "note: %d card(s) have no mailing address\n", noAddress)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&until, "until", "", "cards due by this day, included (default: +7d)")
	cmd.Flags().StringVar(&out, "out", "", "write to this file (0600); without it, or with -, to stdout")
	return cmd
}

// writeFile writes what fn writes to out (a new 0600 file, replaced
// whole, so a failure leaves no half file), or to stdout for "" and "-".
func (c *cli) writeFile(out string, fn func(io.Writer) error) error {
	if out == "" || out == "-" {
		return fn(c.out)
	}
	return writeExportFile(out, fn)
}

func (c *cli) exportICSCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "ics",
		Short: "Write open reminders (to-dos) and birthdays (yearly events) as an iCalendar file",
		Long: `Write the open reminders as to-dos due on their day, and the customers'
birthdays as yearly all-day events, as an iCalendar (.ics) file that phone
calendars and calcurse import. Exporting again updates the same items.`,
		Example: `  patron export ics --out patron.ics
  calcurse -i patron.ics`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return c.exportICS(out) },
	}
	cmd.Flags().StringVar(&out, "out", "", "write to this file (0600); without it, or with -, to stdout")
	return cmd
}

// exportICS writes every open reminder and the birthdays of the active
// customers who may be contacted as iCalendar to out ("" or "-": stdout).
func (c *cli) exportICS(out string) error {
	s, err := c.openRead()
	if err != nil {
		return err
	}
	a, err := s.Agenda(time.Time{})
	if err != nil {
		return err
	}
	all, err := s.AllCustomers(nil)
	if err != nil {
		return err
	}
	var birthdays []model.Customer
	for _, cu := range all {
		if cu.Active() && !cu.NoContact && !cu.Birthday.IsZero() {
			birthdays = append(birthdays, cu)
		}
	}
	cal := exchange.Calendar{Shop: a.Settings.ShopName, Reminders: a.Reminders, Customers: a.Customers,
		Birthdays: birthdays, Now: a.Now, Loc: a.Settings.Location()}
	if err := c.writeFile(out, func(w io.Writer) error { return exchange.WriteICS(w, cal) }); err != nil {
		return err
	}
	if out != "" && out != "-" {
		fmt.Fprintf(c.errOut, "Wrote %d reminder(s) and %d birthday(s) to %s\n", len(a.Reminders), len(birthdays), shown(out))
	}
	return nil
}
