package e2e_test

// End-to-end benchmarks of the sync at a firm's size: the real worker binary, the
// Temporal dev server and the sandbox over HTTP with QuickBooks' production limits.
// `make bench` runs them (README, "Benchmarks"); QBOSYNC_BENCH_SIZE=large is the full
// run (a 1,000-client firm: it takes its time), small the quick look.

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/syncer"
	"github.com/qbosync/qbosync/workflows"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// qboWriteCeiling is QuickBooks' ceiling on one company's writes a minute: 40 batch
// requests of 30 operations, plus the 460 single requests the 500-a-minute limit
// leaves beside them.
const qboWriteCeiling = 40*30 + 460

// benchSize is the firm QBOSYNC_BENCH_SIZE asks for: small (default) or large.
func benchSize(b *testing.B) seed.Size {
	size, err := seed.ParseSize(cmp.Or(os.Getenv("QBOSYNC_BENCH_SIZE"), string(seed.SizeSmall)))
	if err != nil {
		b.Fatal(err)
	}
	return size
}

// benchFirm seeds a firm of the given size, connects it to the sandbox's sample
// company (under QuickBooks' production limits) and submits the default settings,
// fitted to the company, with a start date before its history.
func (s *stack) benchFirm(b *testing.B, size seed.Size) int64 {
	b.Helper()
	ctx := context.Background()
	sum, err := seed.Seed(ctx, s.DB, seed.Options{Size: size, Seed: 1})
	mustTB(b, err)
	s.Sim.SetLimits(s.Realm, qbosim.ProductionLimits())
	s.connect(sum.FirmID)
	f, err := s.Store.Firm(ctx, sum.FirmID)
	mustTB(b, err)
	st := settings.Defaults(f).FitTo(sum.FirmID, s.catalog(sum.FirmID))
	st.SyncOptions.StartDate = "2000-01-01"
	s.submit(sum.FirmID, st)
	return sum.FirmID
}

// productionWorker runs the worker binary as in production: QuickBooks' limits paced
// by the client, the default page size (200, internal/config).
func (s *stack) productionWorker(b *testing.B) *exec.Cmd {
	return s.startWorkerProcess(b, "QBOSYNC_QBO_RATE_LIMITS=qbo", "QBOSYNC_SYNC_PAGE_SIZE=200", benchLogLevel())
}

// benchLogLevel is the worker's log level setting: QBOSYNC_BENCH_LOG_LEVEL, warn by
// default so that the benchmark's own report stands out.
func benchLogLevel() string {
	return "QBOSYNC_LOG_LEVEL=" + cmp.Or(os.Getenv("QBOSYNC_BENCH_LOG_LEVEL"), "warn")
}

// startSync starts the firm's continuous sync and returns its run.
func (s *stack) startSync(b *testing.B, firm int64) client.WorkflowRun {
	b.Helper()
	run, err := s.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: syncapi.SyncWorkflowID(firm, s.Realm), TaskQueue: s.Queue,
	}, workflows.SyncWorkflow, syncapi.SyncInput{FirmID: firm, RealmID: s.Realm})
	mustTB(b, err)
	b.Cleanup(func() { _ = s.Temporal.TerminateWorkflow(context.Background(), run.GetID(), "", "benchmark done") })
	return run
}

