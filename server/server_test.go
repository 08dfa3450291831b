package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sethvargo/go-envconfig"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/console"
	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
)

const pushPayload = `{"ref":"refs/heads/main","before":"cebbbb3f4bc0a4a04ca12fec5b094875f7bd0a5a","after":"f2517d28df3ac6b033a4b8521b324ae5454c1a57","created":false,"deleted":false,"compare":"https://t.coding.net/p/demo/git/compare/cebbbb3...f2517d2","commits":[{"id":"f2517d28df3ac6b033a4b8521b324ae5454c1a57","message":"fix: login\n\nbody","timestamp":1589451706000,"url":"https://t.coding.net/p/demo/git/commit/f2517d2","author":{"name":"张亮","email":"zl@example.com","username":"zl"}}],"pusher":{"name":"张亮","email":"zl@example.com","username":"zl"},"sender":{"login":"zl","name":"张亮"},"repository":{"name":"demo","full_name":"team/demo/demo","html_url":"https://t.coding.net/p/demo"}}`

// testRelay is a relay wired like cmd does, over fake robots.
type testRelay struct {
	srv    *httptest.Server
	queue  *queue.Queue
	logs   *lockedBuffer
	reg    *prometheus.Registry
	config *server.Config
	// handler is the relay's HTTP handler, for tests that serve it with
	// their own http.Server settings.
	handler http.Handler
	stopped *bool // by stop: the cleanup leaves the queue alone
	// server is the relay's server, for tests that Serve it on a listener
	// of their own.
	server *server.Server
}

func newTestRelay(tb testing.TB, env map[string]string) *testRelay {
	tb.Helper()
	return newTestRelayOver(tb, env, nil)
}

// newTestRelayOver is newTestRelay with the queue's store wrapped by wrap
// (nil: the bbolt store as it is).
func newTestRelayOver(tb testing.TB, env map[string]string, wrap func(*store.Store) queue.Store) *testRelay {
	tb.Helper()
	if env["RELAY_DATA_DIR"] == "" {
		env["RELAY_DATA_DIR"] = tb.TempDir()
	}
	cfg, err := server.LoadConfig(context.Background(), envconfig.MapLookuper(env), testRegistry)
	if err != nil {
		tb.Fatal(err)
	}
	logs := &lockedBuffer{}
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(logs), zap.DebugLevel))
	reg := prometheus.NewRegistry()
	m := server.NewMetrics(reg)
	src := &server.TemplateSource{Defaults: templates.FS, Dir: cfg.TemplatesDir, Options: translate.Options{Dialects: robot.Dialects(testRegistry.Kinds), Language: cfg.Language}}
	if cfg.Mentions != "" { // as cmd reads it, less the checks
		if err := json.Unmarshal([]byte(cfg.Mentions), &src.Options.Mentions); err != nil {
			tb.Fatal(err)
		}
	}
	tmpls, err := server.NewTemplates(src.Load, log, m)
	if err != nil {
		tb.Fatal(err)
	}
	var q *queue.Queue
	var revoked console.Revocations
	stopped := new(bool)
	if len(cfg.RobotList) > 0 {
		bolt, err := store.Open(cfg.DataDir, store.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		var st queue.Store = bolt
		var history queue.History = bolt
		if wrap != nil {
			st = wrap(bolt)
			history, _ = st.(queue.History) // the Redis store keeps none
		}
		var lanes []queue.Lane
		for _, r := range cfg.RobotList {
			lanes = append(lanes, queue.Lane{Robot: r, Rate: cfg.RateOf(r), Sender: robot.Sender{Endpoint: r.Endpoint, Client: http.DefaultClient}})
		}
		q, err = queue.New(st, lanes, queue.Options{SendTimeout: cfg.SendTimeout, RetryMaxWait: 50 * time.Millisecond, Render: tmpls.Current, History: history}, log, queue.NewMetrics(reg))
		if err != nil {
			tb.Fatal(err)
		}
		q.Start()
		revoked, _ = st.(console.Revocations)
		tb.Cleanup(func() {
			if *stopped {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = q.Close(ctx)
		})
	}
	s := server.New(server.Options{Config: cfg, Registry: registryWithToken(cfg.CodingToken), Logger: log, Metrics: m, Gatherer: reg, Queue: q, Templates: tmpls, TemplateSource: src, Revocations: revoked})
	ts := httptest.NewServer(s.Handler())
	tb.Cleanup(ts.Close)
	return &testRelay{srv: ts, queue: q, logs: logs, reg: reg, config: cfg, handler: s.Handler(), stopped: stopped, server: s}
}

// stop stops the relay as SIGTERM does: the server, then the queue and
// its store, so that another relay may open the same data directory.
func (r *testRelay) stop(tb testing.TB) {
	tb.Helper()
	r.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.queue.Close(ctx); err != nil {
		tb.Fatal(err)
	}
	*r.stopped = true
}

// lockedBuffer collects log lines from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type answer struct {
	status int
	body   map[string]any
}

