package e2e_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

var markerRE = regexp.MustCompile(`qbosync:(client|matter):(\d+)`)

// qboCustomers indexes the sandbox's customers by the qbosync marker in their notes,
// counting how many carry each marker (exactly one, or the sync duplicated something).
type qboCustomers struct {
	byMarker map[string][]map[string]any
	byID     map[string]map[string]any
	total    int
}

func (s *stack) customers() qboCustomers {
	c := qboCustomers{byMarker: map[string][]map[string]any{}, byID: map[string]map[string]any{}}
	for _, cust := range s.Sim.Entities(s.Realm, "Customer") {
		c.total++
		c.byID[fmt.Sprint(cust["Id"])] = cust
		notes, _ := cust["Notes"].(string)
		if m := markerRE.FindString(notes); m != "" {
			c.byMarker[m] = append(c.byMarker[m], cust)
		}
	}
	return c
}

type pmsClient struct {
	ID     int64  `db:"id"`
	Number string `db:"client_number"`
	Name   string `db:"name"`
	Email  string `db:"email"`
}

type pmsMatter struct {
	ID       int64  `db:"id"`
	ClientID int64  `db:"client_id"`
	Number   string `db:"matter_number"`
}

// TestContactsSyncEndToEnd syncs a seeded firm's clients and matters into the sandbox
// through a real Temporal server, and checks the books object by object: every client
// and matter exactly once (or a failed item that says why), nothing new on a rerun,
// renames carried over, and nothing duplicated when QBO fails or loses answers.
func TestContactsSyncEndToEnd(t *testing.T) {
	s := newStack(t)
	sum0, err := seed.Seed(t.Context(), s.DB, seed.Options{Size: seed.SizeSmall, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	firm := sum0.FirmID
	conn := s.connect(firm)
	if conn.RealmID != s.Realm || conn.CompanyName == "" {
		t.Fatalf("connection = %+v", conn)
	}
	sampleCustomers := s.customers().total

	var clients []pmsClient
	var matters []pmsMatter
	must(t, s.DB.Select(&clients, `SELECT id, client_number, name, email FROM clients WHERE firm_id = $1 ORDER BY id`, firm))
	must(t, s.DB.Select(&matters, `SELECT id, client_id, matter_number FROM matters WHERE firm_id = $1 ORDER BY id`, firm))

	// What must fail, decided from the data and the sandbox, not from the posting code:
	// a client whose name a sandbox vendor holds, and a client whose e-mail has no @.
	vendorNames := map[string]bool{}
	for _, v := range s.Sim.Entities(s.Realm, "Vendor") {
		vendorNames[strings.ToLower(fmt.Sprint(v["DisplayName"]))] = true
	}
	wantFailed := map[int64]string{}
	for _, c := range clients {
		switch {
		case vendorNames[strings.ToLower(strings.TrimSpace(c.Name))]:
			wantFailed[c.ID] = "6240"
		case c.Email != "" && !strings.Contains(c.Email, "@"):
			wantFailed[c.ID] = "qbosync:invalid-email"
		}
	}
	if len(wantFailed) < 2 {
		t.Fatalf("the seed should hold a name clash and an invalid e-mail; found %v", wantFailed)
	}

	t.Run("first sync creates every client and matter once, failures explained", func(t *testing.T) {
		sum, run := s.syncOnce(firm, false)
		if sum.Status != syncapi.StatusCompleted {
			t.Fatalf("status %q", sum.Status)
		}
		recordHistory(t, s.Temporal, run, "sync_once_v3")
		qc := s.customers()
		failed := failedByKey(t, s, firm)
		for _, c := range clients {
			marker := fmt.Sprintf("qbosync:client:%d", c.ID)
			got := qc.byMarker[marker]
			if code, ok := wantFailed[c.ID]; ok {
				if len(got) != 0 {
					t.Errorf("client %s should have failed (%s) but is in QBO", c.Number, code)
				}
				f := failed["client:"+fmt.Sprint(c.ID)]
				if f.ErrorCode != code || f.Explanation == "" {
					t.Errorf("client %s: failure = %+v, want code %s with an explanation", c.Number, f, code)
				}
				continue
			}
			if len(got) != 1 {
				t.Errorf("client %s (%q) is in QBO %d times, want once", c.Number, c.Name, len(got))
				continue
			}
			name := fmt.Sprint(got[0]["DisplayName"])
			if strings.ContainsAny(name, ":\t\n") || len([]rune(name)) > 500 {
				t.Errorf("client %s: DisplayName %q breaks QBO's rules", c.Number, name)
			}
		}
		for _, m := range matters {
			got := qc.byMarker[fmt.Sprintf("qbosync:matter:%d", m.ID)]
			if _, clientFailed := wantFailed[m.ClientID]; clientFailed {
				f := failed["matter:"+fmt.Sprint(m.ID)]
				if len(got) != 0 || f.ErrorCode != "qbosync:client-not-synced" || !strings.Contains(f.Explanation, "as soon as its client does") {
					t.Errorf("matter %s of a failed client: in QBO %d times, failure %+v", m.Number, len(got), f)
				}
				continue
			}
			if len(got) != 1 {
				t.Errorf("matter %s is in QBO %d times, want once", m.Number, len(got))
				continue
			}
			parent := qc.byMarker[fmt.Sprintf("qbosync:client:%d", m.ClientID)]
			ref, _ := got[0]["ParentRef"].(map[string]any)
			if got[0]["Job"] != true || len(parent) != 1 || ref["value"] != parent[0]["Id"] {
				t.Errorf("matter %s is not a job under its client: %v", m.Number, got[0])
			}
		}
		if want := len(failed); sum.Failed() != want {
			t.Errorf("summary counts %d failures, the store has %d", sum.Failed(), want)
		}
		if created := contactsOf(t, sum).Created; created != qc.total-sampleCustomers {
			t.Errorf("summary says %d created, the sandbox gained %d customers", created, qc.total-sampleCustomers)
		}
	})

	t.Run("namesakes get distinct names", func(t *testing.T) {
		qc := s.customers()
		seen := map[string][]string{}
		for _, c := range clients {
			if got := qc.byMarker[fmt.Sprintf("qbosync:client:%d", c.ID)]; len(got) == 1 {
				key := strings.ToLower(strings.TrimSpace(c.Name))
				seen[key] = append(seen[key], fmt.Sprint(got[0]["DisplayName"]))
			}
		}
		twins := 0
		for _, names := range seen {
			if len(names) > 1 {
				twins++
				if names[0] == names[1] {
					t.Errorf("two clients share the QBO name %q", names[0])
				}
			}
		}
		if twins == 0 {
			t.Error("the seed should hold two clients with the same name")
		}
	})

	t.Run("rerun creates and updates nothing", func(t *testing.T) {
		before := s.customers().total
		sum, _ := s.syncOnce(firm, false)
		c := contactsOf(t, sum)
		if c.Created != 0 || c.Updated != 0 || c.Adopted != 0 {
			t.Errorf("rerun did something: %+v", c)
		}
		if after := s.customers().total; after != before {
			t.Errorf("rerun changed the number of customers: %d -> %d", before, after)
		}
	})

	t.Run("a renamed client updates its customer and its matters' full names", func(t *testing.T) {
		var target pmsClient
		for _, c := range clients {
			if _, bad := wantFailed[c.ID]; !bad && hasMatter(matters, c.ID) {
				target = c
				break
			}
		}
		_, err := s.DB.Exec(`UPDATE clients SET name = 'Renamed O''Client & Co', kind = 'company', company_name = 'Renamed O''Client & Co' WHERE id = $1`, target.ID)
		must(t, err)
		sum, _ := s.syncOnce(firm, false)
		if c := contactsOf(t, sum); c.Updated != 1 || c.Created != 0 {
			t.Errorf("rename: %+v, want exactly one update", c)
		}
		qc := s.customers()
		cust := qc.byMarker[fmt.Sprintf("qbosync:client:%d", target.ID)][0]
		if cust["DisplayName"] != "Renamed O'Client & Co" || cust["SyncToken"] == "0" {
			t.Errorf("customer after rename: %v", cust)
		}
		for _, m := range matters {
			if m.ClientID == target.ID {
				job := qc.byMarker[fmt.Sprintf("qbosync:matter:%d", m.ID)][0]
				if !strings.HasPrefix(fmt.Sprint(job["FullyQualifiedName"]), "Renamed O'Client & Co:") {
					t.Errorf("matter %s full name %q does not follow the rename", m.Number, job["FullyQualifiedName"])
				}
			}
		}
	})

	t.Run("fixing a failed client syncs it and then its matters", func(t *testing.T) {
		var fixed int64
		for id, code := range wantFailed {
			if code == "qbosync:invalid-email" {
				fixed = id
			}
		}
		_, err := s.DB.Exec(`UPDATE clients SET email = 'fixed@example.com' WHERE id = $1`, fixed)
		must(t, err)
		s.syncOnce(firm, false)
		qc := s.customers()
		if len(qc.byMarker[fmt.Sprintf("qbosync:client:%d", fixed)]) != 1 {
			t.Fatal("the fixed client was not created")
		}
		for _, m := range matters {
			if m.ClientID == fixed && len(qc.byMarker[fmt.Sprintf("qbosync:matter:%d", m.ID)]) != 1 {
				t.Errorf("matter %s of the fixed client was not synced", m.Number)
			}
		}
		if f := failedByKey(t, s, firm)["client:"+fmt.Sprint(fixed)]; f.ErrorCode != "" {
			t.Errorf("failure not cleared: %+v", f)
		}
	})

	t.Run("QBO outages and lost answers duplicate nothing", func(t *testing.T) {
		// New clients, each with a matter; the first writes meet 503s (retried by
		// Temporal), later ones are performed by QBO with the answer lost on the way.
		var ids []int64
		for i := range 6 {
			var id int64
			must(t, s.DB.Get(&id, `INSERT INTO clients (firm_id, client_number, kind, name, email)
				VALUES ($1, $2, 'person', $3, '') RETURNING id`, firm, fmt.Sprintf("F-%03d", i), fmt.Sprintf("Fault Tolerant Client %d", i)))
			_, err := s.DB.Exec(`INSERT INTO matters (firm_id, client_id, matter_number, name, opened_on) VALUES ($1, $2, $3, 'General', '2026-11-01')`,
				firm, id, fmt.Sprintf("F-%03d-M", i))
			must(t, err)
			ids = append(ids, id)
		}
		s.Faults.set(2, 4)
		sum, _ := s.syncOnce(firm, false)
		if s.Faults.unavailable != 0 || s.Faults.lost != 0 {
			t.Fatalf("not every fault was hit: %d unavailable, %d lost left", s.Faults.unavailable, s.Faults.lost)
		}
		qc := s.customers()
		for _, id := range ids {
			if n := len(qc.byMarker[fmt.Sprintf("qbosync:client:%d", id)]); n != 1 {
				t.Errorf("client %d is in QBO %d times after faults, want once", id, n)
			}
		}
		var newMatters []int64
		must(t, s.DB.Select(&newMatters, `SELECT id FROM matters WHERE firm_id = $1 AND matter_number LIKE 'F-%'`, firm))
		for _, id := range newMatters {
			if n := len(qc.byMarker[fmt.Sprintf("qbosync:matter:%d", id)]); n != 1 {
				t.Errorf("matter %d is in QBO %d times after faults, want once", id, n)
			}
		}
		if c := contactsOf(t, sum); c.Adopted == 0 {
			t.Errorf("lost answers should show as adopted objects: %+v", c)
		}
		for marker, custs := range qc.byMarker {
			if len(custs) > 1 {
				t.Errorf("%s is in QBO %d times", marker, len(custs))
			}
		}
	})

	t.Run("a continuous sync wakes on sync-now and picks up a new client", func(t *testing.T) {
		ctx := t.Context()
		run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: syncapi.SyncWorkflowID(firm, s.Realm), TaskQueue: s.Queue,
		}, workflows.SyncWorkflow, syncapi.SyncInput{FirmID: firm, RealmID: s.Realm, SweepInterval: time.Hour})
		must(t, err)
		waitFor(t, "the first cycle", func() bool { return s.status(run).Cycles == 1 && waitingForChanges(s.status(run)) })
		var id int64
		must(t, s.DB.Get(&id, `INSERT INTO clients (firm_id, client_number, kind, name) VALUES ($1, 'N-1', 'person', 'Newly Arrived') RETURNING id`, firm))
		must(t, s.Temporal.SignalWorkflow(ctx, run.GetID(), run.GetRunID(), syncapi.SyncNowSignal, nil))
		waitFor(t, "the new client in QBO", func() bool {
			return len(s.customers().byMarker[fmt.Sprintf("qbosync:client:%d", id)]) == 1
		})
		waitFor(t, "the second cycle to finish", func() bool { return s.status(run).Cycles == 2 && waitingForChanges(s.status(run)) })
		// The books are checked beside the sync once it is quiet, and the check that
		// counts saw the new client.
		waitFor(t, "the books checked after the new client", func() bool {
			st := s.status(run)
			return st.Reconciliation != nil && !st.ReconciledAt.Before(st.LastRunAt)
		})
		must(t, s.Temporal.TerminateWorkflow(ctx, run.GetID(), run.GetRunID(), "test done"))
		recordHistory(t, s.Temporal, run, "sync_continuous_v7")
	})

	t.Run("no token in logs", func(t *testing.T) {
		tok, err := s.Store.Token(t.Context(), firm, s.Realm)
		must(t, err)
		logs := s.Log.String()
		if strings.Contains(logs, tok.AccessToken) || strings.Contains(logs, tok.RefreshToken) {
			t.Error("a token appears in the logs")
		}
	})
}

