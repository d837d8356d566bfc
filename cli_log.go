package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patron-crm/patron/model"
)

func (c *cli) logCmd() *cobra.Command {
	var kind, amount, note, at, category, referred, channel string
	var score int
	cmd := &cobra.Command{
		Use:   "log CUSTOMER",
		Short: "Log an interaction: a purchase, visit, call, complaint, ...",
		Long: `Log an interaction for a customer. CUSTOMER is #ID, an exact email, an exact
phone number, or a name that matches exactly one customer.
KIND is one of: ` + kindList() + `.`,
		Example: `  patron log "Ana Lima" --kind purchase --amount 24.90 --note "blue scarf"
  patron log #12 --kind call --at yesterday --note "asked about the sale"
  patron log ana@example.com --kind feedback --score 5
  patron log #12 --kind referral --referred "Rui Costa"`,
		Args: exactArgs(1, "name the customer: #ID, an email, a phone number or their exact name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, ok := model.ParseKind(strings.ToLower(strings.TrimSpace(kind)))
			if kind == "" {
				return fmt.Errorf("say what happened with --kind: %s", kindList())
			}
			if !ok {
				return fmt.Errorf("%q is not a kind of interaction; use one of: %s", kind, kindList())
			}
			s, st, err := c.openWriteSettings()
			if err != nil {
				return err
			}
			cu, err := s.FindCustomer(args[0])
			if err != nil {
				return err
			}
			in := model.Interaction{Customer: cu.ID, Kind: k, Note: note, Category: category, Channel: channel, Score: score}
			in.At, err = model.ParseWhen(at, s.Now(), st.Location())
			if err != nil {
				return fmt.Errorf("--at: %w", err)
			}
			if amount != "" {
				if !k.HasAmount() {
					return fmt.Errorf("--amount is only for purchases and returns, not a %s", k.Label())
				}
				in.Amount, err = model.ParseMoney(amount, st.Money())
				if err != nil {
					return fmt.Errorf("--amount: %w", err)
				}
			} else if k == model.KindPurchase {
				return fmt.Errorf("a purchase needs --amount, e.g. --amount 24.90")
			}
			if k == model.KindFeedback && !cmd.Flags().Changed("score") {
				return fmt.Errorf("feedback needs --score from 1 to 5")
			}
			if referred != "" {
				if k != model.KindReferral {
					return fmt.Errorf("--referred is only for a referral")
				}
				r, err := s.FindCustomer(referred)
				if err != nil {
					return fmt.Errorf("--referred: %w", err)
				}
				in.Referred = r.ID
			}
			saved, err := s.AddInteraction(in)
			if err != nil {
				return err
			}
			what := k.Label()
			if k.HasAmount() {
				what += " of " + saved.Amount.Display(st.Money())
			}
			fmt.Fprintf(c.out, "Logged %s for #%d %s (%s)\n", what, cu.ID, model.Sanitize(cu.Name),
				saved.At.In(st.Location()).Format("2006-01-02 15:04"))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", "", "what happened: "+kindList())
	f.StringVar(&amount, "amount", "", "amount, for a purchase or a return (24.90)")
	f.StringVar(&note, "note", "", "a note")
	f.StringVar(&at, "at", "", "when it happened: now (default), 2026-12-01 14:30, yesterday, -2h, monday")
	f.IntVar(&score, "score", 0, "feedback score from 1 to 5")
	f.StringVar(&category, "category", "", "complaint category (late delivery, damaged item, ...)")
	f.StringVar(&referred, "referred", "", "for a referral: the customer they sent")
	f.StringVar(&channel, "channel", "", "channel: in person, phone, email, ...")
	return cmd
}

func kindList() string {
	var s []string
	for _, k := range model.Kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}
