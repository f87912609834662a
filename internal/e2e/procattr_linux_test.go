package e2e_test

import (
	"os/exec"
	"syscall"
)

// dieWithTest has the kernel kill cmd when the test binary dies: a benchmark stopped
// with a signal runs no cleanup, and its worker went on syncing into a database no one
// reads, on the same two cores as the next run.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
