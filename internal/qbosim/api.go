package qbosim

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// maxBodyBytes bounds request bodies; QBO payloads are far smaller.
const maxBodyBytes = 8 << 20

// maxRequestIDLen is the documented limit for non-batch requests.
const maxRequestIDLen = 50

// response is a fully rendered API answer. Handlers return responses
// rather than writing them, so that the requestid stage can store and
// replay them byte for byte (and a batch endpoint can reuse the handlers).
type response struct {
	status int
	header http.Header
	body   []byte
}

// apiCall is one request to /v3/company/{realmId}/... on its way through
// the pipeline.
type apiCall struct {
	r       *http.Request
	realmID string
	segs    []string // path segments after the realm id
	query   url.Values
	body    []byte
	now     time.Time
}

func (call *apiCall) resource() string {
	if len(call.segs) == 0 {
		return ""
	}
	return call.segs[0]
}

// serveAPI runs the request pipeline:
//
//	authenticate -> read body -> limits (429) -> injected faults (latency,
//	5xx) -> Options.Intercept -> requestid replay -> handler -> remember
//	response -> write (or lose it: Faults.LoseResponseRate).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	call := s.newCall(r)
	resp := s.authenticate(call)
	if resp == nil {
		resp = s.readBody(call)
	}
	if resp == nil {
		var release func()
		if resp, release = s.admit(call); release != nil {
			defer release()
		}
	}
	if resp == nil {
		resp = s.injectBefore(call)
	}
	if resp == nil && s.opts.Intercept != nil {
		resp = s.intercept(call)
	}
	if resp == nil {
		lose := s.loseAnswer(call)
		resp = s.dispatch(call)
		if lose {
			dropConnection(w)
			return
		}
	}
	for k, vs := range resp.header {
		w.Header()[k] = vs
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

func (s *Server) newCall(r *http.Request) *apiCall {
	call := &apiCall{r: r, query: r.URL.Query(), now: s.now()}
	rest := strings.TrimPrefix(r.URL.Path, "/v3/company/")
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	call.realmID, call.segs = parts[0], parts[1:]
	return call
}

// readBody reads the request body of an authenticated call.
func (s *Server) readBody(call *apiCall) *response {
	if call.r.Body != nil {
		body, err := io.ReadAll(http.MaxBytesReader(nil, call.r.Body, maxBodyBytes))
		if err != nil {
			if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
				return s.faultResponse(call, errUnsupported("Request body too large."))
			}
			return s.faultResponse(call, errUnsupported("Could not read the request body."))
		}
		call.body = body
	}
	if !utf8.Valid(call.body) {
		// QBO: "500 Unsupported Operation (e.g. non-UTF-8 payload)".
		return s.faultResponse(call, errUnsupported("Request payload is not valid UTF-8."))
	}
	return nil
}

func (s *Server) intercept(call *apiCall) *response {
	reply := s.opts.Intercept(&Call{
		RealmID: call.realmID, Method: call.r.Method, Resource: call.resource(),
		Query: call.query, Body: call.body,
	})
	if reply == nil {
		return nil
	}
	return &response{status: reply.Status, header: reply.Header.Clone(), body: reply.Body}
}

// dispatch routes an authenticated call to its handler under the realm lock.
func (s *Server) dispatch(call *apiCall) *response {
	c := s.company(call.realmID)
	if c == nil {
		return s.faultResponse(call, errForbiddenRealm(call.realmID))
	}
	c.mu.Lock()
	defer c.mu.Unlock()

	method, segs := call.r.Method, call.segs
	switch {
	case len(segs) == 1 && segs[0] == "query":
		if method != http.MethodGet && method != http.MethodPost {
			return s.faultResponse(call, errMethodNotAllowed(method, call.r.URL.Path))
		}
		return s.handleQuery(call, c)
	case len(segs) == 1 && segs[0] == "batch":
		if method != http.MethodPost {
			return s.faultResponse(call, errMethodNotAllowed(method, call.r.URL.Path))
		}
		return s.handleBatch(call, c)
	case len(segs) == 1 && segs[0] == "cdc":
		return s.handleCDC(call, c)
	case len(segs) == 2 && segs[0] == "reports":
		if method != http.MethodGet {
			return s.faultResponse(call, errMethodNotAllowed(method, call.r.URL.Path))
		}
		return s.handleReport(call, c, segs[1])
	case len(segs) == 0 || len(segs) > 2:
		return s.faultResponse(call, errUnsupported("Unsupported path "+call.r.URL.Path+"."))
	}
	k, ok := kinds.byResource[segs[0]]
	if !ok {
		return s.faultResponse(call, errUnsupported("Resource "+segs[0]+" is not supported by qbosim (resources are lower-case entity names)."))
	}
	switch {
	case len(segs) == 1 && method == http.MethodGet && k == preferencesKind:
		// GET /preferences: the company's one Preferences, addressed by no id.
		if prefs := c.list(k); len(prefs) > 0 {
			return s.entityResponse(call, c, k, prefs[0])
		}
		return s.faultResponse(call, errObjectNotFound(k.name, ""))
	case len(segs) == 2 && method == http.MethodGet:
		return s.handleRead(call, c, k, segs[1])
	case len(segs) == 1 && method == http.MethodPost:
		return s.handleWrite(call, c, k)
	default:
		return s.faultResponse(call, errMethodNotAllowed(method, call.r.URL.Path))
	}
}

