package syncer

import (
	"slices"
	"testing"

	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/internal/qbosim"
)

// What a category has to do, and which firms the worker's sweep wakes, from the
// database alone: nothing once a firm is synced; a new client makes contacts (and only
// contacts) pending, and its firm one to wake.
func TestPendingWorkAndFirmsWithWork(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(22, nil)
	if err := r.e.Store.Connect(t.Context(), firm, r.realm, "Rig", &oauth2.Token{AccessToken: r.token, RefreshToken: "refresh"}); err != nil {
		t.Fatal(err)
	}
	pending := func() []string {
		work, err := PendingWork(t.Context(), r.e.Store, r.e.Scope, Categories)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, w := range work {
			if w.Changed {
				out = append(out, w.Category)
			}
		}
		return out
	}
	if got := pending(); len(got) != len(Categories) {
		t.Errorf("before any sync, pending %v: want every category", got)
	}
	r.syncAll()
	if got := pending(); len(got) != 0 {
		t.Errorf("after a sync, pending %v: want nothing", got)
	}
	firms, err := FirmsWithWork(t.Context(), r.e.Store)
	if err != nil || slices.Contains(firms, firm) {
		t.Errorf("firms with work after a sync: %v, %v", firms, err)
	}
	r.exec(`INSERT INTO clients (firm_id, client_number, kind, name) VALUES ($1, 'P-1', 'person', 'Pending Person')`, firm)
	if got := pending(); !slices.Equal(got, []string{"contacts"}) {
		t.Errorf("after a new client, pending %v: want contacts", got)
	}
	if firms, err := FirmsWithWork(t.Context(), r.e.Store); err != nil || !slices.Contains(firms, firm) {
		t.Errorf("firms with work after a new client: %v, %v; want firm %d", firms, err, firm)
	}
}
