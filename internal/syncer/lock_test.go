package syncer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/store"
)

// One writer per lane of a company: a second run is told the company is busy until the first
// releases its lease; a lease whose holder died expires and is taken.
func TestOneWriterPerCompanyAndADeadWritersLeaseExpires(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	ctx := t.Context()
	_, release, err := r.e.lockCompany(ctx, laneBooks)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.e.lockCompany(ctx, laneBooks); !errors.Is(err, ErrCompanyBusy) {
		t.Fatalf("a second writer: %v, want ErrCompanyBusy", err)
	}
	release()
	_, release, err = r.e.lockCompany(ctx, laneBooks)
	if err != nil {
		t.Fatalf("after the release: %v", err)
	}
	// The contacts write beside the books, one writer at a time too.
	_, releaseContacts, err := r.e.lockCompany(ctx, laneContacts)
	if err != nil {
		t.Fatalf("the contacts beside the books: %v", err)
	}
	if _, _, err := r.e.lockCompany(ctx, laneContacts); !errors.Is(err, ErrCompanyBusy) {
		t.Fatalf("a second writer of the contacts: %v, want ErrCompanyBusy", err)
	}
	releaseContacts()
	release()
	// A worker died holding the lease: it expires, and the next writer takes it.
	r.exec(`INSERT INTO company_leases (firm_id, realm_id, lane, holder, expires_at) VALUES ($1, $2, 'books', 'dead worker', now() - interval '1 second')`,
		r.e.Scope.FirmID, r.e.Scope.RealmID)
	if _, release, err := r.e.lockCompany(ctx, laneBooks); err != nil {
		t.Fatalf("over an expired lease: %v", err)
	} else {
		release()
	}
}

// A run whose lease another writer took (it stalled longer than the lease lasts) stops.
func TestARunThatLostItsLeaseStops(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	defer func(ttl time.Duration) { leaseTTL = ttl }(leaseTTL)
	leaseTTL = 300 * time.Millisecond
	run, release, err := r.e.lockCompany(t.Context(), laneBooks)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	r.exec(`UPDATE company_leases SET holder = 'another writer' WHERE firm_id = $1`, r.e.Scope.FirmID)
	select {
	case <-run.Done():
		if !errors.Is(context.Cause(run), errLeaseLost) {
			t.Errorf("the run ended with %v, want errLeaseLost", context.Cause(run))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the run went on writing without its lease")
	}
}

// Writers hold no database connection between statements: more companies syncing at
// once than the pool has connections still get their queries through (a session lock
// per run left none, and every run waited for ever).
func TestMoreWritersThanConnectionsDoNotStarveThePool(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	r.e.Store.DB().SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for i := range 5 {
		e := *r.e
		e.Scope = store.Scope{FirmID: r.e.Scope.FirmID, RealmID: r.realm + "-" + string(rune('a'+i))}
		_, release, err := e.lockCompany(ctx, laneBooks)
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
		defer release()
	}
	if _, err := r.e.Store.FailedItems(ctx, r.e.Scope); err != nil {
		t.Fatalf("a query with five writers running on a pool of two: %v", err)
	}
}
