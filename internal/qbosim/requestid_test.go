package qbosim

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestIDReplaysTheFirstResponse(t *testing.T) {
	h := newHarness(t, Options{})
	before := len(h.srv.Entities(h.realm, "Customer"))
	body := map[string]any{"DisplayName": "Idempotent LLP"}

	first := h.do(http.MethodPost, "customer?requestid=rq-1&minorversion=75", body, "application/json")
	require.Equal(t, http.StatusOK, first.status, "%s", first.raw)
	h.clock.Advance(time.Minute)
	again := h.do(http.MethodPost, "customer?requestid=rq-1", body, "application/json")
	assert.Equal(t, first.status, again.status)
	assert.Equal(t, string(first.raw), string(again.raw), "identical body, time included")
	assert.Len(t, h.srv.Entities(h.realm, "Customer"), before+1, "the write happened once")

	// Even a different body under the same id gets the stored answer. [U]
	other := h.do(http.MethodPost, "customer?requestid=rq-1", map[string]any{"DisplayName": "Something Else"}, "application/json")
	assert.Equal(t, string(first.raw), string(other.raw))
	assert.Len(t, h.srv.Entities(h.realm, "Customer"), before+1)

	// Faults are replayed too, even once the cause is gone.
	fault := h.do(http.MethodPost, "customer?requestid=rq-2", map[string]any{"DisplayName": "Cool Cars"}, "application/json")
	fault.requireFault(t, http.StatusBadRequest, "6240")
	cool := h.idOf("Customer", "DisplayName", "Cool Cars")
	h.create("customer", "Customer", map[string]any{"Id": cool, "SyncToken": "0", "sparse": true, "DisplayName": "Cool Cars Inc"})
	replay := h.do(http.MethodPost, "customer?requestid=rq-2", map[string]any{"DisplayName": "Cool Cars"}, "application/json")
	assert.Equal(t, http.StatusBadRequest, replay.status)
	assert.Equal(t, string(fault.raw), string(replay.raw))

	// Ids are per realm: the same id on another company is a new request.
	other2 := h.srv.AddSampleCompany()
	tok, _ := h.srv.IssueToken(other2)
	h2 := *h
	h2.realm, h2.token = other2, tok
	res := h2.do(http.MethodPost, "customer?requestid=rq-1", body, "application/json")
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, "Idempotent LLP", res.entity(t, "Customer")["DisplayName"])

	// Over 50 characters is refused and not remembered.
	h.do(http.MethodPost, "customer?requestid="+strings.Repeat("x", 51), body, "application/json").requireFault(t, http.StatusBadRequest, "2050")
	h.do(http.MethodPost, "customer?requestid="+strings.Repeat("x", 50), map[string]any{"DisplayName": "Fifty"}, "application/json")
}

func TestRequestIDConcurrentDuplicatesWriteOnce(t *testing.T) {
	h := newHarness(t, Options{})
	before := len(h.srv.Entities(h.realm, "Customer"))
	var wg sync.WaitGroup
	bodies := make([]string, 8)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = string(h.do(http.MethodPost, "customer?requestid=race", map[string]any{"DisplayName": "Racer"}, "application/json").raw)
		}()
	}
	wg.Wait()
	for _, b := range bodies[1:] {
		assert.Equal(t, bodies[0], b)
	}
	assert.Len(t, h.srv.Entities(h.realm, "Customer"), before+1)
}

func TestIgnoreRequestIDMode(t *testing.T) {
	h := newHarness(t, Options{IgnoreRequestID: true})
	body := map[string]any{"DisplayName": "Broken Mode"}
	h.do(http.MethodPost, "customer?requestid=same", body, "application/json")
	// Without replay the retry is a second create, which here collides by name.
	h.do(http.MethodPost, "customer?requestid=same", body, "application/json").requireFault(t, http.StatusBadRequest, "6240")
}