// envelopeTime renders the "time" field of a response envelope.
func (s *Server) envelopeTime(call *apiCall) string {
	return call.now.In(s.loc).Format(envelopeTimeLayout)
}

func (s *Server) jsonResponse(status int, v any) *response {
	body, err := marshalJSON(v)
	if err != nil {
		// Only possible with a value the sandbox built itself.
		panic("qbosim: encoding response: " + err.Error())
	}
	return &response{status: status, body: body}
}

func (s *Server) faultResponse(call *apiCall, f *fault) *response {
	return s.jsonResponse(f.status, f.envelope(s.envelopeTime(call)))
}

// entityResponse renders {"<Entity>": {...}, "time": ...}.
func (s *Server) entityResponse(call *apiCall, c *company, k *kind, r *record) *response {
	return s.jsonResponse(http.StatusOK, map[string]any{k.name: s.render(c, k, r), "time": s.envelopeTime(call)})
}

func (s *Server) handleRead(call *apiCall, c *company, k *kind, id string) *response {
	if k == companyInfoKind && id == c.realmID {
		// GET /companyinfo/{realmId}: the one CompanyInfo, addressed by realm.
		if infos := c.list(k); len(infos) > 0 {
			return s.entityResponse(call, c, k, infos[0])
		}
	}
	r := c.live(k, id)
	if r == nil {
		return s.faultResponse(call, errObjectNotFound(k.name, id))
	}
	return s.entityResponse(call, c, k, r)
}

// handleWrite serves POST /{resource}[?operation=...], guarded by requestid
// replay: a requestid seen before on this realm gets the stored response
// (faults included) and the operation is not performed again.
func (s *Server) handleWrite(call *apiCall, c *company, k *kind) *response {
	rid := call.query.Get("requestid")
	if s.opts.IgnoreRequestID {
		rid = ""
	}
	if len(rid) > maxRequestIDLen {
		return s.faultResponse(call, validationFault("2050", "Length exceeds limit",
			"requestid must not exceed 50 characters.", "requestid"))
	}
	if prev, ok := c.requests[rid]; ok && rid != "" {
		return &response{status: prev.Status, body: prev.Body}
	}
	resp := s.performWrite(call, c, k)
	if rid != "" {
		c.requests[rid] = storedReply{Status: resp.status, Body: resp.body}
	}
	s.markDirty()
	return resp
}

func (s *Server) performWrite(call *apiCall, c *company, k *kind) *response {
	if ct := call.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return s.faultResponse(call, errUnsupported("Content-Type "+ct+" is not supported: send application/json."))
		}
	}
	op := strings.ToLower(call.query.Get("operation"))
	v, err := decodeJSON(call.body)
	in, isObject := v.(map[string]any)
	if err != nil || !isObject {
		return s.faultResponse(call, errBadProperty("failed to parse json object; a property"))
	}
	entity, f := s.execute(c, k, op, includeFlags(call.query.Get("include")), in, call.now)
	if f != nil {
		return s.faultResponse(call, f)
	}
	return s.jsonResponse(http.StatusOK, map[string]any{k.name: entity, "time": s.envelopeTime(call)})
}

// includeFlags parses include=a,b into a set (lower-cased).
func includeFlags(v string) map[string]bool {
	flags := map[string]bool{}
	for _, f := range strings.Split(v, ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
			flags[f] = true
		}
	}
	return flags
}
