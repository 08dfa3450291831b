package deploy

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// targetLabels are what a Prometheus scrape adds to every series (the
// Prometheus Operator's ServiceMonitor: namespace, pod, service, endpoint,
// container), so the dashboard and the alerts may group by them.
var targetLabels = []string{"job", "instance", "namespace", "pod", "service", "endpoint", "container"}

// exported is what a relay's /metrics holds: each family's label names.
type exported map[string][]string

// scrape reads the relay's /metrics.
func scrape(tb testing.TB, base string) exported {
	tb.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		tb.Fatalf("/metrics: %v", err)
	}
	out := exported{}
	for name, mf := range families {
		var names []string
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if !slices.Contains(names, lp.GetName()) {
					names = append(names, lp.GetName())
				}
			}
		}
		if mf.GetType() == dto.MetricType_HISTOGRAM {
			out[name+"_bucket"] = append(slices.Clone(names), "le")
			out[name+"_sum"], out[name+"_count"] = names, names
		}
		out[name] = names
	}
	return out
}

// check reports what in expr the relay does not export: a relay_* metric,
// a label a relay_* selector matches on, or a label an aggregation over
// relay_* metrics groups by.
func (ex exported) check(expr string) []string {
	e, err := promqlParser.ParseExpr(expr)
	if err != nil {
		return []string{err.Error()}
	}
	var missing []string
	known := func(metric, label string) bool {
		return slices.Contains(ex[metric], label) || slices.Contains(targetLabels, label)
	}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		switch n := n.(type) {
		case *parser.VectorSelector:
			if !strings.HasPrefix(n.Name, "relay_") {
				return nil
			}
			if _, ok := ex[n.Name]; !ok {
				missing = append(missing, "metric "+n.Name)
				return nil
			}
			for _, m := range n.LabelMatchers {
				if m.Name != model.MetricNameLabel && !known(n.Name, m.Name) {
					missing = append(missing, fmt.Sprintf("label %s of %s", m.Name, n.Name))
				}
			}
		case *parser.AggregateExpr:
			if n.Without {
				return nil
			}
			for _, vs := range selectors(n.Expr) {
				if _, ok := ex[vs.Name]; !ok {
					continue
				}
				for _, l := range n.Grouping {
					if !known(vs.Name, l) {
						missing = append(missing, fmt.Sprintf("label %s of %s (by)", l, vs.Name))
					}
				}
			}
		}
		return nil
	})
	return missing
}

// fakeRobots answers like DingTalk, by access_token: "refused" with a
// permanent errcode (310000), "flaky" first with a retryable one (-1), any
// other with errcode 0.
type fakeRobots struct {
	mu   sync.Mutex
	sent map[string]int // requests by token
}

func (f *fakeRobots) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	token := r.URL.Query().Get("access_token")
	f.mu.Lock()
	f.sent[token]++
	n := f.sent[token]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case token == "refused":
		fmt.Fprint(w, `{"errcode":310000,"errmsg":"keywords not in content"}`)
	case token == "flaky" && n == 1:
		fmt.Fprint(w, `{"errcode":-1,"errmsg":"system busy"}`)
	default:
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	}
}

// Every relay_* metric and label the dashboard and the alerts name is one
// the relay exports. A real relay on Redis (for the leases) sends to fake
// DingTalk robots until each kind of series exists: sends ok, retried and
// refused, a dead letter, pacing waits and a digest, a template fallback.
// Then every expression is checked against its /metrics, and every panel
// selecting a robot-labelled metric filters by the robot variable.
func TestMonitoringNamesExportedMetrics(t *testing.T) {
	bin := buildRelay(t)
	redis := startRedis(t)
	robots := &fakeRobots{sent: map[string]int{}}
	srv := httptest.NewServer(robots)
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	tmpl := filepath.Join(dir, "templates")
	if err := os.MkdirAll(tmpl, 0o755); err != nil {
		t.Fatal(err)
	}
	// Parses, but fails on a push with fewer than ten commits.
	broken := `{{define "broken.push.text"}}{{(index .Event.Commits 9).ID}}{{end}}`
	if err := os.WriteFile(filepath.Join(tmpl, "broken.tmpl"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	robot := func(token, params string) string {
		return "dingtalk+" + srv.URL + "/robot/send?access_token=" + token + "&" + params
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = []string{"HOME=" + dir, "RELAY_ADDR=" + addr, "RELAY_DATA_DIR=" + filepath.Join(dir, "data"),
		"RELAY_REDIS_URL=redis://" + redis + "/0", "RELAY_CODING_TOKEN=tok", "RELAY_TEMPLATES_DIR=" + tmpl,
		"RELAY_RETRY_MAX_WAIT=1s", "RELAY_ROBOTS=" + strings.Join([]string{
			robot("paced", "name=paced&rate=1/1s"),
			robot("flaky", "name=flaky"),
			robot("refused", "name=refused"),
			robot("fallback", "name=fallback&template=broken"),
		}, "\n")}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	base := "http://" + addr
	eventually(t, "the relay to be ready", &out, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	body, err := os.ReadFile("../translate/testdata/push-two-commits.json")
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha1.New, []byte("tok"))
	mac.Write(body)
	for i := range 4 { // the paced robot sends one, then digests the rest
		req, _ := http.NewRequest(http.MethodPost, base+"/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Coding-Event", "push")
		req.Header.Set("X-Coding-Delivery", fmt.Sprintf("metrics-%d", i))
		req.Header.Set("X-Coding-Signature", "sha1="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("webhook %d: %s", i, resp.Status)
		}
	}

	d, _ := loadDashboard(t)
	exprs := d.expressions(t)
	for _, r := range renderedRules(t, redisSet...).Spec.Groups[0].Rules {
		exprs["alert "+r.Alert] = r.Expr.StrVal
	}
	// Series appear as their events happen (a retry after a second, a
	// digest after the pacing window): scrape until all are there, or for
	// 30 s and report what is missing.
	var ex exported
	complete := func() bool {
		ex = scrape(t, base)
		for _, e := range exprs {
			if len(ex.check(e)) > 0 {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(30 * time.Second); !complete() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	for where, e := range exprs {
		if missing := ex.check(e); len(missing) > 0 {
			t.Errorf("%s names what the relay does not export: %v\n%s", where, missing, e)
		}
	}
	// A panel on a robot's series filters by the robot variable.
	for where, e := range exprs {
		if !strings.HasPrefix(where, "panel") {
			continue
		}
		parsed, _ := promqlParser.ParseExpr(e)
		for _, vs := range selectors(parsed) {
			if slices.Contains(ex[vs.Name], "robot") && !hasMatcher(vs, `robot=~"$robot"`) {
				t.Errorf("%s: %s has a robot label but ignores the robot variable", where, vs)
			}
		}
	}
}

// eventually waits up to 30 s for cond, failing with the relay's output.
func eventually(tb testing.TB, what string, out *syncBuffer, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s; relay output:\n%s", what, out.String())
		}
	}
}
