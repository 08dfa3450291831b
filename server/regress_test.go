package server_test

// Regression tests for bugs found in a review of the intake, config and
// robot code; each comment says what once went wrong.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/sethvargo/go-envconfig"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/coding"
)

// Once: README says "ping ... is sent to a robot only if that robot
// lists ping in events=". As soon as one robot lists ping, every robot
// without an events= filter gets the ping too (Wants has no ping rule), and
// CODING gets 202 instead of the promised 200 {"zen"}.
func TestRegressPingOnlyToRobotsListingIt(t *testing.T) {
	pinged := newFakeRobot(t, nil)
	other := newFakeRobot(t, nil)
	r := newTestRelay(t, map[string]string{"RELAY_ROBOTS": "wecom+" + pinged.URL + "/cgi-bin/webhook/send?key=a&events=ping,push " +
		"wecom+" + other.URL + "/cgi-bin/webhook/send?key=b"})
	a := r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "ping"}, `{"zen":"keep it simple","repository":{"name":"demo"}}`)
	if a.status != 200 || a.body["zen"] != "keep it simple" {
		t.Errorf("ping answer %d %v, README promises 200 {\"zen\"}", a.status, a.body)
	}
	waitFor(t, "ping at the robot that lists it", func() bool { return len(pinged.Received()) == 1 })
	// A push after the ping reaches both robots; in the other robot's one
	// queue it follows whatever the ping put there.
	push := `{"ref":"refs/heads/after-the-ping"}`
	if a := r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push"}, push); a.status != 202 {
		t.Fatalf("push after the ping: %d %v", a.status, a.body)
	}
	waitFor(t, "the push at the other robot", func() bool { return len(other.Received()) > 0 })
	if got := other.Received(); len(got) != 1 || !strings.Contains(got[0].Raw, "after-the-ping") {
		t.Errorf("robot without events=ping got %d message(s), want only the push", len(got))
	}
}

// Once: url.URL.Query() silently drops pairs it cannot parse (a ';'
// or a bad %-escape). "keywords=构建;发布" or "events=push;ci" then vanish:
// no keyword (every message rejected with 310000) or no filter (the robot
// gets every event), and no start-up error although README promises that an
// unknown/bad parameter stops start-up.
func TestRegressMalformedRobotParamsAreNotSilentlyDropped(t *testing.T) {
	for _, raw := range []string{
		"https://oapi.dingtalk.com/robot/send?access_token=T&events=push;ci",
		"https://oapi.dingtalk.com/robot/send?access_token=T&keywords=构建;发布",
		"https://oapi.dingtalk.com/robot/send?access_token=T&keywords=100%",
		"https://oapi.dingtalk.com/robot/send?access_token=T&secret=SEC%zz",
	} {
		robots, err := parseRobots(raw)
		if err == nil {
			r := robots[0]
			t.Errorf("%s: accepted with events=%v signed=%v", raw, r.Events, r.Endpoint.Signed())
		}
	}
}

// Once: a repeated relay parameter silently keeps only its first
// value: events=push&events=ci filters out ci.
func TestRegressRepeatedRelayParamIsNotSilentlyTruncated(t *testing.T) {
	robots, err := parseRobots("https://oapi.dingtalk.com/robot/send?access_token=T&events=push&events=ci")
	if err == nil && len(robots[0].Events) != 2 {
		t.Errorf("events=push&events=ci gave events=%v and no error", robots[0].Events)
	}
}

// Once: ParseRobots echoes a whitespace-separated non-URL field in
// full. A token or secret broken onto its own line (YAML folding, a stray
// space after '&') reaches the start-up error and the logs.
func TestRegressParseRobotsErrorDoesNotEchoSecrets(t *testing.T) {
	const secret = "SEC0123456789abcdef0123456789abcdef"
	_, err := parseRobots("https://oapi.dingtalk.com/robot/send?access_token=T& secret=" + secret)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error shows the secret: %v", err)
	}
}

