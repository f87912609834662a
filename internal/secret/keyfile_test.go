package secret_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/qbosync/qbosync/internal/secret"
)

// childKeyFile, when set, makes the test binary a child of
// TestLoadKeyProcessesStartingTogetherAgreeOnOneKey: it loads the key from that file,
// generating it if need be, prints it and exits.
const childKeyFile = "QBOSYNC_SECRET_TEST_KEY_FILE"

func TestMain(m *testing.M) {
	if file := os.Getenv(childKeyFile); file != "" {
		os.Exit(loadKeyAsChild(file))
	}
	os.Exit(m.Run())
}

// loadKeyAsChild waits for its standard input to close, the signal that every sibling
// has started, so that all of them reach LoadKey together.
func loadKeyAsChild(file string) int {
	_, _ = io.Copy(io.Discard, os.Stdin)
	key, err := secret.LoadKey("", file, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(base64.StdEncoding.EncodeToString(key))
	return 0
}

// Two processes starting on a fresh checkout (bin/worker and bin/starter demo) both
// find no key file and both generate one; they must end up with the same key, and
// neither may read the other's file before its key is in it.
func TestLoadKeyProcessesStartingTogetherAgreeOnOneKey(t *testing.T) {
	const rounds, processes = 20, 20
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for round := range rounds {
		file := filepath.Join(t.TempDir(), "home", "secret.key")
		cmds := make([]*exec.Cmd, processes)
		outs := make([]*bytes.Buffer, processes)
		starts := make([]io.WriteCloser, processes)
		for i := range cmds {
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), childKeyFile+"="+file)
			outs[i] = new(bytes.Buffer)
			cmd.Stdout, cmd.Stderr = outs[i], outs[i]
			if starts[i], err = cmd.StdinPipe(); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds[i] = cmd
		}
		for _, s := range starts {
			s.Close()
		}
		keys := map[string]int{}
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Errorf("round %d, process %d: %v: %s", round, i, err, outs[i])
				continue
			}
			keys[strings.TrimSpace(outs[i].String())]++
		}
		if len(keys) > 1 {
			t.Errorf("round %d: %d processes disagree on the key: %v", round, processes, keys)
		}
		assertOnlyTheKeyFile(t, file)
		if t.Failed() {
			return
		}
	}
}

// The same race within one process; cheaper, so it runs more rounds, which makes it
// the more reliable of the two at catching a half-written key file.
func TestLoadKeyGoroutinesStartingTogetherAgreeOnOneKey(t *testing.T) {
	for round := range 200 {
		file := filepath.Join(t.TempDir(), "secret.key")
		const n = 20
		keys := make([][]byte, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				keys[i], errs[i] = secret.LoadKey("", file, true)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d, goroutine %d: %v", round, i, errs[i])
			}
			if !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: goroutines %d and 0 got different keys", round, i)
			}
		}
		assertOnlyTheKeyFile(t, file)
	}
}

// assertOnlyTheKeyFile checks that generating left no temporary file beside the key.
func assertOnlyTheKeyFile(t *testing.T, file string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != filepath.Base(file) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the key's folder holds %v, want only %s", names, filepath.Base(file))
	}
}
