package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// fakeRobot is a group robot for tests: an httptest server that answers
// like DingTalk, WeCom and Feishu do (HTTP 200 with the code in the body,
// by default DingTalk's and WeCom's errcode 0) and records what it got.
// answer decides each reply (n counts requests from 1); nil answers
// errcode 0. A reply with status 0 hangs until the client gives up;
// status -1 drops the connection.
type fakeRobot struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int) (status int, body string)
}

// received is one request the robot got.
type received struct {
	At   time.Time
	Body map[string]any
	Raw  string
	URL  *url.URL
}

// newFakeRobot starts a robot, closed when the test ends.
func newFakeRobot(tb testing.TB, answer func(n int) (int, string)) *fakeRobot {
	tb.Helper()
	f := &fakeRobot{answer: answer}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.Close)
	return f
}

func (f *fakeRobot) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rec := received{At: time.Now(), Raw: string(raw), URL: r.URL}
	_ = json.Unmarshal(raw, &rec.Body)
	f.mu.Lock()
	f.got = append(f.got, rec)
	n, answer := len(f.got), f.answer
	f.mu.Unlock()
	status, body := 200, `{"errcode":0,"errmsg":"ok"}`
	if answer != nil {
		status, body = answer(n)
	}
	switch status {
	case 0:
		<-r.Context().Done()
		return
	case -1:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
			}
		}
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// SetAnswer changes how the robot answers from now on.
func (f *fakeRobot) SetAnswer(answer func(n int) (int, string)) {
	f.mu.Lock()
	f.answer = answer
	f.mu.Unlock()
}

// Received is every request so far, oldest first.
func (f *fakeRobot) Received() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.got...)
}

// waitFor polls until cond holds, failing the test after a generous limit:
// it asserts eventual behaviour, never timing.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// eventsShown counts the events a DingTalk robot's messages show: a digest's
// title says how many it holds ("[3 条更新] …", "[3 updates] …"), any other
// message is one.
func eventsShown(got []received) int {
	n := 0
	for _, r := range got {
		md, _ := r.Body["markdown"].(map[string]any)
		title, _ := md["title"].(string)
		var k int
		if _, err := fmt.Sscanf(title, "[%d 条更新", &k); err == nil {
			n += k
		} else if _, err := fmt.Sscanf(title, "[%d update", &k); err == nil {
			n += k
		} else {
			n++
		}
	}
	return n
}
