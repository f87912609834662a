package web

import (
	"slices"
	"strings"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/workflows/setupapi"
)

// fieldView is one setting as a page (or the JSON API) shows it: its description, the
// QuickBooks objects it may be mapped to, and why the last answer was refused.
type fieldView struct {
	settings.Field
	// Name is a target's new name ("" when an existing object is chosen).
	Name string `json:"name,omitempty"`
	// Choices are the company's objects a target may be mapped to.
	Choices []settings.QBOObject `json:"choices,omitempty"`
	Error   string               `json:"error,omitempty"`
}

// fieldErrorNames are the form fields a field's errors may name.
func (f fieldView) names() []string {
	if f.Kind == settings.KindTarget {
		return []string{f.Path + ".existing_id", f.Path + ".name"}
	}
	return []string{f.Path}
}

type stepView struct {
	Title         string
	Current, Done bool
}

// view is everything a wizard page shows.
type view struct {
	State setupapi.State
	Steps []stepView
	// Fields are the current step's settings (section steps).
	Fields []fieldView
	// ModeError is why a mode choice was refused.
	ModeError string
	// General are refusals that belong to no field on the page.
	General  settings.FieldErrors
	CSRF     string
	Sections []settings.SummarySection
	Message  string
}

func (v view) Step() string { return string(v.State.Step) }

// IsSection reports whether the current step asks for a settings section.
func (v view) IsSection() bool { _, ok := v.State.Step.Section(); return ok }

// stepFields describes the current step's fields for settings s (the state's, or the
// answers just refused, so the page shows what the user typed), with errs placed on
// them. Errors that fit no field are returned apart.
func stepFields(st setupapi.State, s settings.Settings, errs settings.FieldErrors) ([]fieldView, settings.FieldErrors) {
	sec, ok := st.Step.Section()
	if !ok {
		return nil, errs
	}
	c := s.Clone()
	var out []fieldView
	used := make([]bool, len(errs))
	for _, f := range c.Fields(sec) {
		fv := fieldView{Field: f}
		if f.Kind == settings.KindTarget {
			if f.Target.Target.IsNew() {
				fv.Name = f.Target.Target.Name
			}
			fv.Choices = st.Catalog.Choices(f.Target.Role)
		}
		var msgs []string
		for i, e := range errs {
			if slices.Contains(fv.names(), e.Field) {
				msgs, used[i] = append(msgs, e.Message), true
			}
		}
		fv.Error = strings.Join(msgs, " ")
		out = append(out, fv)
	}
	var general settings.FieldErrors
	for i, e := range errs {
		if !used[i] {
			general = append(general, e)
		}
	}
	return out, general
}

// newView builds the page for a state. shown are the settings to show (nil: the
// state's), errs why the last action was refused.
func newView(st setupapi.State, shown *settings.Settings, errs settings.FieldErrors, csrf string) view {
	v := view{State: st, CSRF: csrf}
	s := st.Settings
	if shown != nil {
		s = *shown
	}
	if errs == nil {
		errs = st.Errors
	}
	if st.Step == setupapi.StepMode {
		v.ModeError = errs.For("mode")
		errs = slices.DeleteFunc(slices.Clone(errs), func(e settings.FieldError) bool { return e.Field == "mode" })
	}
	v.Fields, v.General = stepFields(st, s, errs)
	steps := st.Steps
	if st.Cancelled {
		steps = []setupapi.Step{setupapi.StepCancelled}
	}
	at := slices.Index(steps, st.Step)
	for i, step := range steps {
		v.Steps = append(v.Steps, stepView{Title: step.Title(), Current: i == at, Done: i < at})
	}
	if st.Step == setupapi.StepReview || st.Submitted {
		v.Sections = st.Settings.SummarySections()
	}
	return v
}
