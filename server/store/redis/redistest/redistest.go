// Package redistest runs a private redis-server (free loopback port, own dir,
// AOF) for tests and loadgen; if missing, tests skip unless RELAY_REQUIRE_REDIS.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Server is one redis-server process.
type Server struct {
	// Addr is host:port; URL is redis://Addr/0.
	Addr, URL string
	dir       string
	args      []string // the command line, redis-server first
	mu        sync.Mutex
	cmd       *exec.Cmd
	exited    chan struct{}
}

// Start runs a redis-server for tb, appendfsync always (acks survive kill -9),
// plus extra arguments; it is killed when the test ends.
func Start(tb testing.TB, extra ...string) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("RELAY_REQUIRE_REDIS") != "" {
			tb.Fatalf("redis-server is not installed but RELAY_REQUIRE_REDIS is set: apt-get install -y redis-server")
		}
		tb.Skip("redis-server is not installed (apt-get install -y redis-server); skipping the Redis tests")
	}
	s, err := Launch(bin, tb.TempDir(), append([]string{"--appendfsync", "always"}, extra...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Kill)
	return s
}

// Launch runs bin on a free loopback port in dir, AOF on, no RDB, and waits for it.
func Launch(bin, dir string, extra ...string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := append([]string{bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--appendonly", "yes", "--save", "", "--daemonize", "no", "--protected-mode", "yes",
		"--logfile", filepath.Join(dir, "redis.log")}, extra...)
	s := &Server{Addr: addr, URL: "redis://" + addr + "/0", dir: dir, args: args}
	return s, s.Restart()
}

// Restart starts the server again on its port and AOF, after Kill or Stop.
func (s *Server) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("redistest: already running")
	}
	var err error
	// The port may still be in TIME_WAIT or briefly taken: try a few times.
	for range 20 {
		cmd := exec.Command(s.args[0], s.args[1:]...)
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("redistest: starting redis-server: %w", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		if err = waitPing(s.Addr, exited); err == nil {
			s.cmd, s.exited = cmd, exited
			return nil
		}
		_ = cmd.Process.Kill()
		<-exited
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	return fmt.Errorf("redistest: redis-server did not come up on %s: %w\n%s", s.Addr, err, log)
}

// Pid is the running server's process ID.
func (s *Server) Pid() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0, errors.New("redistest: not running")
	}
	return s.cmd.Process.Pid, nil
}

// Kill stops the server with SIGKILL, as a crash would.
func (s *Server) Kill() { s.stop(syscall.SIGKILL) }

// Stop stops the server with SIGTERM and waits for it to exit.
func (s *Server) Stop() { s.stop(syscall.SIGTERM) }

func (s *Server) stop(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(sig)
	<-s.exited
	s.cmd = nil
}

// Do sends one command (CONFIG SET, ACL SETUSER) and returns its reply.
func (s *Server) Do(args ...string) (string, error) {
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr})
	defer c.Close()
	cmd := make([]any, len(args))
	for i, a := range args {
		cmd[i] = a
	}
	v, err := c.Do(context.Background(), cmd...).Result()
	return fmt.Sprint(v), err
}

func waitPing(addr string, exited <-chan struct{}) error {
	c := goredis.NewClient(&goredis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			return errors.New("redis-server exited")
		default:
		}
		// NOAUTH: up, with --requirepass.
		if err := c.Ping(context.Background()).Err(); err == nil || strings.HasPrefix(err.Error(), "NOAUTH") {
			return nil
		}
	}
	return errors.New("no answer to PING")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
