package setupapi

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/qbosync/qbosync/internal/settings"
)

// Step is where a firm is in the setup wizard.
type Step string

// The wizard's steps. The Customize steps are the settings sections, in the order of
// settings.Sections.
const (
	StepConnect     Step = "connect"
	StepMode        Step = "mode"
	StepSyncOptions      = Step(settings.SyncOptions)
	StepReview      Step = "review"
	StepSubmitted   Step = "submitted"
	StepCancelled   Step = "cancelled"
)

// Title is the step's heading.
func (s Step) Title() string {
	switch s {
	case StepConnect:
		return "Connect QuickBooks"
	case StepMode:
		return "Choose how to set up"
	case StepReview:
		return "Review and submit"
	case StepSubmitted:
		return "Submitted"
	case StepCancelled:
		return "Cancelled"
	}
	return settings.Section(s).Title()
}

// Section is the settings section the step asks for, if it is one.
func (s Step) Section() (settings.Section, bool) {
	sec := settings.Section(s)
	return sec, sec.Valid()
}

// StepsFor lists the wizard's steps in a mode: Connect QuickBooks, Choose mode, the
// category steps (Customize only), Sync options, Review, Submitted.
func StepsFor(mode settings.Mode) []Step {
	steps := []Step{StepConnect, StepMode}
	if mode == settings.ModeCustomize {
		for _, sec := range settings.CustomizeSections {
			steps = append(steps, Step(sec))
		}
	}
	return append(steps, StepSyncOptions, StepReview, StepSubmitted)
}

// Names of the SetupWorkflow's actions. Each is accepted both as a signal and as an
// update of this name, with a Action; the update's validator refuses bad input
// before it reaches the history, the signal's refusal is kept in the state's Errors.
const (
	ActionConnected     = "connected"      // a QuickBooks company was connected (RealmID)
	ActionChooseMode    = "choose-mode"    // Mode; moves on from the Choose mode step
	ActionSave          = "save"           // Answers of the current step
	ActionNext          = "next"           // optional Answers of the current step; moves on
	ActionBack          = "back"           // to the previous step; answers are kept
	ActionContinueLater = "continue-later" // pause, with optional Answers
	ActionResume        = "resume"         // where the firm left off
	ActionCancel        = "cancel"         // nothing syncs; the connection is revoked
	ActionSubmit        = "submit"         // freeze the settings and start the sync
)

// Actions lists every action name.
var Actions = []string{ActionConnected, ActionChooseMode, ActionSave, ActionNext, ActionBack,
	ActionContinueLater, ActionResume, ActionCancel, ActionSubmit}

// Names of the SetupWorkflow's queries.
const (
	StateQuery   = "state"   // State
	SummaryQuery = "summary" // the printable settings, plain text
)

// Action is the payload of every action; each uses the fields its comment names.
type Action struct {
	// RealmID is the company a connected action reports. Never tokens: the OAuth
	// sign-in happens outside the workflow, which checks the stored connection.
	RealmID string `json:"realm_id,omitempty"`
	// Mode is what choose-mode chooses.
	Mode settings.Mode `json:"mode,omitempty"`
	// Step, when given with answers, is the step they were filled in on; answers from
	// a page that is no longer the current step are refused instead of misapplied.
	Step Step `json:"step,omitempty"`
	// Answers are a step's settings (save, next, continue-later).
	Answers *settings.Answers `json:"answers,omitempty"`
}

// Company is the connected QuickBooks company.
type Company struct {
	RealmID string `json:"realm_id"`
	Name    string `json:"name"`
}

