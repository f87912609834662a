package qbosim

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStateFileSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	h, opts, refresh := newDurableHarness(t, path)
	created := h.create("customer", "Customer", map[string]any{"DisplayName": "Durable Client", "Balance": "1234567890.12345"})
	replayed := h.do(http.MethodPost, "customer?requestid=keep-me", map[string]any{"DisplayName": "Once"}, "application/json")
	require.Equal(t, http.StatusOK, replayed.status)
	h.stop() // Close flushes despite the long debounce
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	leftovers, _ := filepath.Glob(path + ".tmp-*")
	assert.Empty(t, leftovers, "atomic write leaves no temp files")
	raw, _ := os.ReadFile(path)
	assert.NotContains(t, string(raw), h.token, "tokens are stored hashed")
	assert.NotContains(t, string(raw), refresh)

	h.start(opts)
	second := h.srv
	assert.Equal(t, []string{h.realm}, second.Realms())
	got := h.get("customer", created["Id"].(string))
	require.Equal(t, http.StatusOK, got.status, "old access token still valid: %s", got.raw)
	c := got.entity(t, "Customer")
	assert.Equal(t, created, c)
	assert.Equal(t, "1234567890.12345", num(c["Balance"]), "amounts survive digit for digit")

	again := h.do(http.MethodPost, "customer?requestid=keep-me", map[string]any{"DisplayName": "Once"}, "application/json")
	assert.Equal(t, string(replayed.raw), string(again.raw), "remembered requestids survive")

	// New ids continue the old sequences; the refresh token still works.
	next := h.create("customer", "Customer", map[string]any{"DisplayName": "After Restart"})
	assert.True(t, lessID(created["Id"].(string), next["Id"].(string)))
	oc := newOAuthClient(h)
	status, body := oc.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, nil)
	assert.Equal(t, http.StatusOK, status, "%v", body)
	assert.NotEqual(t, h.realm, second.AddCompany("Second Co"), "realm ids are not reused")
}

func TestStateFileDebouncedWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s := New(Options{StateFile: path, PersistDelay: 10 * time.Millisecond})
	defer s.Close()
	s.AddCompany("Debounced")
	require.Eventually(t, func() bool {
		_, err := os.Stat(path)
		return err == nil
	}, 2*time.Second, 5*time.Millisecond)

	s2, err := Open(Options{StateFile: path})
	require.NoError(t, err)
	assert.Len(t, s2.Realms(), 1)

	require.NoError(t, os.WriteFile(path, []byte("{not json"), 0o600))
	_, err = Open(Options{StateFile: path})
	assert.Error(t, err)
	assert.Panics(t, func() { New(Options{StateFile: path}) })
}
