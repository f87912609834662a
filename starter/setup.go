package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/termsafe"
	"github.com/qbosync/qbosync/internal/web"
	"github.com/qbosync/qbosync/workflows/setupapi"
)

// setupCmd is the setup wizard for operators and scripts: the same actions the web
// wizard sends, one subcommand each.
func setupCmd(flags *cli.Flags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Drive a firm's setup wizard: start, show, and each of its actions",
		Long: `Drive a firm's setup wizard (the SetupWorkflow qbosync-setup-<firm>).

Each action is sent as an update, so a refused answer comes back at once with the
field and the fix; --signal sends it as a signal instead (fire and forget; a refusal
then shows in "setup show"). Answers are JSON, as the JSON API takes them, e.g.
  --answers '{"sync_options":{"start_date":"2026-01-01","sync_all_unpaid_invoices":true}}'
or --answers @file.json (a field a section leaves out keeps its stored value); --start-date
and --sync-all-unpaid are short for sync options.`,
	}
	cmd.AddCommand(
		setupAction(flags, "start", "Start the firm's setup (or show the one it has)", nil),
		setupAction(flags, "show", "Show the setup: step, errors, preview and the printable settings", nil),
		setupAction(flags, setupapi.ActionConnected, "Tell the setup which QuickBooks company is connected (with --connect: sign in first)", connectedFlags),
		setupAction(flags, setupapi.ActionChooseMode, "Choose default or customize settings (--mode)", modeFlags),
		setupAction(flags, setupapi.ActionSave, "Save the answers of the current step", answerFlags),
		setupAction(flags, setupapi.ActionNext, "Go to the next step (with the current step's answers, if given)", answerFlags),
		setupAction(flags, setupapi.ActionBack, "Go back a step; answers are kept", nil),
		setupAction(flags, setupapi.ActionContinueLater, "Pause the setup (Continue Later), saving answers if given", answerFlags),
		setupAction(flags, setupapi.ActionResume, "Resume a paused setup where it was left", nil),
		setupAction(flags, setupapi.ActionCancel, "Cancel the setup: nothing syncs, and the QuickBooks connection is revoked", nil),
		setupAction(flags, setupapi.ActionSubmit, "Submit the settings (final) and start the firm's sync", nil),
	)
	return cmd
}

// setupOpts are the flags of the setup subcommands.
type setupOpts struct {
	firm                     int64
	asSignal, asJSON         bool
	mode                     string
	answers, step, startDate string
	syncUnpaid               bool
	connect, approve         bool
	company                  string
}

var (
	connectedFlags = func(c *cobra.Command, o *setupOpts) {
		c.Flags().BoolVar(&o.connect, "connect", false, "sign in to QuickBooks first (as `starter connect`)")
		c.Flags().BoolVar(&o.approve, "approve", false, "with --connect, sandbox only: approve the sign-in without a browser")
		c.Flags().StringVar(&o.company, "company", "", "with --approve: the sandbox company to choose")
	}
	modeFlags = func(c *cobra.Command, o *setupOpts) {
		c.Flags().StringVar(&o.mode, "mode", "", "default or customize")
	}
	answerFlags = func(c *cobra.Command, o *setupOpts) {
		c.Flags().StringVar(&o.answers, "answers", "", "the step's answers as JSON, or @file")
		c.Flags().StringVar(&o.step, "step", "", "the step the answers are for (refused if the wizard is elsewhere)")
		c.Flags().StringVar(&o.startDate, "start-date", "", "short for sync options answers: the sync start date, YYYY-MM-DD")
		c.Flags().BoolVar(&o.syncUnpaid, "sync-all-unpaid", true, "with --start-date: also sync unpaid invoices from before it")
	}
)

func setupAction(flags *cli.Flags, name, short string, more func(*cobra.Command, *setupOpts)) *cobra.Command {
	o := &setupOpts{}
	cmd := &cobra.Command{
		Use:   name + " --firm ID",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withWizard(cmd, flags, func(s *session, wz *web.Wizard) error { return runSetup(cmd, s, wz, name, o) })
		},
	}
	cmd.Flags().Int64Var(&o.firm, "firm", 0, "the firm's id (required)")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the state as JSON")
	if name != "start" && name != "show" {
		cmd.Flags().BoolVar(&o.asSignal, "signal", false, "send the action as a signal (unanswered) instead of an update")
	}
	if more != nil {
		more(cmd, o)
	}
	_ = cmd.MarkFlagRequired("firm")
	return cmd
}

// withWizard runs f with an open session and the setup wizard's Temporal client.
func withWizard(cmd *cobra.Command, flags *cli.Flags, f func(*session, *web.Wizard) error) error {
	s, err := openSession(cmd.Context(), flags)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.Temporal()
	if err != nil {
		return err
	}
	return f(s, &web.Wizard{Temporal: c, TaskQueue: s.Config.Temporal.TaskQueue})
}

