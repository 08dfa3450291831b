package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// gauge reads a gauge without labels from reg.
func gauge(tb testing.TB, reg *prometheus.Registry, name string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	tb.Fatalf("no gauge %s", name)
	return 0
}

// TestBodiesInFlightStayWithinTheBudget holds many unsigned bodies open at
// once, each half sent: the relay reads only what the budget allows, refuses
// the rest with 503 and a JSON error instead of growing, and gives the
// memory back when the clients finish.
func TestBodiesInFlightStayWithinTheBudget(t *testing.T) {
	const (
		clients = 24
		maxBody = 256 << 10
		budget  = 1 << 20
	)
	r := newTestRelay(t, map[string]string{
		"RELAY_CODING_TOKEN": "tok", "RELAY_MAX_BODY": fmt.Sprint(maxBody), "RELAY_BODY_BUDGET": fmt.Sprint(budget),
		"RELAY_ROBOTS": "dingtalk+http://127.0.0.1:1/robot/send?access_token=T",
	})
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	var refused, answered atomic.Int32
	var wg sync.WaitGroup
	writers := make([]*io.PipeWriter, clients)
	statuses := make(chan int, clients)
	for i := range clients {
		pr, pw := io.Pipe()
		writers[i] = pw
		req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/webhook", pr)
		req.ContentLength = maxBody
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Coding-Event", "push")
		wg.Add(2)
		go func() {
			defer wg.Done()
			// Half the body, then nothing until the test lets go.
			_, _ = pw.Write([]byte(`{"x":"` + strings.Repeat("a", maxBody/2)))
		}()
		go func() {
			defer wg.Done()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			var e struct{ Error string }
			_ = json.NewDecoder(resp.Body).Decode(&e)
			if resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(e.Error, "too many webhook bodies") {
				refused.Add(1)
			}
			answered.Add(1)
			statuses <- resp.StatusCode
			_ = pr.CloseWithError(io.ErrClosedPipe) // stop this client's writer
		}()
	}
	t.Cleanup(func() {
		for _, pw := range writers {
			_ = pw.CloseWithError(io.ErrUnexpectedEOF)
		}
	})
	// A body half read holds five 32 KiB chunks (160 KiB), so at most six
	// fit the budget: the others are refused.
	waitFor(t, "the requests over the budget to be refused", func() bool {
		return refused.Load() >= clients-6 && answered.Load() == refused.Load()
	})
	if used := gauge(t, r.reg, "relay_intake_body_bytes"); used > budget || used == 0 {
		t.Errorf("bodies hold %v bytes of a %d budget", used, budget)
	}
	if b := gauge(t, r.reg, "relay_intake_body_budget_bytes"); b != budget {
		t.Errorf("relay_intake_body_budget_bytes = %v, want %d", b, budget)
	}
	var during runtime.MemStats
	runtime.ReadMemStats(&during)
	// The clients' own half bodies sit in pipes, not buffers: the growth
	// is the relay's reads (within the budget) plus slack for the runtime.
	if grew := int64(during.HeapInuse) - int64(before.HeapInuse); grew > budget+8<<20 {
		t.Errorf("heap grew by %d bytes holding %d bodies with a %d budget", grew, clients, budget)
	}
	for _, pw := range writers {
		_ = pw.CloseWithError(io.ErrUnexpectedEOF)
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusServiceUnavailable && st != http.StatusBadRequest && st != http.StatusUnauthorized {
			t.Errorf("status %d", st)
		}
	}
	waitFor(t, "the budget to be given back", func() bool { return gauge(t, r.reg, "relay_intake_body_bytes") == 0 })
	// With the budget free again, a signed webhook is accepted.
	if a := r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push",
		"X-Coding-Signature": sign("tok", pushPayload)}, pushPayload); a.status != http.StatusAccepted {
		t.Errorf("after the burst: %v", a)
	}
}

