package queue_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// received is one request a fake robot got.
type received struct {
	At   time.Time
	Body map[string]any
	Raw  string
	URL  *url.URL
}

// fakeRobot answers like DingTalk and WeCom do: HTTP 200 with an errcode in
// the body. answer decides each reply; nil means errcode 0. A reply with
// status 0 hangs until the client gives up; status -1 drops the connection.
type fakeRobot struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int) (status int, body string)
	notify chan struct{}
}

func newFakeRobot(tb testing.TB, answer func(n int) (int, string)) *fakeRobot {
	tb.Helper()
	f := &fakeRobot{answer: answer, notify: make(chan struct{}, 1024)}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.Close)
	return f
}

func (f *fakeRobot) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rec := received{At: time.Now(), Raw: string(raw), URL: r.URL}
	_ = json.Unmarshal(raw, &rec.Body)
	f.mu.Lock()
	n := len(f.got) + 1
	f.got = append(f.got, rec)
	f.mu.Unlock()
	status, body := 200, `{"errcode":0,"errmsg":"ok"}`
	f.mu.Lock()
	answer := f.answer
	f.mu.Unlock()
	if answer != nil {
		status, body = answer(n)
	}
	defer func() {
		select {
		case f.notify <- struct{}{}:
		default:
		}
	}()
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

// setAnswer changes how the robot answers from now on.
func (f *fakeRobot) setAnswer(answer func(n int) (int, string)) {
	f.mu.Lock()
	f.answer = answer
	f.mu.Unlock()
}

func (f *fakeRobot) received() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.got...)
}

// waitFor polls until cond holds or fails the test after a generous limit;
// it never asserts on timing, only on eventual behaviour.
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