func runSetup(cmd *cobra.Command, s *session, wz *web.Wizard, name string, o *setupOpts) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	var st setupapi.State
	var err error
	switch name {
	case "start":
		st, err = wz.Start(ctx, o.firm)
	case "show":
		if st, err = wz.State(ctx, o.firm); err == nil && !o.asJSON {
			printSetup(out, st)
			summary, err := wz.Summary(ctx, o.firm)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "\n%s", termsafe.Text(summary))
			return nil
		}
	default:
		var a setupapi.Action
		if a, err = o.action(cmd, s, wz, name); err != nil {
			return err
		}
		if o.asSignal {
			if err := wz.Signal(ctx, o.firm, name, a); err != nil {
				return err
			}
			fmt.Fprintf(out, "sent %s as a signal; `starter setup show --firm %d` shows whether it was accepted\n", name, o.firm)
			return nil
		}
		st, err = wz.Act(ctx, o.firm, name, a)
		if refused, ok := errors.AsType[*web.Refused](err); ok {
			fmt.Fprintf(out, "%s was refused:\n", name)
			for _, f := range refused.Fields {
				fmt.Fprintf(out, "  %s: %s\n", f.Field, termsafe.String(f.Message))
			}
			return errors.New("the setup refused the action; nothing changed")
		}
	}
	if err != nil {
		return err
	}
	if o.asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	printSetup(out, st)
	return nil
}

// action builds the action's payload from the flags.
func (o *setupOpts) action(cmd *cobra.Command, s *session, wz *web.Wizard, name string) (setupapi.Action, error) {
	a := setupapi.Action{Mode: settings.Mode(o.mode), Step: setupapi.Step(o.step)}
	switch {
	case name == setupapi.ActionConnected:
		conn, err := s.Store.LiveConnection(cmd.Context(), o.firm)
		if o.connect {
			conn, err = connectFirm(cmd.Context(), cmd.OutOrStdout(), s.App, o.firm, o.approve, o.company, 10*time.Minute)
		}
		if err != nil {
			return a, err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "firm %d is connected to %q (company %s)\n", o.firm, conn.CompanyName, conn.RealmID)
		a.RealmID = conn.RealmID
	case o.answers != "":
		doc := []byte(o.answers)
		if file, ok := strings.CutPrefix(o.answers, "@"); ok {
			var err error
			if doc, err = os.ReadFile(file); err != nil {
				return a, err
			}
		}
		// Onto the stored settings, as the JSON API does: a field left out keeps its value.
		st, err := wz.State(cmd.Context(), o.firm)
		if err != nil {
			return a, err
		}
		answers, err := st.Settings.DecodeAnswers(doc)
		if err != nil {
			return a, fmt.Errorf("--answers is not the JSON of a step's answers: %w", err)
		}
		a.Answers = &answers
	case o.startDate != "":
		a.Answers = &settings.Answers{SyncOptions: &settings.SyncOptionSettings{StartDate: o.startDate, SyncAllUnpaidInvoices: o.syncUnpaid}}
	}
	return a, nil
}

// printSetup shows where a setup stands and what can be done next.
func printSetup(w io.Writer, st setupapi.State) {
	fmt.Fprintf(w, "Setup of firm %d (%s), setup %s\n", st.FirmID, termsafe.String(st.Firm.Name), st.SetupID)
	if st.Company.RealmID != "" {
		fmt.Fprintf(w, "  QuickBooks company: %s (%s)\n", termsafe.String(st.Company.Name), st.Company.RealmID)
	}
	var steps []string
	for _, s := range st.Steps {
		if s == st.Step {
			steps = append(steps, "["+string(s)+"]")
		} else {
			steps = append(steps, string(s))
		}
	}
	fmt.Fprintf(w, "  Step: %s    %s\n", st.Step.Title(), strings.Join(steps, " > "))
	fmt.Fprintf(w, "  Mode: %s    Status: %s\n", settings.ModeLabel(st.Settings.Mode), st.Status())
	if st.Notice != "" {
		fmt.Fprintf(w, "  Note: %s\n", termsafe.String(st.Notice))
	}
	for _, e := range st.Errors {
		fmt.Fprintf(w, "  Refused (%s): %s: %s\n", st.LastAction, e.Field, termsafe.String(e.Message))
	}
	if st.Preview != nil && st.Step == setupapi.StepReview {
		fmt.Fprintf(w, "\n  The first sync will post (records from %s):\n", st.Preview.StartDate)
		for _, l := range st.Preview.Lines {
			fmt.Fprintf(w, "    %-26s %6d  %14s  %s\n", l.Title, l.Count, l.Total(), termsafe.String(strings.Join(l.Examples, "; ")))
			if l.Note != "" {
				fmt.Fprintf(w, "    %-26s         %s\n", "", termsafe.String(l.Note))
			}
		}
	}
	if st.SyncWorkflowID != "" {
		fmt.Fprintf(w, "  Sync: %s\n", st.SyncWorkflowID)
	}
}
