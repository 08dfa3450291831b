// Command bodyflood measures what unauthenticated webhook bodies cost the
// relay's memory: it starts the relay binary with RELAY_CODING_TOKEN set
// (every body must be signed) and a robot that is never reached, opens -c
// connections that each send an unsigned body of -size bytes, -rounds
// times over, and reports the answers, the relay's peak RSS during the
// flood and its RSS once the flood is over (-settle later).
//
//	go build -o /tmp/coding-relay ./cmd/coding-relay
//	go run ./cmd/bodyflood -relay /tmp/coding-relay -c 100 -size 5MiB
//
// Extra relay settings go in the environment (RELAY_MAX_BODY=5MiB,
// GOMEMLIMIT=115MiB …); they are passed on.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bodyflood:", err)
		os.Exit(1)
	}
}

func run() error {
	relay := flag.String("relay", "", "path of the coding-relay binary (required)")
	conns := flag.Int("c", 100, "connections sending at once")
	rounds := flag.Int("rounds", 1, "bodies each connection sends, one after another")
	sizeFlag := flag.String("size", "5MiB", "size of each body (bytes, or with KiB, MiB)")
	settle := flag.Duration("settle", 30*time.Second, "how long after the flood the settled RSS is read")
	flag.Parse()
	if *relay == "" {
		return errors.New("-relay is required")
	}
	size, err := parseSize(*sizeFlag)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	dir, err := os.MkdirTemp("", "bodyflood")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command(*relay)
	cmd.Env = append(os.Environ(), "RELAY_ADDR="+addr, "RELAY_DATA_DIR="+dir, "RELAY_CODING_TOKEN=flood-token",
		"RELAY_ROBOTS=dingtalk+http://127.0.0.1:9/robot/send?access_token=flood", "RELAY_LOG_LEVEL=error")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	base := "http://" + addr
	if err := waitUp(base + "/readyz"); err != nil {
		return err
	}
	before := rss(cmd.Process.Pid, "VmRSS")

	body := bytes.Repeat([]byte("a"), int(size))
	copy(body, `{"x":"`)
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 2 * time.Minute}
			for range *rounds {
				req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/webhook", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Coding-Event", "push")
				st := -1
				if resp, err := client.Do(req); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					st = resp.StatusCode
				}
				mu.Lock()
				statuses[st]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	peak := rss(cmd.Process.Pid, "VmHWM")
	time.Sleep(*settle)
	after := rss(cmd.Process.Pid, "VmRSS")

	var codes []int
	for c := range statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", statuses[c], c))
	}
	fmt.Printf("%d connections × %d bodies of %d bytes in %s: answers %s (-1: no answer)\n", *conns, *rounds, size, took.Round(time.Millisecond), strings.Join(parts, " "))
	fmt.Printf("relay RSS: %.0f MiB before, peak %.0f MiB, %.0f MiB %s after\n", mib(before), mib(peak), mib(after), *settle)
	return nil
}

func waitUp(u string) error {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(u); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("%s did not come up", u)
}

// rss reads a size field (VmRSS, VmHWM) of /proc/<pid>/status in bytes.
func rss(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, v, ok := strings.Cut(line, ":"); ok && name == field {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"MiB": 1 << 20, "KiB": 1 << 10} {
		if strings.HasSuffix(s, suffix) {
			s, mult = strings.TrimSuffix(s, suffix), m
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("-size %q: bytes, or a number with KiB or MiB", s)
	}
	return n * mult, nil
}
