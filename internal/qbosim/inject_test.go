package qbosim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerErrorRateIsSeededAndPerformsNothing(t *testing.T) {
	statuses := func(seed uint64) []int {
		h := newHarness(t, Options{RandSeed: seed})
		require.NoError(t, h.srv.SetFaults(h.realm, Faults{ServerErrorRate: 0.5}))
		var out []int
		for i := range 20 {
			res := h.post("customer", map[string]any{"DisplayName": "Flaky " + string(rune('A'+i))})
			if res.status != http.StatusOK {
				e := res.requireFault(t, res.status, "10000")
				assert.Contains(t, []int{http.StatusInternalServerError, http.StatusServiceUnavailable}, res.status)
				assert.NotEmpty(t, e["Message"])
				assert.Zero(t, h.customerCount("Flaky "+string(rune('A'+i))), "a failed request is not performed")
			}
			out = append(out, res.status)
		}
		assert.Equal(t, countNot(out, http.StatusOK), h.srv.Stats(h.realm).ServerErrors)
		return out
	}
	first := statuses(42)
	assert.Equal(t, first, statuses(42), "the same seed fails the same requests")
	assert.Contains(t, first, http.StatusOK)
	assert.True(t, countNot(first, http.StatusOK) > 0, "%v", first)

	h := newHarness(t, Options{})
	require.NoError(t, h.srv.SetFaults(h.realm, Faults{ServerErrorRate: 1}))
	for range 5 {
		assert.NotEqual(t, http.StatusOK, h.get("customer", "1").status, "a rate of 1 fails every request")
	}
}

func countNot(xs []int, v int) int {
	n := 0
	for _, x := range xs {
		if x != v {
			n++
		}
	}
	return n
}

func TestInjectedLatency(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.srv.SetFaults(h.realm, Faults{Latency: 60 * time.Millisecond}))
	start := time.Now()
	require.Equal(t, http.StatusOK, h.get("customer", "1").status)
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)

	require.NoError(t, h.srv.SetFaults(h.realm, Faults{}))
	start = time.Now()
	h.get("customer", "1")
	assert.Less(t, time.Since(start), 60*time.Millisecond)
}

func TestThrottleBurst(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.srv.SetFaults(h.realm, Faults{ThrottleBurst: 2}))
	requireThrottled(t, h.post("customer", map[string]any{"DisplayName": "Burst"}))
	assert.Equal(t, 1, h.srv.Faults(h.realm).ThrottleBurst, "the burst counts down")
	requireThrottled(t, h.get("customer", "1"))
	assert.Zero(t, h.customerCount("Burst"))
	h.create("customer", "Customer", map[string]any{"DisplayName": "Burst"})
	assert.Equal(t, 2, h.srv.Stats(h.realm).Throttled)
}

func TestExpireAccessTokens(t *testing.T) {
	h := newHarness(t, Options{})
	access, refresh := h.srv.IssueToken(h.realm)
	h.token = access
	require.Equal(t, http.StatusOK, h.get("customer", "1").status)
	require.NoError(t, h.srv.SetFaults(h.realm, Faults{ExpireAccessTokens: true}))
	assert.False(t, h.srv.Faults(h.realm).ExpireAccessTokens, "an action, not a state")

	res := h.get("customer", "1")
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.Contains(t, string(res.raw), `"code":"3200"`)

	oc := newOAuthClient(h)
	status, body := oc.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	h.token = body["access_token"].(string)
	assert.Equal(t, http.StatusOK, h.get("customer", "1").status, "tokens issued afterwards work")

	// Other companies' tokens are untouched.
	other := h.srv.AddSampleCompany()
	otherTok, _ := h.srv.IssueToken(other)
	require.NoError(t, h.srv.SetFaults(h.realm, Faults{ExpireAccessTokens: true}))
	h2 := *h
	h2.realm, h2.token = other, otherTok
	assert.Equal(t, http.StatusOK, h2.get("customer", "1").status)
}