func (r *testRelay) post(tb testing.TB, path string, header map[string]string, body string) answer {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, r.srv.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(tb, req)
}

func do(tb testing.TB, req *http.Request) answer {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		tb.Fatalf("answer %d is not JSON: %q", resp.StatusCode, raw)
	}
	return a
}

func sign(token, body string) string {
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(body))
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

func TestWebhookStatuses(t *testing.T) {
	ding := newFakeRobot(t, nil)
	r := newTestRelay(t, map[string]string{
		"RELAY_ROBOTS":       "dingtalk+" + ding.URL + "/robot/send?access_token=abc&name=team",
		"RELAY_CODING_TOKEN": "hook-token",
		"RELAY_MAX_BODY":     "4KiB",
	})
	js := func(extra map[string]string) map[string]string {
		h := map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	form := "payload=" + url.QueryEscape(pushPayload)
	big := `{"event":"push","pad":"` + strings.Repeat("x", 5000) + `"}`
	tests := []struct {
		name   string
		header map[string]string
		body   string
		status int
		errHas string
	}{
		{"json", js(map[string]string{"X-Coding-Signature": sign("hook-token", pushPayload), "X-Coding-Delivery": "del-1"}), pushPayload, 202, ""},
		{"duplicate", js(map[string]string{"X-Coding-Signature": sign("hook-token", pushPayload), "X-Coding-Delivery": "del-1"}), pushPayload, 200, ""},
		{"form", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Coding-Event": "push", "X-Coding-Signature": sign("hook-token", form)}, form, 202, ""},
		{"form without payload", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Coding-Event": "push", "X-Coding-Signature": sign("hook-token", "a=b")}, "a=b", 400, "payload"},
		{"unsupported type", map[string]string{"Content-Type": "text/plain", "X-Coding-Event": "push"}, pushPayload, 415, "Content-Type"},
		{"no signature", js(nil), pushPayload, 401, "X-Coding-Signature"},
		{"wrong signature", js(map[string]string{"X-Coding-Signature": sign("other", pushPayload)}), pushPayload, 401, "signature"},
		{"garbage signature", js(map[string]string{"X-Coding-Signature": "md5=zz"}), pushPayload, 401, "sha1"},
		{"too large", js(map[string]string{"X-Coding-Signature": sign("hook-token", big)}), big, 413, "RELAY_MAX_BODY"},
		{"malformed json", js(map[string]string{"X-Coding-Signature": sign("hook-token", `{"ref":`)}), `{"ref":`, 400, "JSON"},
		{"no event name", map[string]string{"Content-Type": "application/json", "X-Coding-Signature": sign("hook-token", `{"a":1}`)}, `{"a":1}`, 400, "event"},
		{"event from body", map[string]string{"Content-Type": "application/json", "X-Coding-Signature": sign("hook-token", `{"event":"GIT_PUSHED","ref":"refs/heads/main"}`)}, `{"event":"GIT_PUSHED","ref":"refs/heads/main"}`, 202, ""},
		{"ping", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "ping", "X-Coding-Signature": sign("hook-token", `{"zen":"keep it simple"}`)}, `{"zen":"keep it simple"}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.post(t, "/webhook", tt.header, tt.body)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %v", a.status, tt.status, a.body)
			}
			if tt.errHas != "" && !strings.Contains(a.body["error"].(string), tt.errHas) {
				t.Errorf("error %q does not mention %q", a.body["error"], tt.errHas)
			}
			switch tt.name {
			case "json":
				if a.body["delivery"] != "del-1" || a.body["event"] != "push" || a.body["robots"] != 1.0 {
					t.Errorf("answer %v", a.body)
				}
			case "duplicate":
				if a.body["duplicate"] != true {
					t.Errorf("answer %v", a.body)
				}
			case "ping":
				if a.body["zen"] != "keep it simple" {
					t.Errorf("answer %v", a.body)
				}
			}
		})
	}
	// json, form and the Service Hook event reach the robot, one by one or
	// some in a digest; nothing else.
	waitFor(t, "3 events shown", func() bool { return eventsShown(ding.Received()) == 3 })
	// A last event follows them in the robot's one queue: once it is
	// there, anything the table stored is there too, before it.
	last := `{"ref":"refs/heads/last-of-the-table"}`
	if a := r.post(t, "/webhook", js(map[string]string{"X-Coding-Signature": sign("hook-token", last)}), last); a.status != 202 {
		t.Fatalf("last event: %d %v", a.status, a.body)
	}
	waitFor(t, "the last event", func() bool {
		got := ding.Received()
		return strings.Contains(got[len(got)-1].Raw, "last-of-the-table")
	})
	if got := ding.Received(); eventsShown(got) != 4 || eventsShown(got[:len(got)-1]) != 3 {
		t.Errorf("robot showed %d events in %d messages, want the 3 of the table, then the last event alone", eventsShown(got), len(got))
	}
}

func TestWebhookPerRobotRendering(t *testing.T) {
	// One push, three robots: WeCom v1 (quote lines, colours allowed),
	// WeCom markdown_v2 (a real list, no <font>), DingTalk with a keyword.
	f := newFakeRobot(t, nil)
	r := newTestRelay(t, map[string]string{"RELAY_ROBOTS": "wecom+" + f.URL + "/cgi-bin/webhook/send?key=v1 " +
		"wecom+" + f.URL + "/cgi-bin/webhook/send?key=v2&format=markdown_v2 " +
		"dingtalk+" + f.URL + "/robot/send?access_token=d&keywords=CODING"})
	a := r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push"}, pushPayload)
	if a.status != 202 || a.body["robots"] != 3.0 {
		t.Fatalf("answer %d %v", a.status, a.body)
	}
	waitFor(t, "three sends", func() bool { return len(f.Received()) == 3 })
	got := map[string]map[string]any{}
	for _, rec := range f.Received() {
		got[rec.URL.Query().Get("key")+rec.URL.Query().Get("access_token")] = rec.Body
	}
	content := func(body map[string]any, field, key string) string {
		m, _ := body[field].(map[string]any)
		s, _ := m[key].(string)
		return s
	}
	if v1 := content(got["v1"], "markdown", "content"); got["v1"]["msgtype"] != "markdown" || !strings.Contains(v1, "\n> ") {
		t.Errorf("WeCom v1 body %v", got["v1"])
	}
	v2 := content(got["v2"], "markdown_v2", "content")
	if got["v2"]["msgtype"] != "markdown_v2" || !strings.Contains(v2, "\n- ") || strings.Contains(v2, "<font") {
		t.Errorf("WeCom markdown_v2 body %v", got["v2"])
	}
	if text := content(got["d"], "markdown", "text"); !strings.HasSuffix(text, "\n\nCODING") {
		t.Errorf("DingTalk text %q lacks the keyword line", text)
	}
}

func TestWebhookAnswersBeforeTheRobot(t *testing.T) {
	release := make(chan struct{})
	hang := newFakeRobot(t, func(int) (int, string) { <-release; return 200, `{"errcode":0}` })
	t.Cleanup(func() { close(release) })
	r := newTestRelay(t, map[string]string{"RELAY_ROBOTS": "wecom+" + hang.URL + "/cgi-bin/webhook/send?key=k"})
	a := r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push"}, pushPayload)
	if a.status != 202 {
		t.Fatalf("status %d while the robot hangs", a.status)
	}
}

func TestOtherRoutes(t *testing.T) {
	r := newTestRelay(t, map[string]string{"RELAY_ADMIN_TOKEN": "adm", "RELAY_ROBOTS": "wecom+http://127.0.0.1:1/cgi-bin/webhook/send?key=k " +
		"dingtalk+http://127.0.0.1:1/robot/send?access_token=t&name=ci-only&events=ci&keywords=CODING"})
	get := func(path string, hdr map[string]string) answer {
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return do(t, req)
	}
	if a := get("/healthz", nil); a.status != 200 {
		t.Errorf("healthz %d", a.status)
	}
	if a := get("/readyz", nil); a.status != 200 {
		t.Errorf("readyz %d", a.status)
	}
	if a := get("/nope", nil); a.status != 404 || a.body["error"] == "" {
		t.Errorf("unknown path: %v", a)
	}
	if a := get("/api/deliveries", nil); a.status != 401 {
		t.Errorf("admin without token: %d", a.status)
	}
	if a := get("/api/deliveries", map[string]string{"Authorization": "Bearer wrong"}); a.status != 401 {
		t.Errorf("admin wrong token: %d", a.status)
	}
	if a := get("/api/deliveries?status=pending", map[string]string{"Authorization": "Bearer adm"}); a.status != 200 {
		t.Errorf("admin list: %v", a)
	}
	if a := get("/api/deliveries?status=bogus", map[string]string{"Authorization": "Bearer adm"}); a.status != 400 {
		t.Errorf("admin bad status: %v", a)
	}
	if a := r.post(t, "/api/deliveries/999/retry", map[string]string{"Authorization": "Bearer adm"}, ""); a.status != 404 {
		t.Errorf("retry unknown: %v", a)
	}
	if a := r.post(t, "/api/render", map[string]string{"Authorization": "Bearer adm", "Content-Type": "application/json"},
		`{"event":"push","target":"wecom","payload":`+pushPayload+`}`); a.status != 200 || a.body["wecom"] == nil {
		t.Errorf("render: %v", a)
	}
	if a := r.post(t, "/api/render", map[string]string{"Authorization": "Bearer adm"}, `{"event":"push","target":"slack","payload":{}}`); a.status != 400 {
		t.Errorf("render bad target: %v", a)
	}
	// As a robot gets it: its keyword added, and whether its filters let it through.
	a := r.post(t, "/api/render", map[string]string{"Authorization": "Bearer adm"}, `{"event":"push","robot":"ci-only","payload":`+pushPayload+`}`)
	ding, _ := a.body["dingtalk"].(map[string]any)
	body, _ := json.Marshal(ding["body"])
	if a.status != 200 || a.body["wecom"] != nil || ding["sent"] != false || ding["robot"] != "ci-only" || !strings.Contains(string(body), `\n\nCODING"`) {
		t.Errorf("render as robot: %v", a)
	}
	for _, bad := range []string{`{"event":"push","robot":"nope","payload":{}}`, `{"event":"push","robot":"ci-only","target":"wecom","payload":{}}`} {
		if a := r.post(t, "/api/render", map[string]string{"Authorization": "Bearer adm"}, bad); a.status != 400 {
			t.Errorf("render %s: %v", bad, a)
		}
	}

	off := newTestRelay(t, map[string]string{})
	resp, err := http.Get(off.srv.URL + "/api/deliveries")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("admin API without RELAY_ADMIN_TOKEN: %d", resp.StatusCode)
	}
}

func TestDryRunLogsTheMessage(t *testing.T) {
	r := newTestRelay(t, map[string]string{})
	a := r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push"}, pushPayload)
	if a.status != 202 || a.body["dry_run"] != true {
		t.Fatalf("dry run answer %v", a)
	}
	if !strings.Contains(r.logs.String(), "fix: login") {
		t.Errorf("dry run did not log the rendered message:\n%s", r.logs)
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	const (
		dingToken  = "DINGTOKENabc123"
		dingSecret = "SECabcdef0123456789"
		wecomKey   = "WECOMKEY-0000-1111"
		hookToken  = "HOOKTOKEN-zzz"
		adminToken = "ADMINTOKEN-yyy"
	)
	// One robot rejects the signature, one hangs past the timeout.
	bad := newFakeRobot(t, func(int) (int, string) { return 200, `{"errcode":310000,"errmsg":"sign not match"}` })
	hang := newFakeRobot(t, func(int) (int, string) { return 0, "" })
	r := newTestRelay(t, map[string]string{
		"RELAY_ROBOTS":       "dingtalk+" + bad.URL + "/robot/send?access_token=" + dingToken + "&secret=" + dingSecret + " wecom+" + hang.URL + "/cgi-bin/webhook/send?key=" + wecomKey,
		"RELAY_CODING_TOKEN": hookToken,
		"RELAY_ADMIN_TOKEN":  adminToken,
		"RELAY_SEND_TIMEOUT": "100ms",
	})
	var answers []string
	a := r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push", "X-Coding-Signature": sign(hookToken, pushPayload)}, pushPayload)
	answers = append(answers, mustJSON(a.body))
	a = r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push", "X-Coding-Signature": "sha1=00"}, pushPayload)
	answers = append(answers, mustJSON(a.body))
	waitFor(t, "dead letter and a retry", func() bool {
		d, _, _ := r.queue.Dead(1000)
		return len(d) == 1 && len(hang.Received()) >= 2
	})
	for _, status := range []string{"pending", "dead"} {
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/api/deliveries?status="+status, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		answers = append(answers, mustJSON(do(t, req).body))
	}
	resp, err := http.Get(r.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	everything := r.logs.String() + string(metrics) + strings.Join(answers, "\n")
	for _, secret := range []string{dingToken, dingSecret, wecomKey, hookToken, adminToken} {
		if strings.Contains(everything, secret) {
			t.Errorf("secret %q leaked into logs, metrics or answers", secret)
		}
	}
	if !strings.Contains(string(metrics), `relay_sends_total{errcode="310000",kind="dingtalk",result="failed",robot="dingtalk-1"} 1`) {
		t.Errorf("metrics lack the failed send:\n%s", metrics)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
