package e2e_test

import (
	"context"
	"encoding/base64"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/workflows"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// startWorkerProcess runs the real worker binary against the test's stack, so a test
// can kill it the hard way (or a benchmark measure it). env adds or overrides
// settings (KEY=value; the last of a key wins).
func (s *stack) startWorkerProcess(t testing.TB, env ...string) *exec.Cmd {
	t.Helper()
	return startProcess(t, buildBinary(t, "./worker"), nil, os.Stderr, append(s.processEnv(), env...))
}

// buildBinary builds one of the repository's commands (./worker, ./starter).
func buildBinary(t testing.TB, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	build := exec.Command("go", "build", "-o", bin, pkg)
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// processEnv is the environment that points a qbosync process at the test's stack.
func (s *stack) processEnv() []string {
	return append(os.Environ(),
		"QBOSYNC_DATABASE_URL="+s.DBURL,
		"QBOSYNC_TEMPORAL_ADDRESS="+s.TemporalAddr,
		"QBOSYNC_TEMPORAL_TASK_QUEUE="+s.Queue,
		"QBOSYNC_QBO_API_BASE_URL="+s.qbo.APIBaseURL,
		"QBOSYNC_QBO_AUTH_URL="+s.qbo.AuthURL,
		"QBOSYNC_QBO_TOKEN_URL="+s.qbo.TokenURL,
		"QBOSYNC_QBO_REVOKE_URL="+s.qbo.RevokeURL,
		"QBOSYNC_QBO_CLIENT_ID="+s.qbo.ClientID,
		"QBOSYNC_QBO_CLIENT_SECRET="+s.qbo.ClientSecret,
		"QBOSYNC_SECRETS_KEY="+base64.StdEncoding.EncodeToString(s.key),
		"QBOSYNC_SYNC_PAGE_SIZE=20",
		"QBOSYNC_QBO_RATE_LIMITS=none",
		"QBOSYNC_LOG_LEVEL=warn",
	)
}

// startProcess starts bin with args and env, its output to out, and kills it when the
// test ends.
func startProcess(t testing.TB, bin string, args []string, out io.Writer, env []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	dieWithTest(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	return cmd
}

// A worker killed (SIGKILL) in the middle of a backfill leaves nothing missing and
// nothing duplicated: another worker picks the backfill up where the dead one's last
// heartbeat left it.
func TestBackfillSurvivesAKilledWorker(t *testing.T) {
	s := newStackWith(t, stackOptions{worker: false})
	const clients = 700
	firm := s.bulkFirm("Backfill LLP", "Backfill", clients)
	// Records that existed before qbosync was installed: no change-feed rows.
	_, err := s.DB.Exec(`DELETE FROM pms_changes WHERE firm_id = $1`, firm)
	must(t, err)
	s.connect(firm)

	proc := s.startWorkerProcess(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: syncapi.SyncWorkflowID(firm, s.Realm), TaskQueue: s.Queue},
		workflows.SyncWorkflow, syncapi.SyncInput{FirmID: firm, RealmID: s.Realm, SweepInterval: time.Hour})
	must(t, err)
	must(t, s.Temporal.SignalWorkflow(ctx, run.GetID(), "", syncapi.BackfillSignal, pms.BackfillFilter{Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}))

	// Kill the worker once a good part of the backfill is in QBO.
	waitFor(t, "the backfill to get going", func() bool { return len(s.customers().byMarker) >= 300 })
	must(t, proc.Process.Signal(syscall.SIGKILL))
	_, _ = proc.Process.Wait()
	killedAt := len(s.customers().byMarker)
	s.startWorker()

	var progress syncapi.BackfillProgress
	backfill := s.Temporal.GetWorkflow(ctx, syncapi.BackfillWorkflowID(firm, s.Realm), "")
	must(t, backfill.Get(ctx, &progress))
	recordHistory(t, s.Temporal, backfill, "backfill_killed_worker_v4")
	waitFor(t, "the cycle after the backfill", func() bool { return s.status(run).Status == syncapi.StatusIdle && s.status(run).Backfill != nil })
	must(t, s.Temporal.TerminateWorkflow(ctx, run.GetID(), run.GetRunID(), "test done"))
	recordHistory(t, s.Temporal, run, "sync_with_backfill_v5")
	if killedAt >= 2*clients {
		t.Fatalf("the backfill had finished (%d objects) before the worker was killed; the test proves nothing", killedAt)
	}

	s.checkExactlyOnce(firm)
	handled, total := progress.Handled()
	if !progress.Done || total != 2*clients || handled != total {
		t.Errorf("progress = %d of %d handled, done %v; want all %d", handled, total, progress.Done, 2*clients)
	}
	t.Logf("killed with %d of %d objects in QBO; finished with all, none twice", killedAt, 2*clients)
}
