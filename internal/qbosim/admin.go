package qbosim

import (
	"encoding/json"
	"io"
	"net/http"
)

// The admin endpoints control the sandbox itself. They need no OAuth token:
// they are for a developer's machine and test harnesses only, and must never
// be reachable from anywhere else.
//
//	GET  /admin/faults?realm=R   the company's injected faults (JSON Faults)
//	POST /admin/faults?realm=R   replace them; the body is a JSON Faults,
//	                             {} clears; answers the faults now in force
//	GET  /admin/stats?realm=R    the company's traffic counters (JSON Stats)
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	realmID := r.URL.Query().Get("realm")
	if s.company(realmID) == nil {
		adminJSON(w, http.StatusNotFound, map[string]string{"error": "unknown realm " + realmID + "; pass ?realm=<realm id>"})
		return
	}
	switch {
	case r.URL.Path == "/admin/faults" && r.Method == http.MethodGet:
		adminJSON(w, http.StatusOK, s.Faults(realmID))
	case r.URL.Path == "/admin/faults" && r.Method == http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<16))
		var f Faults
		if err == nil {
			err = json.Unmarshal(body, &f)
		}
		if err == nil {
			err = s.SetFaults(realmID, f)
		}
		if err != nil {
			adminJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		adminJSON(w, http.StatusOK, s.Faults(realmID))
	case r.URL.Path == "/admin/stats" && r.Method == http.MethodGet:
		adminJSON(w, http.StatusOK, s.Stats(realmID))
	default:
		adminJSON(w, http.StatusNotFound, map[string]string{"error": r.Method + " " + r.URL.Path + " is not an admin endpoint"})
	}
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