// Once: README: projects= globs "the repository or project name".
// Wants only tests ProjectName(), which for Service Hook payloads is the
// project's display name, so projects=uc-api drops CI_JOB_FINISHED,
// ISSUE_*, WIKI_*, ... of project uc-api (while GIT_PUSHED of the same
// project passes).
func TestRegressProjectsFilterMatchesProjectName(t *testing.T) {
	robots, err := parseRobots("https://oapi.dingtalk.com/robot/send?access_token=T&projects=uc-api")
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"GIT_PUSHED", "CI_JOB_FINISHED", "ISSUE_CREATED", "WIKI_UPDATED"} {
		b, err := os.ReadFile(filepath.Join("..", "templates", "samples", code+".json"))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := coding.Decode(code, b)
		if err != nil {
			t.Fatal(err)
		}
		if !robots[0].Wants(ev) {
			t.Errorf("projects=uc-api drops %s of project uc-api (ProjectName=%q)", code, ev.ProjectName)
		}
	}
}

// Once: the shared-robot rule ("refuses to start unless every such
// entry has an explicit rate=, or pacing is off") depends on the order: an
// unpaced duplicate after a paced entry without rate= is accepted, the same
// two entries the other way round are refused.
func TestRegressSharedRobotRuleIsOrderIndependent(t *testing.T) {
	a := "https://oapi.dingtalk.com/robot/send?access_token=SAME&name=a"
	b := "https://oapi.dingtalk.com/robot/send?access_token=SAME&name=b&rate=0"
	_, err1 := server.LoadConfig(context.Background(), envconfig.MapLookuper(map[string]string{"RELAY_ROBOTS": a + " " + b}), testRegistry)
	_, err2 := server.LoadConfig(context.Background(), envconfig.MapLookuper(map[string]string{"RELAY_ROBOTS": b + " " + a}), testRegistry)
	if (err1 == nil) != (err2 == nil) {
		t.Errorf("a,b: %v; b,a: %v", err1, err2)
	}
}

// Once: a 2xx JSON answer without an errcode (a proxy or gateway
// answering {} or {"status":"ok"}) decodes as errcode 0 and the message is
// removed as delivered. robot-api.md: the outcome is the errcode.
func TestRegressAnswerWithoutErrcodeIsNotSuccess(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"message":"upstream unavailable"}`))
	}))
	defer ts.Close()
	robots, err := parseRobots("dingtalk+" + ts.URL + "/robot/send?access_token=T")
	if err != nil {
		t.Fatal(err)
	}
	m := translate.Message{Target: dingtalk.Target, Title: "t", Text: "x"}
	if err := robots[0].Endpoint.Send(context.Background(), ts.Client(), m, ""); err == nil {
		t.Error("an answer without errcode counted as delivered")
	}
}

// Once: a template that parses but fails when executed (here on a
// push with fewer commits than it indexes) makes handleWebhook answer 500
// for the whole event, so the robot that uses the default templates loses
// it too (CODING does not retry). Reload accepted this set.
func TestRegressOneRobotsTemplateErrorDoesNotLoseTheEventForOthers(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.tmpl"), []byte(`{{define "fancy.push.text"}}{{(index .Commits 3).ID}}{{end}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	plain := newFakeRobot(t, nil)
	env := map[string]string{"RELAY_DATA_DIR": t.TempDir(), "RELAY_ROBOTS": "wecom+" + plain.URL + "/cgi-bin/webhook/send?key=plain " +
		"wecom+" + plain.URL + "/cgi-bin/webhook/send?key=fancy&template=fancy"}
	cfg, err := server.LoadConfig(context.Background(), envconfig.MapLookuper(env), testRegistry)
	if err != nil {
		t.Fatal(err)
	}
	m := server.NewMetrics(prometheus.NewRegistry())
	tmpls, err := server.NewTemplates(func() (*translate.Renderer, error) {
		return translate.New(templates.FS, os.DirFS(dir), translate.Options{Dialects: robot.Dialects(testRegistry.Kinds)})
	}, zap.NewNop(), m)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.DataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var lanes []queue.Lane
	for _, r := range cfg.RobotList {
		lanes = append(lanes, queue.Lane{Robot: r, Rate: cfg.RateOf(r), Sender: nopSender{}})
	}
	q, err := queue.New(st, lanes, queue.Options{SendTimeout: time.Second, Render: tmpls.Current}, zap.NewNop(), queue.NewMetrics(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	q.Start()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = q.Close(ctx)
	}()
	s := server.New(server.Options{Config: cfg, Registry: registryWithToken(cfg.CodingToken), Logger: zap.NewNop(), Metrics: m, Gatherer: prometheus.NewRegistry(), Queue: q, Templates: tmpls})
	req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(pushPayload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Coding-Event", "push")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusAccepted {
		t.Errorf("answer %d %s: the event is lost for the robot with default templates too", rec.Code, rec.Body)
	}
}

type nopSender struct{}

func (nopSender) Send(context.Context, translate.Message, string) error { return nil }

// Once: readEvent grows its buffer to the announced Content-Length
// before reading a byte or checking the signature, so an unauthenticated
// client that announces RELAY_MAX_BODY (5 MiB) and sends nothing makes the
// relay allocate 5 MiB per connection (for up to ReadTimeout = 30 s).
func TestRegressContentLengthIsNotPreallocatedBeforeAuth(t *testing.T) {
	env := map[string]string{"RELAY_CODING_TOKEN": "tok", "RELAY_DATA_DIR": t.TempDir()}
	cfg, err := server.LoadConfig(context.Background(), envconfig.MapLookuper(env), testRegistry)
	if err != nil {
		t.Fatal(err)
	}
	m := server.NewMetrics(prometheus.NewRegistry())
	tmpls, err := server.NewTemplates(func() (*translate.Renderer, error) {
		return translate.New(templates.FS, nil, translate.Options{Dialects: robot.Dialects(testRegistry.Kinds)})
	}, zap.NewNop(), m)
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(server.Options{Config: cfg, Registry: registryWithToken(cfg.CodingToken), Logger: zap.NewNop(), Metrics: m, Gatherer: prometheus.NewRegistry(), Templates: tmpls})
	h := s.Handler()
	serve := func() {
		req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(`{}`))
		req.ContentLength = int64(cfg.MaxBody) // announced, never sent
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Coding-Event", "push")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			panic(fmt.Sprint("status ", rec.Code))
		}
	}
	serve()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const n = 10
	for range n {
		serve()
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 1<<20 {
		t.Errorf("a 2-byte unsigned request allocated %d bytes", per)
	}
}

