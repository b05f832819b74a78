package azurite

import "syscall"

// sysProcAttr puts Azurite in its own process group (Stop kills the group:
// node and its workers) and kills it if the test binary dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