// State is the wizard's state: the state query returns it, and continue-as-new
// carries it.
type State struct {
	FirmID  int64  `json:"firm_id"`
	SetupID string `json:"setup_id"`
	// Firm is the practice's name and bank accounts, which the settings map.
	Firm    settings.Firm `json:"firm"`
	Company Company       `json:"company"`
	Step    Step          `json:"step"`
	// Steps are the steps of the chosen mode, for a progress bar.
	Steps []Step `json:"steps"`
	// Settings are the draft (Settings.Mode is empty until a mode is chosen); after
	// Submit, the frozen settings.
	Settings settings.Settings `json:"settings"`
	// Catalog is the company's accounts and items, loaded when Customize is chosen.
	Catalog *settings.Catalog `json:"catalog,omitempty"`
	// Preview is what the first sync will post, computed on the way to Review.
	Preview  *settings.Preview `json:"preview,omitempty"`
	Paused   bool              `json:"paused"`
	PausedAt *time.Time        `json:"paused_at,omitempty"`
	// Errors say why the last action was refused, field by field; empty after one
	// that was accepted.
	Errors     settings.FieldErrors `json:"errors,omitempty"`
	LastAction string               `json:"last_action,omitempty"`
	// Notice tells the firm about something the last action changed by itself.
	Notice         string     `json:"notice,omitempty"`
	Submitted      bool       `json:"submitted"`
	SubmittedAt    *time.Time `json:"submitted_at,omitempty"`
	Cancelled      bool       `json:"cancelled"`
	SyncWorkflowID string     `json:"sync_workflow_id,omitempty"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Loaded reports whether the setup has read the firm it is for; a new setup's first
// moment has not.
func (st State) Loaded() bool { return st.Firm.ID != 0 }

// Status is the setup's state in a word: draft, paused, submitted or cancelled (the
// QbosyncStatus search attribute of setups).
func (st State) Status() string {
	switch {
	case st.Cancelled:
		return settings.StatusCancelled
	case st.Submitted:
		return settings.StatusSubmitted
	case st.Paused:
		return "paused"
	}
	return settings.StatusDraft
}

// Summary is the settings as plain text, to print.
func (st State) Summary() string {
	status := "Draft, not submitted yet. Nothing syncs until the settings are submitted."
	switch {
	case st.Cancelled:
		status = "Cancelled: nothing syncs, and the QuickBooks connection was revoked."
	case st.Submitted:
		status = fmt.Sprintf("Submitted on %s and frozen. Only linking a different QuickBooks company starts a new setup with new settings.",
			st.SubmittedAt.UTC().Format("2006-01-02 15:04 MST"))
	case st.Paused:
		status = fmt.Sprintf("Paused at %q (Continue Later); not submitted yet.", st.Step.Title())
	}
	text := st.Settings.Summary(settings.Header{FirmName: st.Firm.Name, FirmID: st.FirmID,
		CompanyName: st.Company.Name, RealmID: st.Company.RealmID, Status: status})
	if st.Preview != nil {
		text += "\n" + st.Preview.Text()
	}
	return text
}

// Env is what the settings are validated against.
func (st State) env(now time.Time) settings.Env {
	return settings.Env{Firm: &st.Firm, Catalog: st.Catalog, Today: now}
}

// Effects are what the workflow does for an accepted action, besides changing the
// state: facts it reads first (an action whose facts cannot be read is refused), then
// what it records.
type Effects struct {
	CheckConnection bool // read the connected company's name; refuse if not connected
	LoadCatalog     bool // read the company's accounts and items (Default mode fits its names to them)
	Preview         bool // work out the first sync's preview
	Save            bool // keep the draft in PostgreSQL
	Submit          bool // keep the submitted settings and start the sync
	Cancel          bool // revoke the connection and record the cancellation
	Relink          bool // stop the old sync and start a new setup for the new company
}

var realmRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// Transition is the wizard: what an action does to the state. It is pure, and both the
// update validator (which only looks at the error) and the handler use it, so the two
// can never disagree. st is not changed; the new state is returned.
func Transition(st State, action string, a Action, now time.Time) (State, Effects, error) {
	var fx Effects
	refuse := func(field, format string, args ...any) (State, Effects, error) {
		return st, fx, settings.FieldErrors{{Field: field, Message: fmt.Sprintf(format, args...)}}
	}
	if !slices.Contains(Actions, action) {
		return refuse("action", "%q is not an action of the setup; use one of %v", action, Actions)
	}
	if st.Cancelled {
		return refuse(action, "the setup was cancelled, so nothing syncs; start a new setup to connect QuickBooks again")
	}
	if st.Submitted {
		switch {
		case action == ActionSubmit:
			return st, fx, nil // Submit is idempotent: the same settings, the same sync.
		case action == ActionConnected && a.RealmID == st.Company.RealmID:
			return st, fx, nil // reconnecting the same company changes no setting
		case action == ActionConnected && realmRE.MatchString(a.RealmID):
			next := st
			next.Company = Company{RealmID: a.RealmID}
			fx.CheckConnection, fx.Relink = true, true
			return next, fx, nil
		}
		return refuse(action, "the settings were submitted on %s and are frozen: QuickBooks already holds what they posted. "+
			"Only linking a different QuickBooks company starts a new setup with new settings",
			st.SubmittedAt.UTC().Format(time.DateOnly))
	}
	if st.Paused && action != ActionResume && action != ActionCancel {
		return refuse(action, "the setup is paused (Continue Later) at %q; resume it first", st.Step.Title())
	}

	next := st
	next.Errors, next.Notice, next.LastAction, next.UpdatedAt = nil, "", action, now
	fx.Save = true
	sec, onSection := st.Step.Section()

	// applyAnswers saves answers given with an action into next, if they belong to
	// the current step and are valid.
	applyAnswers := func(required bool) error {
		if a.Answers == nil {
			if required {
				return settings.FieldErrors{{Field: "answers", Message: "send the answers of the current step (" + string(st.Step) + ")"}}
			}
			return nil
		}
		if !onSection {
			return settings.FieldErrors{{Field: "answers", Message: fmt.Sprintf("the %q step has no settings to save", st.Step.Title())}}
		}
		if a.Step != "" && a.Step != st.Step {
			return settings.FieldErrors{{Field: "step", Message: fmt.Sprintf("these answers are for %q, but the wizard is at %q (perhaps another window moved it); reload the page", a.Step.Title(), st.Step.Title())}}
		}
		if got := a.Answers.Sections(); len(got) != 1 || got[0] != sec {
			return settings.FieldErrors{{Field: "answers", Message: fmt.Sprintf("this step saves only %q (%s); got %v", sec, sec.Title(), got)}}
		}
		next.Settings = next.Settings.Apply(*a.Answers, next.Catalog)
		return next.Settings.ValidateSection(sec, next.env(now)).Err()
	}

	switch action {
	case ActionConnected:
		if !realmRE.MatchString(a.RealmID) {
			return refuse("realm_id", "%q is not a QuickBooks company id; connect QuickBooks through the wizard, which reports it", a.RealmID)
		}
		fx.CheckConnection = true
		if a.RealmID != st.Company.RealmID && st.Company.RealmID != "" {
			// Another company: its accounts and items are others, so every mapping
			// starts again from the defaults.
			reset := settings.Defaults(st.Firm)
			reset.Mode, reset.SyncOptions = st.Settings.Mode, st.Settings.SyncOptions
			next.Settings, next.Catalog, next.Preview = reset, nil, nil
			fx.LoadCatalog = reset.Mode != ""
			next.Notice = "A different QuickBooks company was connected: its accounts and items are others, so the mappings start again from the defaults."
			if next.Step != StepConnect {
				next.Step = StepMode
			}
		}
		next.Company = Company{RealmID: a.RealmID}
		if next.Step == StepConnect {
			next.Step = StepMode
		}
	case ActionChooseMode:
		if st.Step != StepMode {
			return refuse("mode", "the mode is chosen on the %q step; go back to it first", StepMode.Title())
		}
		if a.Mode != settings.ModeDefault && a.Mode != settings.ModeCustomize {
			return refuse("mode", "choose %q (the recommended settings) or %q (decide each category yourself)", settings.ModeDefault, settings.ModeCustomize)
		}
		if a.Mode != st.Settings.Mode {
			next.Settings = st.Settings.WithMode(a.Mode, st.Firm)
		}
		// Both modes read the company's accounts and items: Customize offers them, and
		// Default fits its new objects' names around them (settings.FitTo).
		fx.LoadCatalog = true
		if a.Mode != settings.ModeCustomize {
			next.Catalog = nil
		}
		next.Steps = StepsFor(a.Mode)
		next.Step = next.Steps[slices.Index(next.Steps, StepMode)+1]
	case ActionSave:
		if err := applyAnswers(true); err != nil {
			return st, Effects{}, err
		}
	case ActionNext:
		switch {
		case st.Step == StepConnect && st.Company.RealmID == "":
			return refuse("realm_id", "connect QuickBooks first: the setup needs the company the settings are for")
		case st.Step == StepMode && st.Settings.Mode == "":
			return refuse("mode", "choose %q or %q first", settings.ModeDefault, settings.ModeCustomize)
		case st.Step == StepReview:
			return refuse(action, "this is the last step: submit the settings, or go back to change them")
		}
		if err := applyAnswers(false); err != nil {
			return st, Effects{}, err
		}
		if onSection {
			if err := next.Settings.ValidateSection(sec, next.env(now)).Err(); err != nil {
				return st, Effects{}, err
			}
		}
		next.Steps = StepsFor(next.Settings.Mode)
		next.Step = next.Steps[slices.Index(next.Steps, st.Step)+1]
		if next.Step == StepReview {
			if err := next.Settings.Validate(next.env(now)).Err(); err != nil {
				return st, Effects{}, err
			}
			fx.Preview = true
		}
	case ActionBack:
		steps := StepsFor(st.Settings.Mode)
		i := slices.Index(steps, st.Step)
		if i <= 0 {
			return refuse(action, "this is the first step; there is nothing before it")
		}
		next.Step = steps[i-1]
		next.Preview = nil
	case ActionContinueLater:
		if err := applyAnswers(false); err != nil {
			return st, Effects{}, err
		}
		next.Paused, next.PausedAt = true, &now
	case ActionResume:
		if !st.Paused {
			return refuse(action, "the setup is not paused; carry on at %q", st.Step.Title())
		}
		next.Paused, next.PausedAt = false, nil
	case ActionCancel:
		next.Cancelled, next.Paused, next.Step = true, false, StepCancelled
		fx.Save, fx.Cancel = false, true
	case ActionSubmit:
		if st.Step != StepReview {
			return refuse(action, "review the settings first: the wizard is at %q; go Next to %q", st.Step.Title(), StepReview.Title())
		}
		if err := st.Settings.Validate(st.env(now)).Err(); err != nil {
			return st, Effects{}, err
		}
		next.Submitted, next.SubmittedAt, next.Step = true, &now, StepSubmitted
		fx.Save, fx.Submit = false, true
	}
	return next, fx, nil
}