// Once: default robot names (dingtalk-1, dingtalk-2, …) come from the
// position in RELAY_ROBOTS and key the durable queue. Remove the first of
// two unnamed DingTalk robots while it has a backlog, and the second robot
// becomes "dingtalk-1" and is sent the removed robot's messages: another
// group's messages, against README's "Items of a robot removed from
// RELAY_ROBOTS stay in the store (logged at start-up) until it comes back".
func TestRegressRemovedRobotsBacklogIsNotSentToAnotherRobot(t *testing.T) {
	down := newFakeRobot(t, func(int) (int, string) { return 500, "down" })
	other := newFakeRobot(t, nil)
	dir := t.TempDir()
	a := "dingtalk+" + down.URL + "/robot/send?access_token=GROUP_A"
	b := "dingtalk+" + other.URL + "/robot/send?access_token=GROUP_B"
	run := func(robots string) *queue.Queue {
		cfg, err := server.LoadConfig(context.Background(), envconfig.MapLookuper(map[string]string{"RELAY_DATA_DIR": dir, "RELAY_ROBOTS": robots}), testRegistry)
		if err != nil {
			t.Fatal(err)
		}
		m := server.NewMetrics(prometheus.NewRegistry())
		tmpls, err := server.NewTemplates(func() (*translate.Renderer, error) {
			return translate.New(templates.FS, nil, translate.Options{Dialects: robot.Dialects(testRegistry.Kinds)})
		}, zap.NewNop(), m)
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var lanes []queue.Lane
		for _, r := range cfg.RobotList {
			lanes = append(lanes, queue.Lane{Robot: r, Rate: cfg.RateOf(r), Sender: robot.Sender{Endpoint: r.Endpoint, Client: http.DefaultClient}})
		}
		q, err := queue.New(st, lanes, queue.Options{RetryMaxWait: 50 * time.Millisecond, Render: tmpls.Current}, zap.NewNop(), queue.NewMetrics(prometheus.NewRegistry()))
		if err != nil {
			t.Fatal(err)
		}
		q.Start()
		s := server.New(server.Options{Config: cfg, Registry: registryWithToken(cfg.CodingToken), Logger: zap.NewNop(), Metrics: m, Gatherer: prometheus.NewRegistry(), Queue: q, Templates: tmpls})
		req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(pushPayload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Coding-Event", "push")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			t.Fatalf("answer %d %s", rec.Code, rec.Body)
		}
		return q
	}
	closeQ := func(q *queue.Queue) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := q.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	q1 := run(a + " " + b)
	waitFor(t, "B's own message and A failing", func() bool { return len(other.Received()) == 1 && len(down.Received()) >= 1 })
	closeQ(q1)
	// Robot A is removed from the configuration; B stays, unchanged, and
	// one more event arrives for it.
	q2 := run(b)
	defer closeQ(q2)
	waitFor(t, "B's second event", func() bool { return eventsShown(other.Received()) >= 2 })
	// A message is popped only after its send returned: once B's lane is
	// empty, everything it was given has reached the robot.
	waitFor(t, "B's queue empty", func() bool {
		_, waiting, err := q2.Pending(0)
		return err == nil && waiting == 0
	})
	if n := eventsShown(other.Received()); n != 2 {
		t.Errorf("group B was shown %d events, not its 2; %d of them were queued for the removed robot A", n, n-2)
	}
}

