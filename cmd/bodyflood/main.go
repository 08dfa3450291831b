// Command bodyflood measures what hostile clients cost the relay: it starts
// the relay binary with RELAY_CODING_TOKEN set (every body must be signed)
// and a robot that is never reached, then
//
//   - opens -c connections that each send an unsigned body of -size bytes,
//     -rounds times over (with -stall: all but its last byte, then nothing
//     until the relay gives up on it);
//   - or, with -idle N, opens N keep-alive connections that each make one
//     request and then stay open, idle;
//
// and reports the answers, the relay's peak RSS during the flood and its RSS
// once the flood is over (-settle later). With -signed N it also posts N
// correctly signed webhooks, one after another, while the flood is in place
// (from -sender-ip, the flood coming from -flood-ip) and reports their
// answers and when the first was accepted.
//
//	go build -o /tmp/coding-relay ./cmd/coding-relay
//	go run ./cmd/bodyflood -relay /tmp/coding-relay -c 100 -size 5MiB
//	go run ./cmd/bodyflood -relay /tmp/coding-relay -c 16 -size 1MiB -stall -signed 40
//	go run ./cmd/bodyflood -relay /tmp/coding-relay -idle 6000 -signed 10
//
// Extra relay settings go in the environment (RELAY_MAX_BODY=5MiB,
// GOMEMLIMIT=115MiB …); they are passed on.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
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
	stall := flag.Bool("stall", false, "send all but the last byte of each body, then nothing")
	idle := flag.Int("idle", 0, "instead of bodies: keep this many connections open and idle after one request each")
	signed := flag.Int("signed", 0, "signed webhooks to post one after another during the flood")
	floodIP := flag.String("flood-ip", "127.0.0.1", "loopback address the flood comes from")
	senderIP := flag.String("sender-ip", "127.0.0.1", "loopback address the signed webhooks come from")
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
	cmd.Env = append(os.Environ(), "RELAY_ADDR="+addr, "RELAY_DATA_DIR="+dir, "RELAY_CODING_TOKEN="+floodToken,
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

	statuses := map[int]int{}
	var mu sync.Mutex
	count := func(st int) {
		mu.Lock()
		statuses[st]++
		mu.Unlock()
	}
	var wg sync.WaitGroup
	start := time.Now()
	client := clientFrom(*floodIP, 2*time.Minute)
	switch {
	case *idle > 0:
		var held []net.Conn
		for range *idle {
			c, st := idleConn(addr, *floodIP)
			count(st)
			if c != nil {
				held = append(held, c)
			}
		}
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		*conns, *rounds, size = *idle, 1, 0
	default:
		body := bytes.Repeat([]byte("a"), int(size))
		copy(body, `{"x":"`)
		for range *conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range *rounds {
					if *stall {
						count(stalledPost(addr, *floodIP, body))
						continue
					}
					req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/webhook", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Coding-Event", "push")
					st := -1
					if resp, err := client.Do(req); err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						_ = resp.Body.Close()
						st = resp.StatusCode
					}
					count(st)
				}
			}()
		}
	}
	if *signed > 0 {
		time.Sleep(time.Second) // let the flood take hold
		sent := time.Now()
		answers, first := postSigned(base, *senderIP, *signed)
		fmt.Printf("%d signed webhooks from %s during the flood: answers %s; first 202 after %s\n", *signed, *senderIP, answers, first(sent))
	}
	wg.Wait()
	took := time.Since(start)
	peak := rss(cmd.Process.Pid, "VmHWM")
	during := rss(cmd.Process.Pid, "VmRSS")
	time.Sleep(*settle)
	after := rss(cmd.Process.Pid, "VmRSS")

	what := fmt.Sprintf("%d connections × %d bodies of %d bytes", *conns, *rounds, size)
	if *idle > 0 {
		what = fmt.Sprintf("%d idle keep-alive connections", *idle)
	} else if *stall {
		what += " (stalled before the last byte)"
	}
	fmt.Printf("%s from %s in %s: answers %s (-1: no answer)\n", what, *floodIP, took.Round(time.Millisecond), summary(statuses))
	fmt.Printf("relay RSS: %.0f MiB before, peak %.0f MiB, %.0f MiB at the end of the flood, %.0f MiB %s after\n", mib(before), mib(peak), mib(during), mib(after), *settle)
	return nil
}

// floodToken is RELAY_CODING_TOKEN of the relay under test.
const floodToken = "flood-token"

// clientFrom is an HTTP client whose connections come from the loopback
// address ip.
func clientFrom(ip string, timeout time.Duration) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 1000}}
}

// idleConn opens a connection, makes one request on it and leaves it open;
// it returns the answer's status (-1: none) and the connection.
func idleConn(addr, ip string) (net.Conn, int) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, -1
	}
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		_ = c.Close()
		return nil, -1
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	_ = c.SetReadDeadline(time.Time{})
	return c, resp.StatusCode
}

// stalledPost sends an unsigned body but its last byte, then nothing, and
// returns the answer's status (-1: none within two minutes).
func stalledPost(addr, ip string, body []byte) int {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return -1
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /webhook HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nX-Coding-Event: push\r\nContent-Length: %d\r\n\r\n", len(body))
	go func() { _, _ = c.Write(body[:len(body)-1]) }() // the relay may stop reading
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Minute))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return -1
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// postSigned posts n signed pushes one after another and returns the
// answers and a function telling when the first 202 came after start.
func postSigned(base, ip string, n int) (string, func(time.Time) string) {
	client := clientFrom(ip, 30*time.Second)
	statuses := map[int]int{}
	var firstOK time.Time
	for i := range n {
		body := fmt.Appendf(nil, `{"ref":"refs/heads/main","after":"%040d","commits":[],"repository":{"name":"demo"},"sender":{"login":"tom"}}`, i)
		req, _ := http.NewRequest(http.MethodPost, base+"/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Coding-Event", "push")
		req.Header.Set("X-Coding-Delivery", fmt.Sprint("signed-", i))
		m := hmac.New(sha1.New, []byte(floodToken))
		m.Write(body)
		req.Header.Set("X-Coding-Signature", "sha1="+hex.EncodeToString(m.Sum(nil)))
		st := -1
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			st = resp.StatusCode
		}
		if st == http.StatusAccepted && firstOK.IsZero() {
			firstOK = time.Now()
		}
		statuses[st]++
	}
	return summary(statuses), func(start time.Time) string {
		if firstOK.IsZero() {
			return "never"
		}
		return firstOK.Sub(start).Round(10 * time.Millisecond).String()
	}
}

func summary(statuses map[int]int) string {
	var codes []int
	for c := range statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", statuses[c], c))
	}
	return strings.Join(parts, " ")
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