// TestSlowBodyGetsAFixedAnswer: a body that does not arrive before the read
// deadline is answered 408 with a fixed text, never socket addresses.
func TestSlowBodyGetsAFixedAnswer(t *testing.T) {
	r := newTestRelay(t, map[string]string{})
	ts := httptest.NewUnstartedServer(r.handler)
	ts.Config.ReadTimeout = 300 * time.Millisecond
	ts.Start()
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Coding-Event: push\r\nContent-Length: 1000\r\n\r\n{\"ref\":")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "request body not received in time") {
		t.Errorf("answer %d %s", resp.StatusCode, body)
	}
	for _, leak := range []string{"127.0.0.1", "tcp", "timeout"} {
		if strings.Contains(string(body), leak) {
			t.Errorf("answer %s shows %q", body, leak)
		}
	}
}

// TestRenderUnknownTemplateIs400 names the variant instead of silently
// rendering the default.
func TestRenderUnknownTemplateIs400(t *testing.T) {
	r := newTestRelay(t, map[string]string{"RELAY_ADMIN_TOKEN": "adm"})
	a := r.post(t, "/api/render", map[string]string{"Authorization": "Bearer adm", "Content-Type": "application/json"},
		`{"event":"push","target":"dingtalk","template":"no-such-variant","payload":`+pushPayload+`}`)
	if a.status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(a.body["error"]), `"no-such-variant"`) {
		t.Errorf("render with an unknown template: %v", a)
	}
	a = r.post(t, "/api/render", map[string]string{"Authorization": "Bearer adm", "Content-Type": "application/json"},
		`{"event":"push","target":"dingtalk","template":"brief","payload":`+pushPayload+`}`)
	if a.status != http.StatusOK {
		t.Errorf("render with brief: %v", a)
	}
}

// TestRenderGitLabPayload previews a GitLab payload through /api/render,
// its event named by GitLab's header name, then by its body.
func TestRenderGitLabPayload(t *testing.T) {
	r := newTestRelay(t, map[string]string{"RELAY_ADMIN_TOKEN": "adm"})
	payload := `{"object_kind":"build","build_id":702,"build_name":"unit","build_status":"failed","build_failure_reason":"script_failure","project":{"name":"payments","web_url":"https://gitlab.example.com/acme/payments"},"user":{"name":"Alice","username":"alice"}}`
	for _, event := range []string{"Job Hook", ""} {
		a := r.post(t, "/api/render", map[string]string{"Authorization": "Bearer adm", "Content-Type": "application/json"},
			`{"source":"gitlab","event":"`+event+`","target":"dingtalk","payload":`+payload+`}`)
		if a.status != http.StatusOK || !strings.Contains(fmt.Sprint(a.body), "unit #702") || !strings.Contains(fmt.Sprint(a.body), "https://gitlab.example.com/acme/payments/-/jobs/702") {
			t.Errorf("render of a GitLab job (event %q): %v", event, a)
		}
	}
	a := r.post(t, "/api/render", map[string]string{"Authorization": "Bearer adm", "Content-Type": "application/json"},
		`{"source":"gitlab","payload":{"project":{"name":"payments"}}}`)
	if a.status != http.StatusBadRequest {
		t.Errorf("a GitLab payload naming no event: %v", a)
	}
}

// TestIgnoredEventIsAnswered200 posts a GitLab System Hook, which a source
// answers and does not relay: 200 with the reason, counted as ignored,
// never queued for the robot.
func TestIgnoredEventIsAnswered200(t *testing.T) {
	r := newTestRelay(t, map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=t"})
	a := r.post(t, "/webhook/gitlab", map[string]string{"Content-Type": "application/json", "X-Gitlab-Event": "System Hook", "Idempotency-Key": "k-1"},
		`{"event_name":"project_create","name":"payments","path_with_namespace":"acme/payments"}`)
	if a.status != http.StatusOK || a.body["ignored"] == nil || a.body["delivery"] != "k-1" || a.body["robots"] != float64(0) {
		t.Errorf("System Hook answered %v", a)
	}
	if n := counter(t, r.reg, "relay_events_received_total", "source", "gitlab", "outcome", "ignored"); n != 1 {
		t.Errorf("ignored GitLab events counted %v, want 1", n)
	}
}

// counter reads the counter of name whose labels have the values given as
// pairs.
func counter(tb testing.TB, reg *prometheus.Registry, name string, labels ...string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			match := mf.GetName() == name
			for i := 0; i+1 < len(labels); i += 2 {
				match = match && have[labels[i]] == labels[i+1]
			}
			if match {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