// A template that parses but fails on an event (here an index past the
// commits) must not cost the message: the robot gets the embedded default
// rendering and the fallback is counted. Without a fallback renderer and
// with every robot failing, the webhook is answered 500 (nothing stored).
func TestBrokenTemplateFallsBackToTheDefaults(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "push.tmpl"), []byte(`{{define "push.text"}}{{(index .Event.Commits 9).ID}}{{end}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, withFallback := range []bool{true, false} {
		f := newFakeRobot(t, nil)
		cfg, err := server.LoadConfig(context.Background(), envconfig.MapLookuper(map[string]string{
			"RELAY_DATA_DIR": t.TempDir(), "RELAY_ROBOTS": "wecom+" + f.URL + "/cgi-bin/webhook/send?key=k&name=team"}), testRegistry)
		if err != nil {
			t.Fatal(err)
		}
		reg := prometheus.NewRegistry()
		m := server.NewMetrics(reg)
		tmpls, err := server.NewTemplates(func() (*translate.Renderer, error) {
			return translate.New(templates.FS, os.DirFS(dir), translate.Options{Dialects: robot.Dialects(testRegistry.Kinds)})
		}, zap.NewNop(), m)
		if err != nil {
			t.Fatal(err)
		}
		if withFallback {
			tmpls.SetFallback(func() (*translate.Renderer, error) {
				return translate.New(templates.FS, nil, translate.Options{Dialects: robot.Dialects(testRegistry.Kinds)})
			})
		}
		st, err := store.Open(cfg.DataDir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r := cfg.RobotList[0]
		q, err := queue.New(st, []queue.Lane{{Robot: r, Rate: cfg.RateOf(r), Sender: robot.Sender{Endpoint: r.Endpoint, Client: http.DefaultClient}}},
			queue.Options{Render: tmpls.Current}, zap.NewNop(), queue.NewMetrics(reg))
		if err != nil {
			t.Fatal(err)
		}
		q.Start()
		s := server.New(server.Options{Config: cfg, Registry: registryWithToken(cfg.CodingToken), Logger: zap.NewNop(), Metrics: m, Gatherer: reg, Queue: q, Templates: tmpls})
		req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(pushPayload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Coding-Event", "push")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if !withFallback {
			if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"error"`) {
				t.Errorf("without a fallback: %d %s, want a JSON 500", rec.Code, rec.Body)
			}
		} else {
			if rec.Code != http.StatusAccepted {
				t.Fatalf("answer %d %s", rec.Code, rec.Body)
			}
			waitFor(t, "the default message", func() bool { return len(f.Received()) == 1 })
			if got := f.Received()[0].Raw; !strings.Contains(got, "fix: login") {
				t.Errorf("robot got %s, want the default push message", got)
			}
			if n := testutil.ToFloat64(m.RenderFallbacks.WithLabelValues("team")); n != 1 {
				t.Errorf("relay_render_fallbacks_total = %v, want 1", n)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = q.Close(ctx)
		cancel()
	}
}