// waitCycles waits until the sync has finished n cycles and waits for changes.
func (s *stack) waitCycles(b *testing.B, run client.WorkflowRun, n int, limit time.Duration) syncapi.Summary {
	b.Helper()
	deadline := time.Now().Add(limit)
	for {
		st := s.status(run)
		if st.Cycles >= n && waitingForChanges(st) {
			return st
		}
		if st.Status == syncapi.StatusFailed || st.Status == syncapi.StatusNeedsReconnect {
			b.Fatalf("the sync stopped: %s %s", st.Status, st.Reason)
		}
		if time.Now().After(deadline) {
			b.Fatalf("no %d cycles within %s: %+v", n, limit, st)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// BenchmarkFirstSync syncs a seeded firm from empty and reports objects written, wall
// time, writes a minute as a fraction of QuickBooks' ceiling, 429s, the worker's peak
// RSS and the largest workflow history.
//
//	QBOSYNC_BENCH_SIZE=large go test -run '^$' -bench FirstSync -benchtime 1x -timeout 2h ./internal/e2e/
func BenchmarkFirstSync(b *testing.B) {
	for range b.N {
		s := newStackWith(b, stackOptions{worker: false})
		firm := s.benchFirm(b, benchSize(b))
		_, first := s.syncFromEmpty(b, firm)
		for _, m := range first.metrics() {
			b.ReportMetric(m.value, m.unit)
		}
	}
}

// firstSync is what a first sync from empty took and wrote.
type firstSync struct {
	written, requests, throttled int
	wall                         time.Duration
	peakRSSKiB                   int
	historyEvents, historyBytes  int
}

type metric struct {
	value float64
	unit  string
}

func (f firstSync) metrics() []metric {
	perMinute := float64(f.written) / f.wall.Minutes()
	return []metric{
		{float64(f.written), "objects"}, {f.wall.Seconds(), "wall-s"},
		{perMinute, "writes/min"}, {perMinute / qboWriteCeiling, "of-ceiling"},
		{float64(f.throttled), "429s"}, {float64(f.requests), "qbo-requests"},
		{float64(f.peakRSSKiB) / 1024, "worker-peak-MiB"},
		{float64(f.historyEvents), "history-events"}, {float64(f.historyBytes) / 1024, "history-KiB"},
	}
}

// syncFromEmpty starts a production worker and the firm's sync, waits for its first
// cycle, and returns the run and what the first sync took (by category in the log).
func (s *stack) syncFromEmpty(b *testing.B, firm int64) (client.WorkflowRun, firstSync) {
	worker := s.productionWorker(b) // its change listener wakes the sync
	s.Sim.ResetStats(s.Realm)
	start := time.Now()
	run := s.startSync(b, firm)
	s.waitCycles(b, run, 1, 3*time.Hour)
	f := firstSync{wall: time.Since(start)}
	// What qbosync holds in QuickBooks now, from the id map: the status's counts are
	// the latest cycle's, and a change signalled during a long first cycle makes a
	// second one before the sync is idle.
	mustTB(b, s.DB.Get(&f.written, `SELECT count(*) FROM qbo_id_map WHERE firm_id = $1`, firm))
	s.logCategoryTimes(b, firm)
	stats := s.Sim.Stats(s.Realm)
	f.requests, f.throttled = stats.Requests, stats.Throttled
	f.peakRSSKiB = int(peakRSSKiB(b, worker.Process.Pid))
	f.historyEvents, f.historyBytes = s.largestHistory(b, firm)
	return run, f
}

// BenchmarkBusyLatency measures, on a synced firm whose sync is kept busy by a stream
// of invoice edits, the time from a client committed in PostgreSQL to its customer in
// QuickBooks: p50, p95 and max over QBOSYNC_BENCH_CHANGES changes (50 by default).
func BenchmarkBusyLatency(b *testing.B) {
	changes := 50
	if n, err := strconv.Atoi(os.Getenv("QBOSYNC_BENCH_CHANGES")); err == nil && n > 0 {
		changes = n
	}
	s := newStackWith(b, stackOptions{worker: false})
	firm := s.benchFirm(b, benchSize(b))
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	_, first := s.syncFromEmpty(b, firm)
	// One run of the large firm gives both figures: the first sync is logged.
	for _, m := range first.metrics() {
		b.Logf("first sync: %.4g %s", m.value, m.unit)
	}

	// Keep the sync busy: an invoice changes every 200 ms, as a firm's day does.
	var edits atomic.Int64
	go func() {
		var ids []int64
		_ = s.DB.Select(&ids, `SELECT id FROM invoices WHERE firm_id = $1 AND status = 'approved' ORDER BY id`, firm)
		for i := 0; ctx.Err() == nil && len(ids) > 0; i++ {
			_, _ = s.DB.Exec(`UPDATE invoices SET memo = 'edit ' || $2 WHERE id = $1`, ids[i%len(ids)], i)
			edits.Add(1)
			time.Sleep(200 * time.Millisecond)
		}
	}()
	b.ResetTimer()
	var took []time.Duration
	for range b.N {
		for i := range changes {
			took = append(took, addClientAndWait(b, s, firm, 90000+len(took)+i))
		}
	}
	b.StopTimer()
	reportLatencies(b, took)
	b.ReportMetric(float64(edits.Load()), "edits-meanwhile")
}

// BenchmarkIdleFirms connects QBOSYNC_BENCH_IDLE_FIRMS firms (20 by default), each to
// its own company, on one worker, lets their syncs go idle and measures for
// QBOSYNC_BENCH_IDLE_WINDOW (2m by default) with each firm's sync waking every
// QBOSYNC_BENCH_SWEEP (30s by default, to see many wakes in a short window): the
// worker's CPU per wake of one firm, projected to 1,000 firms at the production wake
// (workflows.DefaultSweepInterval) with the worker's own cost beside them, the
// worker's feed sweep over all the firms, and QuickBooks requests per firm per hour
// (the books' full check every 6 hours included, at what the warm-up's checks cost).
func BenchmarkIdleFirms(b *testing.B) {
	firms := envInt("QBOSYNC_BENCH_IDLE_FIRMS", 20)
	window := envDuration(b, "QBOSYNC_BENCH_IDLE_WINDOW", 2*time.Minute)
	sweep := envDuration(b, "QBOSYNC_BENCH_SWEEP", 30*time.Second)
	s := newStackWith(b, stackOptions{worker: false})
	worker := s.startWorkerProcess(b, "QBOSYNC_QBO_RATE_LIMITS=qbo", benchLogLevel())
	var runs []client.WorkflowRun
	var realms []string
	for i := range firms {
		name := fmt.Sprintf("Idle Firm %d", i)
		var firm int64
		mustTB(b, s.DB.Get(&firm, `INSERT INTO firms (name) VALUES ($1) RETURNING id`, name))
		_, err := s.DB.Exec(`INSERT INTO clients (firm_id, client_number, kind, name) VALUES ($1, 'C-1', 'person', $2)`, firm, name+" Client")
		mustTB(b, err)
		realm := s.Sim.AddCompany("Idle Company " + strconv.Itoa(i))
		realms = append(realms, realm)
		_, err = s.connectCompany(firm, "Idle Company "+strconv.Itoa(i))
		mustTB(b, err)
		run, err := s.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
			ID: syncapi.SyncWorkflowID(firm, realm), TaskQueue: s.Queue,
		}, workflows.SyncWorkflow, syncapi.SyncInput{FirmID: firm, RealmID: realm, SweepInterval: sweep})
		mustTB(b, err)
		runs = append(runs, run)
	}
	b.Cleanup(func() {
		for _, r := range runs {
			_ = s.Temporal.TerminateWorkflow(context.Background(), r.GetID(), "", "benchmark done")
		}
	})
	// Warm-up: every firm synced and its books checked once.
	warmRequests := 0
	for _, r := range runs {
		deadline := time.Now().Add(5 * time.Minute)
		for st := s.status(r); st.Cycles < 1 || st.Reconciliation == nil; st = s.status(r) {
			if time.Now().After(deadline) {
				b.Fatalf("firm not idle after warm-up: %+v", st)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for _, realm := range realms {
		warmRequests += s.Sim.Stats(realm).Requests
		s.Sim.ResetStats(realm)
	}
	b.ResetTimer()
	cpuBefore := cpuSeconds(b, worker.Process.Pid)
	time.Sleep(window)
	cpu := cpuSeconds(b, worker.Process.Pid) - cpuBefore
	b.StopTimer()
	requests := 0
	for _, realm := range realms {
		requests += s.Sim.Stats(realm).Requests
	}
	sweeps := window.Seconds() / sweep.Seconds()
	cpuPerFirmSweep := cpu / float64(firms) / sweeps
	b.ReportMetric(cpu/window.Seconds()*100, "worker-cpu-%")
	b.ReportMetric(cpuPerFirmSweep*1000, "cpu-ms/firm/wake")
	// The worker's feed sweep, one query per category for all firms at once.
	started := time.Now()
	if _, err := syncer.FirmsWithWork(context.Background(), s.Store); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(started).Microseconds())/1000, "feed-sweep-ms")
	// 1,000 firms each waking at the production interval: the target.
	b.ReportMetric(cpuPerFirmSweep*1000/workflows.DefaultSweepInterval.Seconds()*100, "cpu-%-1000-firms")
	perFirmHour := float64(requests)/float64(firms)/window.Hours() + float64(warmRequests)/float64(firms)/workflows.DefaultReconcileInterval.Hours()
	b.ReportMetric(perFirmHour, "qbo-req/firm/h")
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}

func envDuration(b *testing.B, key string, def time.Duration) time.Duration {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("%s: %v", key, err)
	}
	return d
}

// peakRSSKiB is a process's peak resident set (VmHWM), in KiB.
func peakRSSKiB(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	mustTB(b, err)
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			mustTB(b, err)
			return n
		}
	}
	b.Fatal("no VmHWM in /proc status")
	return 0
}