// rawPost sends an authenticated POST and returns the transport error, if any.
func (h *harness) rawPost(path string, body any) (*http.Response, error) {
	data, err := json.Marshal(body)
	require.NoError(h.t, err)
	req, err := http.NewRequest(http.MethodPost, h.ts.URL+"/v3/company/"+h.realm+"/"+path, bytes.NewReader(data))
	require.NoError(h.t, err)
	req.Header.Set("Authorization", "Bearer "+h.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.ts.Client().Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

func TestLoseResponseAfterCommit(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.srv.SetFaults(h.realm, Faults{LoseNextResponses: 1}))
	body := map[string]any{"DisplayName": "Lost Answer LLP"}

	_, err := h.rawPost("customer?requestid=lost-1", body)
	require.Error(t, err, "the connection is closed without an answer")
	assert.Equal(t, 1, h.customerCount("Lost Answer LLP"), "the write was committed")
	assert.Equal(t, 1, h.srv.Stats(h.realm).Lost)
	assert.Zero(t, h.srv.Faults(h.realm).LoseNextResponses)

	// The retry with the same requestid replays the answer that was lost.
	again := h.do(http.MethodPost, "customer?requestid=lost-1", body, "application/json")
	require.Equal(t, http.StatusOK, again.status, "%s", again.raw)
	assert.Equal(t, h.idOf("Customer", "DisplayName", "Lost Answer LLP"), again.entity(t, "Customer")["Id"])
	assert.Equal(t, 1, h.customerCount("Lost Answer LLP"))

	// Reads are never lost; a rate of 1 loses every write.
	require.NoError(t, h.srv.SetFaults(h.realm, Faults{LoseResponseRate: 1}))
	assert.Equal(t, http.StatusOK, h.get("customer", "1").status)
	assert.Equal(t, http.StatusOK, h.query("SELECT * FROM Customer").status)
	_, err = h.rawPost("vendor", map[string]any{"DisplayName": "Lost Vendor"})
	require.Error(t, err)
	assert.Len(t, filterByName(h.srv.Entities(h.realm, "Vendor"), "Lost Vendor"), 1)
}

func filterByName(rows []map[string]any, name string) []map[string]any {
	var out []map[string]any
	for _, r := range rows {
		if r["DisplayName"] == name || r["Name"] == name {
			out = append(out, r)
		}
	}
	return out
}

func TestFaultsValidation(t *testing.T) {
	h := newHarness(t, Options{})
	assert.Error(t, h.srv.SetFaults(h.realm, Faults{ServerErrorRate: 1.5}))
	assert.Error(t, h.srv.SetFaults(h.realm, Faults{ThrottleBurst: -1}))
	assert.Error(t, h.srv.SetFaults("no-such-realm", Faults{}))
}

func TestAdminFaultsEndpoint(t *testing.T) {
	h := newHarness(t, Options{})
	admin := func(method, path, body string) (int, map[string]any) {
		req, err := http.NewRequest(method, h.ts.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		resp, err := h.ts.Client().Do(req) // no Authorization header: admin routes need none
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp.StatusCode, out
	}
	status, got := admin(http.MethodPost, "/admin/faults?realm="+h.realm, `{"throttleBurst":1,"latency":"5ms","loseNextResponses":2}`)
	require.Equal(t, http.StatusOK, status, "%v", got)
	assert.Equal(t, Faults{ThrottleBurst: 1, Latency: 5 * time.Millisecond, LoseNextResponses: 2}, h.srv.Faults(h.realm))

	requireThrottled(t, h.get("customer", "1"))
	status, got = admin(http.MethodGet, "/admin/faults?realm="+h.realm, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{
		"serverErrorRate": 0.0, "serverErrorNext": 0.0, "latency": "5ms", "throttleBurst": 0.0, "expireAccessTokens": false,
		"loseResponseRate": 0.0, "loseNextResponses": 2.0,
	}, got)

	status, got = admin(http.MethodGet, "/admin/stats?realm="+h.realm, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, 1.0, got["requests"])
	assert.Equal(t, 1.0, got["throttled"])

	status, _ = admin(http.MethodPost, "/admin/faults?realm="+h.realm, `{}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, Faults{}, h.srv.Faults(h.realm), "{} clears")

	status, got = admin(http.MethodPost, "/admin/faults?realm="+h.realm, `{"serverErrorRate":2}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, got["error"], "serverErrorRate")
	status, _ = admin(http.MethodPost, "/admin/faults?realm="+h.realm, `{"latency":"soon"}`)
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = admin(http.MethodGet, "/admin/faults?realm=nope", "")
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = admin(http.MethodGet, "/admin/nothing?realm="+h.realm, "")
	assert.Equal(t, http.StatusNotFound, status)
}

func TestServerErrorNextFailsExactlyTheNextRequests(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.srv.SetFaults(h.realm, Faults{ServerErrorNext: 2}))
	var statuses []int
	for range 3 {
		statuses = append(statuses, h.get("customer", "1").status)
	}
	assert.GreaterOrEqual(t, statuses[0], 500)
	assert.GreaterOrEqual(t, statuses[1], 500)
	assert.Equal(t, http.StatusOK, statuses[2], "the count runs out: statuses %v", statuses)
	assert.Equal(t, 2, h.srv.Stats(h.realm).ServerErrors)
}
