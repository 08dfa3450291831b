package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clientFrom is an HTTP client whose connections come from the loopback
// address ip (all of 127.0.0.0/8 is loopback), so the relay sees it as a
// client of its own.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// One client holding bodies it never finishes (all but the last byte, then
// nothing) gets only its share of RELAY_BODY_BUDGET: signed webhooks from
// other clients are all accepted meanwhile, none refused with 503.
func TestOneClientCannotStarveOthersOfTheBodyBudget(t *testing.T) {
	const (
		maxBody  = 128 << 10
		budget   = 1 << 20
		stalling = 8 // together the whole budget
	)
	r := newTestRelay(t, map[string]string{
		"RELAY_CODING_TOKEN": "tok", "RELAY_MAX_BODY": fmt.Sprint(maxBody), "RELAY_BODY_BUDGET": fmt.Sprint(budget),
		"RELAY_ROBOTS": "dingtalk+" + newFakeRobot(t, nil).URL + "/robot/send?access_token=T",
	})
	attacker := clientFrom("127.0.0.2")
	var refused atomic.Int32
	var wg sync.WaitGroup
	var writers []*io.PipeWriter
	for range stalling {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/webhook", pr)
		req.ContentLength = maxBody
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Coding-Event", "push")
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _ = pw.Write([]byte(`{"x":"` + strings.Repeat("a", maxBody-7)))
		}()
		go func() {
			defer wg.Done()
			if resp, err := attacker.Do(req); err == nil {
				if resp.StatusCode == http.StatusServiceUnavailable {
					refused.Add(1)
				}
				resp.Body.Close()
			}
			_ = pr.CloseWithError(io.ErrClosedPipe)
		}()
	}
	defer wg.Wait()
	defer func() {
		for _, pw := range writers {
			_ = pw.CloseWithError(io.ErrUnexpectedEOF)
		}
	}()
	// The attack is in place once it holds the whole budget, or once the
	// relay refused its bodies beyond its share.
	waitFor(t, "the stalled bodies to hold the budget or be refused", func() bool {
		return gauge(t, r.reg, "relay_intake_body_bytes") == budget || refused.Load() > 0
	})
	sender := clientFrom("127.0.0.3")
	hdr := map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push", "X-Coding-Signature": sign("tok", pushPayload)}
	statuses := make([]int, 10)
	var senders sync.WaitGroup
	for i := range statuses {
		senders.Add(1)
		go func() {
			defer senders.Done()
			req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/webhook", strings.NewReader(pushPayload))
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			req.Header.Set("X-Coding-Delivery", fmt.Sprint("fair-", i))
			if resp, err := sender.Do(req); err == nil {
				statuses[i] = resp.StatusCode
				resp.Body.Close()
			}
		}()
	}
	senders.Wait()
	for i, st := range statuses {
		if st != http.StatusAccepted {
			t.Errorf("signed webhook %d from another client during the stall: %d, want 202", i, st)
		}
	}
	if used := gauge(t, r.reg, "relay_intake_body_bytes"); used > budget/2 {
		t.Errorf("the stalling client holds %v bytes of a %d budget", used, budget)
	}
}

// serve runs the relay's own server (its deadlines and connection limit)
// on a loopback listener until the test ends, and returns its address.
func (r *testRelay) serve(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.server.Serve(ctx, ln, time.Second) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Error(err)
		}
	})
	return ln.Addr().String()
}

// Connections left open after one request each are closed, the longest
// idle first, once the relay has 1,024 open: its memory stays bounded, and
// a webhook sender's new connection is served at once.
func TestIdleConnectionsAreBounded(t *testing.T) {
	const limit, extra = 1024, 64
	r := newTestRelay(t, map[string]string{"RELAY_CODING_TOKEN": "tok",
		"RELAY_ROBOTS": "dingtalk+" + newFakeRobot(t, nil).URL + "/robot/send?access_token=T"})
	addr := r.serve(t)
	var closed atomic.Int32
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	for i := range limit + extra {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		t.Cleanup(func() { _ = c.Close() })
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		go func() {
			if _, err := br.ReadByte(); err != nil { // the relay closed it
				closed.Add(1)
			}
		}()
	}
	waitFor(t, "the longest idle connections to be closed", func() bool { return closed.Load() >= extra })
	if n := gauge(t, r.reg, "relay_http_connections"); n > limit {
		t.Errorf("%v connections open, limit %d", n, limit)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhook", strings.NewReader(pushPayload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Coding-Event", "push")
	req.Header.Set("X-Coding-Signature", sign("tok", pushPayload))
	resp, err := clientFrom("127.0.0.3").Do(req)
	if err != nil {
		t.Fatalf("a sender at the limit: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("a sender at the limit: %d, want 202", resp.StatusCode)
	}
}
