package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/workflows/setupapi"
)

// The JSON API, for a practice-management front end that draws the wizard itself
// (internal/web/README.md has the whole contract):
//
//	POST   /api/session               {"login_token"} -> {"session_token", "firm_id", "expires_at"}
//	DELETE /api/session               -> {"revoked": 1}: this session ends (signs out)
//	DELETE /api/sessions              -> {"revoked": n}: every session of the firm ends
//	GET  /api/setup                   -> {"state": SetupState, "fields": [...]} (404 before a start)
//	POST /api/setup/start             -> the same
//	POST /api/setup/connect           -> {"authorize_url"}: QuickBooks returns to the callback
//	POST /api/setup/actions/{action}  SetupAction -> as GET, or 422 {"action", "errors"}
//	GET  /api/setup/summary           -> text/plain, the printable settings
//
// Requests carry the session as "Authorization: Bearer <session_token>" or as the
// cookie; with the cookie, a POST must be JSON (which no other site's page can send).

// apiState is the API's view of a setup: the state and the current step's fields.
type apiState struct {
	State  setupapi.State `json:"state"`
	Fields []fieldView    `json:"fields,omitempty"`
}

func newAPIState(st setupapi.State) apiState {
	fields, _ := stepFields(st, st.Settings, st.Errors)
	return apiState{State: st, Fields: fields}
}

type apiError struct {
	Error  string               `json:"error"`
	Action string               `json:"action,omitempty"`
	Errors settings.FieldErrors `json:"errors,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// api wraps a JSON handler: it needs a session, and a cookie-borne POST must be JSON.
func (s *Server) api(h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.authenticate(r)
		if signedOut(err) {
			writeJSON(w, http.StatusUnauthorized, apiError{Error: err.Error()})
			return
		}
		if err != nil {
			s.apiFailed(w, err)
			return
		}
		if r.Method == http.MethodPost && sess.cookie && !isJSON(r) {
			writeJSON(w, http.StatusUnsupportedMediaType, apiError{Error: "send the request as application/json"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
		defer cancel()
		h(w, r.WithContext(ctx), sess)
	}
}

func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// apiFailed answers an error that is not a refusal.
func (s *Server) apiFailed(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrNoSetup) {
		writeJSON(w, http.StatusNotFound, apiError{Error: err.Error()})
		return
	}
	s.Log.Error("web: api", "error", err)
	writeJSON(w, http.StatusServiceUnavailable, apiError{Error: err.Error()})
}

// apiSession exchanges a sign-in token for a session token.
func (s *Server) apiSession(w http.ResponseWriter, r *http.Request) {
	var in struct {
		LoginToken string `json:"login_token"`
	}
	if !isJSON(r) {
		// It sets the session cookie too: no other site's form may send it.
		writeJSON(w, http.StatusUnsupportedMediaType, apiError{Error: "send the request as application/json"})
		return
	}
	if err := decodeStrict(r, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: `send {"login_token": "..."}: ` + err.Error()})
		return
	}
	if errs := checkLengths([]textField{{"login_token", in.LoginToken}}); errs != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: errs.Error(), Errors: errs})
		return
	}
	tok, firm, exp, err := s.Sessions.RedeemFrom(r.Context(), in.LoginToken, r.UserAgent())
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, apiError{Error: err.Error()})
		return
	}
	s.setCookie(w, tok, exp)
	writeJSON(w, http.StatusOK, struct {
		SessionToken string    `json:"session_token"`
		FirmID       int64     `json:"firm_id"`
		ExpiresAt    time.Time `json:"expires_at"`
	}{tok, firm, exp})
}

func (s *Server) apiState(w http.ResponseWriter, r *http.Request, sess session) {
	st, err := s.Wizard.State(r.Context(), sess.firm)
	if err != nil {
		s.apiFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPIState(st))
}

func (s *Server) apiStart(w http.ResponseWriter, r *http.Request, sess session) {
	st, err := s.Wizard.Start(r.Context(), sess.firm)
	if err != nil {
		s.apiFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPIState(st))
}

func (s *Server) apiConnect(w http.ResponseWriter, r *http.Request, sess session) {
	u, err := s.Connect.BeginFor(r.Context(), sess.firm, SessionID(sess.token))
	if err != nil {
		s.apiFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"authorize_url": u})
}

// apiAction sends an action as an update and answers with the new state or the
// refusal, field by field.
func (s *Server) apiAction(w http.ResponseWriter, r *http.Request, sess session) {
	action := r.PathValue("action")
	if !slices.Contains(setupapi.Actions, action) {
		writeJSON(w, http.StatusNotFound, apiError{Error: "no such action; the actions are " + strings.Join(setupapi.Actions, ", ")})
		return
	}
	a, body, err := decodeAction(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "the body is not a setup action: " + err.Error()})
		return
	}
	if refused := checkLengths(actionStrings(a)); refused != nil {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: refused.Error(), Action: action, Errors: refused})
		return
	}
	if a.Answers != nil {
		st, err := s.Wizard.State(r.Context(), sess.firm)
		if err != nil {
			s.apiFailed(w, err)
			return
		}
		if a.Answers, err = answersOnto(st.Settings, body); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "the answers are not a step's settings: " + err.Error()})
			return
		}
	}
	st, err := s.Wizard.Act(r.Context(), sess.firm, action, a)
	if refused, ok := errors.AsType[*Refused](err); ok {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: refused.Error(), Action: action, Errors: refused.Fields})
		return
	}
	if err != nil {
		s.apiFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPIState(st))
}

func (s *Server) apiSummary(w http.ResponseWriter, r *http.Request, sess session) {
	text, err := s.Wizard.Summary(r.Context(), sess.firm)
	if err != nil {
		s.apiFailed(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(text))
}

// decodeStrict reads one JSON value into v: a field v does not have, or anything after
// the value, is refused, so a misspelt field never goes unnoticed (and never resets a
// setting to its default).
func decodeStrict(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeBytes(body, v)
}

func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, fmt.Errorf("the body is over %d bytes", mbe.Limit)
	}
	return body, err
}

func decodeBytes(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("there is more after the JSON value")
	}
	return nil
}

// decodeAction reads a setup action from the body (none: an empty action), and
// returns the body too.
func decodeAction(r *http.Request) (setupapi.Action, []byte, error) {
	var a setupapi.Action
	body, err := readBody(r)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return a, body, err
	}
	return a, body, decodeBytes(body, &a)
}

// answersOnto decodes an action's answers onto the setup's stored settings, so a field
// a section leaves out keeps its value (settings.Settings.DecodeAnswers). The body was
// decoded strictly already.
func answersOnto(stored settings.Settings, body []byte) (*settings.Answers, error) {
	var in struct {
		Answers json.RawMessage `json:"answers"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	answers, err := stored.DecodeAnswers(in.Answers)
	return &answers, err
}
