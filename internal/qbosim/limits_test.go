package qbosim

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireThrottled asserts QBO's 429 answer.
func requireThrottled(t *testing.T, res apiResult) {
	t.Helper()
	e := res.requireFault(t, http.StatusTooManyRequests, "3001")
	assert.Equal(t, "message=ThrottleExceeded; errorCode=003001; statusCode=429", e["Message"])
	assert.Equal(t, "SERVICE", res.body["Fault"].(map[string]any)["type"])
}

// customerCount counts the customers named name in the harness realm.
func (h *harness) customerCount(name string) int {
	n := 0
	for _, c := range h.srv.Entities(h.realm, "Customer") {
		if c["DisplayName"] == name {
			n++
		}
	}
	return n
}

func TestProductionLimits(t *testing.T) {
	assert.Equal(t, Limits{PerMinute: 500, PerSecond: 10, Concurrent: 10, BatchPerMinute: 40}, ProductionLimits())
}

func TestNoLimitsByDefault(t *testing.T) {
	h := newHarness(t, Options{})
	for range 30 {
		require.Equal(t, http.StatusOK, h.get("customer", "1").status)
	}
	assert.Equal(t, Stats{Requests: 30}, h.srv.Stats(h.realm))
}

func TestThrottlePerSecond(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{PerSecond: 2}})
	h.create("customer", "Customer", map[string]any{"DisplayName": "One"})
	h.create("customer", "Customer", map[string]any{"DisplayName": "Two"})
	requireThrottled(t, h.post("customer", map[string]any{"DisplayName": "Three"}))
	assert.Zero(t, h.customerCount("Three"), "a throttled request is not performed")

	h.clock.Advance(time.Second)
	h.create("customer", "Customer", map[string]any{"DisplayName": "Three"})
	assert.Equal(t, Stats{Requests: 4, Throttled: 1}, h.srv.Stats(h.realm))
}

func TestThrottlePerMinuteSlides(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{PerMinute: 3}})
	for range 3 {
		require.Equal(t, http.StatusOK, h.get("customer", "1").status)
		h.clock.Advance(10 * time.Second)
	}
	requireThrottled(t, h.post("customer", map[string]any{"DisplayName": "Late"}))
	assert.Zero(t, h.customerCount("Late"))
	h.clock.Advance(29 * time.Second) // the first request is 59s old: still in the window
	requireThrottled(t, h.get("customer", "1"))
	h.clock.Advance(time.Second) // now 60s old: out
	h.create("customer", "Customer", map[string]any{"DisplayName": "Late"})
	requireThrottled(t, h.get("customer", "1"))
}

func TestThrottleConcurrent(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h := newHarness(t, Options{Limits: Limits{Concurrent: 1}, Intercept: func(c *Call) *Reply {
		if c.Resource == "vendor" {
			once.Do(func() { close(entered) })
			<-release
		}
		return nil
	}})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(unblock) // runs before the server closes, even if an assertion stops the test
	done := make(chan apiResult, 1)
	go func() { done <- h.post("vendor", map[string]any{"DisplayName": "Slow Vendor"}) }()
	<-entered
	requireThrottled(t, h.post("customer", map[string]any{"DisplayName": "Concurrent"}))
	assert.Zero(t, h.customerCount("Concurrent"))
	unblock()
	assert.Equal(t, http.StatusOK, (<-done).status)
	h.create("customer", "Customer", map[string]any{"DisplayName": "Concurrent"})
}

func TestSetLimitsPerCompany(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{PerSecond: 1}})
	h.srv.SetLimits(h.realm, Limits{PerSecond: 3})
	for range 3 {
		require.Equal(t, http.StatusOK, h.get("customer", "1").status)
	}
	requireThrottled(t, h.get("customer", "1"))
}
