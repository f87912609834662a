package app_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/config"
	"github.com/qbosync/qbosync/internal/db"
	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/store"
)

// TestTwoProcessesShareOneCompanysBudget runs two independent client stacks, as two
// worker processes would have (their own database connections, store, factory and
// limiters: nothing shared in memory), against one sandbox company under QuickBooks'
// production limits: one writes as a backfill does, batches beside singles, the other
// writes and reads as a second worker and the wizard do. The sandbox must answer no
// 429, and neither stack may be starved.
func TestTwoProcessesShareOneCompanysBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 10 s")
	}
	_, dbURL := dbtest.New(t)
	sim := qbosim.New(qbosim.Options{Limits: qbosim.ProductionLimits()})
	api := httptest.NewServer(sim)
	t.Cleanup(api.Close)
	realm := sim.AddCompany("Shared Budget LLP")
	access, _ := sim.IssueToken(realm)
	cfg := config.QBOConfig{APIBaseURL: api.URL, MinorVersion: "75", RequestTimeout: 30 * time.Second, RateLimits: "qbo"}

	firm := connectFirm(t, dbURL, realm, access)
	writer := newProcess(t, dbURL, cfg, firm, realm)
	other := newProcess(t, dbURL, cfg, firm, realm)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var sent [2]atomic.Int64
	writer.write(ctx, &wg, &sent[0], "w", 2, 6)
	other.write(ctx, &wg, &sent[1], "o", 1, 2)
	other.read(ctx, &wg, &sent[1], 2)
	wg.Wait()

	st := sim.Stats(realm)
	t.Logf("sandbox: %d requests (%d batches), %d answered 429; writer %d, other %d",
		st.Requests, st.Batches, st.Throttled, sent[0].Load(), sent[1].Load())
	if st.Throttled != 0 {
		t.Errorf("the sandbox answered 429 %d times: the two processes exceeded one company's limits", st.Throttled)
	}
	total := sent[0].Load() + sent[1].Load()
	if total < 40 { // 10 s at the budget's 7.9 a second is 79; half, for a loaded machine
		t.Errorf("%d requests in 10 s: the budget was not used", total)
	}
	for i, n := range []int64{sent[0].Load(), sent[1].Load()} {
		if n < total/5 {
			t.Errorf("stack %d sent %d of %d requests: starved", i, n, total)
		}
	}
}

// stackProcess is one process's client stack.
type stackProcess struct {
	t      *testing.T
	client *qbo.Client
}

// openStore opens a store on its own connections to the database.
func openStore(t *testing.T, dbURL string) *store.Store {
	t.Helper()
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	box, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return store.New(d, box)
}

// connectFirm adds a firm connected to the sandbox company realm.
func connectFirm(t *testing.T, dbURL, realm, access string) int64 {
	t.Helper()
	st := openStore(t, dbURL)
	var firm int64
	if err := st.DB().Get(&firm, `INSERT INTO firms (name) VALUES ('Firm') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	tok := &oauth2.Token{AccessToken: access, RefreshToken: "unused", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
	if err := st.Connect(context.Background(), firm, realm, "Shared Budget LLP", tok); err != nil {
		t.Fatal(err)
	}
	return firm
}

func newProcess(t *testing.T, dbURL string, cfg config.QBOConfig, firm int64, realm string) *stackProcess {
	t.Helper()
	st := openStore(t, dbURL)
	c, err := app.NewQBOFactory(cfg, st, slog.New(slog.DiscardHandler)).Client(context.Background(), firm, realm)
	if err != nil {
		t.Fatal(err)
	}
	return &stackProcess{t: t, client: c}
}

// write runs batch writers (30 customers a batch) and single writers until ctx ends.
func (p *stackProcess) write(ctx context.Context, wg *sync.WaitGroup, sent *atomic.Int64, tag string, batchers, singles int) {
	var n atomic.Int64
	customer := func() qbo.Customer {
		return qbo.Customer{DisplayName: fmt.Sprintf("Client %s-%06d", tag, n.Add(1))}
	}
	for b := range batchers {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				ops := make([]qbo.BatchOp, 30)
				for j := range ops {
					ops[j] = qbo.BatchOp{BID: fmt.Sprint("c", j), Operation: qbo.BatchCreate, Entity: "Customer", Body: customer()}
				}
				if _, err := p.client.Batch(ctx, ops, qbo.RequestID("budget", tag, fmt.Sprint(b), fmt.Sprint(i))); err == nil {
					sent.Add(1)
				} else if ctx.Err() == nil {
					p.t.Errorf("batch: %v", err)
				}
			}
		})
	}
	for range singles {
		wg.Go(func() {
			for ctx.Err() == nil {
				c := customer()
				if err := p.client.Create(ctx, "Customer", c, qbo.RequestID("budget", c.DisplayName), nil); err == nil {
					sent.Add(1)
				} else if ctx.Err() == nil {
					p.t.Errorf("create: %v", err)
				}
			}
		})
	}
}

// read runs readers of the chart of accounts, as the wizard and reconciliation do.
func (p *stackProcess) read(ctx context.Context, wg *sync.WaitGroup, sent *atomic.Int64, readers int) {
	for range readers {
		wg.Go(func() {
			for ctx.Err() == nil {
				var out []qbo.Account
				if _, err := p.client.Query(ctx, "SELECT * FROM Account", "Account", &out); err == nil {
					sent.Add(1)
				} else if ctx.Err() == nil {
					p.t.Errorf("query: %v", err)
				}
			}
		})
	}
}