// cpuSeconds is a process's user and system CPU time so far.
func cpuSeconds(b *testing.B, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	mustTB(b, err)
	// The fields after the command name (which may hold spaces) start after ") ".
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100 // clock ticks; USER_HZ is 100 on Linux
}

// largestHistory is the event count and size of the largest workflow history of the
// firm's runs (the sync's and any backfill's).
func (s *stack) largestHistory(b *testing.B, firm int64) (events, bytes int) {
	ctx := context.Background()
	for _, id := range []string{syncapi.SyncWorkflowID(firm, s.Realm), syncapi.BackfillWorkflowID(firm, s.Realm)} {
		it := s.Temporal.GetWorkflowHistory(ctx, id, "", false, 0)
		n, size := 0, 0
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				break // no such run
			}
			n++
			size += proto.Size(e)
		}
		events, bytes = max(events, n), max(bytes, size)
	}
	return events, bytes
}

// logCategoryTimes logs how long each category's activities of the firm's first cycle
// took, from the sync's history, and how many objects of each kind the firm has.
func (s *stack) logCategoryTimes(b *testing.B, firm int64) {
	var kinds []struct {
		Kind  string `db:"kind"`
		Count int    `db:"count"`
	}
	mustTB(b, s.DB.Select(&kinds, `SELECT kind, count(*) FROM qbo_id_map WHERE firm_id = $1 GROUP BY kind ORDER BY kind`, firm))
	for _, k := range kinds {
		b.Logf("%-20s %6d objects", k.Kind, k.Count)
	}
	it := s.Temporal.GetWorkflowHistory(context.Background(), syncapi.SyncWorkflowID(firm, s.Realm), "", false, 0)
	scheduled := map[int64]string{}
	started := map[int64]time.Time{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return
		}
		if a := e.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == syncapi.SyncCategoryActivity {
			var in syncapi.SyncCategoryInput
			if p := a.GetInput().GetPayloads(); len(p) == 1 && json.Unmarshal(p[0].GetData(), &in) == nil {
				scheduled[e.GetEventId()] = in.Category
				started[e.GetEventId()] = e.GetEventTime().AsTime()
			}
		}
		if a := e.GetActivityTaskCompletedEventAttributes(); a != nil {
			if cat, ok := scheduled[a.GetScheduledEventId()]; ok {
				b.Logf("%-10s %s", cat, e.GetEventTime().AsTime().Sub(started[a.GetScheduledEventId()]).Round(time.Second))
				delete(scheduled, a.GetScheduledEventId())
			}
		}
	}
}