func (s *stack) status(run client.WorkflowRun) syncapi.Summary {
	s.t.Helper()
	v, err := s.Temporal.QueryWorkflow(context.Background(), run.GetID(), run.GetRunID(), syncapi.StatusQuery)
	if err != nil {
		return syncapi.Summary{}
	}
	var sum syncapi.Summary
	_ = v.Get(&sum)
	return sum
}

// waitingForChanges says whether a continuous sync finished its cycle and waits: idle,
// or idle with books that differ (the seed's refused clients leave their invoices out).
func waitingForChanges(sum syncapi.Summary) bool {
	return sum.Status == syncapi.StatusIdle || sum.Status == syncapi.StatusBooksDiffer
}

// waitFor polls cond for up to 20 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func failedByKey(t *testing.T, s *stack, firm int64) map[string]store.ItemStatus {
	t.Helper()
	items, err := s.Store.FailedItems(t.Context(), store.Scope{FirmID: firm, RealmID: s.Realm})
	must(t, err)
	out := map[string]store.ItemStatus{}
	for _, it := range items {
		out[it.Kind+":"+it.SourceKey] = it
	}
	return out
}

func hasMatter(matters []pmsMatter, client int64) bool {
	for _, m := range matters {
		if m.ClientID == client {
			return true
		}
	}
	return false
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
