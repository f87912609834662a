// Package scripts_test runs the scripts that start and stop the local stack, against
// a Temporal dev server on free ports and a home folder of the test's own.
package scripts_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/temporaltest"
)

// stack is one test's environment for scripts/temporal.sh.
type stack struct {
	t        *testing.T
	home     string
	addr, ui string // the frontend, and the Web UI 1000 ports up
	env      []string
}

func newStack(t *testing.T) *stack {
	addr, ui := freeAddrs(t)
	s := &stack{t: t, home: t.TempDir(), addr: addr, ui: ui}
	s.env = append(os.Environ(), "QBOSYNC_HOME="+s.home, "QBOSYNC_TEMPORAL_ADDRESS="+addr)
	return s
}

// withCLI lets the scripts run the Temporal CLI the tests use, never installing one.
func (s *stack) withCLI() *stack {
	s.env = append(s.env, "TEMPORAL_CLI="+temporaltest.CLI(s.t))
	s.t.Cleanup(func() { s.temporal("stop") })
	return s
}

// temporal runs scripts/temporal.sh with the argument and returns what it printed
// and whether it succeeded.
func (s *stack) temporal(arg string) (string, bool) {
	cmd := exec.Command("./temporal.sh", arg)
	cmd.Env = s.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err == nil
}

func (s *stack) mustTemporal(arg string) {
	s.t.Helper()
	if out, ok := s.temporal(arg); !ok {
		s.t.Fatalf("temporal.sh %s failed:\n%s", arg, out)
	}
}

// serverPid is the pid in the Temporal pid file.
func (s *stack) serverPid() int {
	s.t.Helper()
	data, err := os.ReadFile(filepath.Join(s.home, "temporal.pid"))
	if err != nil {
		s.t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(data), "\n", 2)[0])
	if err != nil {
		s.t.Fatalf("temporal.pid: %v", err)
	}
	return pid
}

// Stopping the dev server used to kill it and return at once; a start straight after
// found its port still open or its SQLite database still locked, and `make demo` run
// twice in a row failed about one time in two.
func TestTemporalStopReturnsOnceTheServerIsGoneSoAStartStraightAfterSucceeds(t *testing.T) {
	s := newStack(t).withCLI()
	s.mustTemporal("start")
	first := s.serverPid()
	s.mustTemporal("stop")
	if running(first) {
		t.Errorf("temporal.sh stop returned while the server (pid %d) still ran", first)
	}
	for _, addr := range []string{s.addr, s.ui} {
		if listening(addr) {
			t.Errorf("temporal.sh stop returned while %s was still taken", addr)
		}
	}
	if _, err := os.Stat(filepath.Join(s.home, "temporal.pid")); !os.IsNotExist(err) {
		t.Errorf("the pid file is still there after stop (%v)", err)
	}
	s.mustTemporal("start")
	if second := s.serverPid(); second == first || !running(second) {
		t.Errorf("the second start did not start a server of its own (pids %d, then %d)", first, second)
	}
	log, _ := os.ReadFile(filepath.Join(s.home, "temporal.log"))
	if bytes.Contains(log, []byte("SQLITE_BUSY")) {
		t.Errorf("the restarted server found its database locked:\n%s", log)
	}
}

// A pid file outlives its process; by then the pid may belong to anything else.
func TestTemporalStopLeavesAPidGivenToAnotherProcessAlone(t *testing.T) {
	s := newStack(t)
	other := exec.Command("sleep", "60")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Process.Kill(); other.Wait() })
	stale := fmt.Sprintf("%d\ntemporal\nserver\nstart-dev\n", other.Process.Pid)
	pidfile := filepath.Join(s.home, "temporal.pid")
	if err := os.WriteFile(pidfile, []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	s.mustTemporal("stop")
	if !running(other.Process.Pid) {
		t.Error("temporal.sh stop killed a process it had not started")
	}
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Errorf("the stale pid file is still there (%v)", err)
	}
}

func TestTemporalStartNamesWhatHoldsItsPortAndHowToStopIt(t *testing.T) {
	s := newStack(t).withCLI()
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	out, ok := s.temporal("start")
	if ok {
		t.Fatalf("start succeeded with %s taken by something that is not Temporal:\n%s", s.addr, out)
	}
	me := os.Getpid()
	for _, want := range []string{s.addr + " is taken", fmt.Sprintf("pid %d", me), fmt.Sprintf("kill %d", me)} {
		if !strings.Contains(out, want) {
			t.Errorf("start's message lacks %q:\n%s", want, out)
		}
	}
}

// running reports whether pid runs (a zombie's command line is empty).
func running(pid int) bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && len(cmdline) > 0
}

func listening(addr string) bool {
	c, err := net.Dial("tcp", addr)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// freeAddrs finds a free port whose neighbour 1000 up, the dev server's Web UI, is
// free too.
func freeAddrs(t *testing.T) (addr, ui string) {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		ui = fmt.Sprintf("127.0.0.1:%d", port+1000)
		l2, err := net.Listen("tcp", ui)
		l.Close()
		if err == nil {
			l2.Close()
			return l.Addr().String(), ui
		}
	}
	t.Fatal("no free pair of ports 1000 apart")
	return "", ""
}
