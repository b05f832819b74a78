// Package azurite starts Azurite, Microsoft's Azure Storage emulator, for
// tests: the npm package pinned in tools/azurite (package.json and
// package-lock.json, installed by `npm ci` there, which .ci/run does). One
// Azurite blob service per test binary, on a free loopback port with a
// temporary directory, shared by the package's tests (each takes its own
// container); TestMain calls Stop. Without node the tests skip with a
// message, except under CI=true, where they fail: CI must run them.
// Production code never imports this package.
package azurite

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// Account and Key are Azurite's well-known development account and its
// shared key (published in Azurite's README; not a secret).
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Server is a running Azurite blob service.
type Server struct {
	// Endpoint is the account's blob endpoint,
	// http://127.0.0.1:PORT/devstoreaccount1 (output.endpoint).
	Endpoint string
	cmd      *exec.Cmd
	dir      string
}

var (
	once     sync.Once
	shared   *Server
	startErr error
)

// Start returns the test binary's Azurite, starting it on first use; it
// skips t when Azurite cannot run here, or fails it under CI=true.
func Start(t testing.TB) *Server {
	t.Helper()
	once.Do(func() { shared, startErr = start() })
	if startErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Azurite is required under CI=true: %v", startErr)
		}
		t.Skipf("Azurite not available (%v); install it with: cd tools/azurite && npm ci", startErr)
	}
	return shared
}

// Stop ends the shared Azurite, if one was started, and removes its files.
func Stop() {
	if shared == nil {
		return
	}
	syscall.Kill(-shared.cmd.Process.Pid, syscall.SIGKILL)
	shared.cmd.Wait()
	os.RemoveAll(shared.dir)
}

// startTimeout bounds Azurite's start: about 1 s on an idle machine, but
// node's start-up took 28 s on a 2-core machine at load 18.
const startTimeout = 2 * time.Minute

var listensRE = regexp.MustCompile(`listens on (http://127\.0\.0\.1:\d+)`)

func start() (*Server, error) {
	if _, err := exec.LookPath("node"); err != nil {
		return nil, fmt.Errorf("no node on PATH")
	}
	bin, err := binary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "azurite-*")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", dir,
		"--skipApiVersionCheck", "--loose", "--disableTelemetry")
	cmd.SysProcAttr = sysProcAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	found := make(chan string, 1)
	var lines []string
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listensRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				io.Copy(io.Discard, out) // the access log
				return
			}
			lines = append(lines, sc.Text())
		}
		close(found)
	}()
	select {
	case base, ok := <-found:
		if ok {
			return &Server{Endpoint: base + "/" + Account, cmd: cmd, dir: dir}, nil
		}
		err = fmt.Errorf("azurite exited: %v", lines)
	case <-time.After(startTimeout):
		err = fmt.Errorf("azurite did not listen within %s", startTimeout)
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	os.RemoveAll(dir)
	return nil, err
}

// binary finds tools/azurite/node_modules/.bin/azurite-blob above the
// working directory (a test runs in its package's directory).
func binary() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			bin := filepath.Join(d, "tools", "azurite", "node_modules", ".bin", "azurite-blob")
			if _, err := os.Stat(bin); err != nil {
				return "", fmt.Errorf("%s is not installed", bin)
			}
			return bin, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}

// Container creates a new, uniquely named container for one test and
// returns its name.
func (s *Server) Container(t testing.TB) string {
	t.Helper()
	c, err := s.client()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "t" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.CreateContainer(ctx, name, nil); err != nil {
		t.Fatalf("creating container %s: %v", name, err)
	}
	return name
}

// Client is a client of the account, for tests that read what was
// published.
func (s *Server) Client(t testing.TB) *azblob.Client {
	t.Helper()
	c, err := s.client()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *Server) client() (*azblob.Client, error) {
	key, err := azblob.NewSharedKeyCredential(Account, Key)
	if err != nil {
		return nil, err
	}
	return azblob.NewClientWithSharedKeyCredential(s.Endpoint+"/", key, nil)
}
