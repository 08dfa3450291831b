package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The chart's values must be values the relay accepts: with strategy
// Recreate, an upgrade the relay refuses has already stopped the running pod.
// These tests feed the rendered environment to the real binary.

// renderedEnv is the container environment the chart produces: the config
// ConfigMap, the Secret's keys and plain env values; and the templates
// ConfigMap's files, if any.
func renderedEnv(tb testing.TB, m *manifests) (env, tmpls map[string]string) {
	tb.Helper()
	env = map[string]string{}
	cm := m.ConfigMaps[fullname+"-config"]
	if cm == nil {
		tb.Fatalf("no ConfigMap %s-config; have %v", fullname, keys(m.ConfigMaps))
	}
	for k, v := range cm.Data {
		env[k] = v
	}
	for _, e := range m.container(tb).Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			if sec := m.Secrets[ref.Name]; sec != nil {
				if v, ok := sec.Data[ref.Key]; ok {
					env[e.Name] = string(v)
				}
			}
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		}
	}
	if t := m.ConfigMaps[fullname+"-templates"]; t != nil {
		tmpls = t.Data
	}
	return env, tmpls
}

// syncBuffer is a bytes.Buffer the process's output goroutine and the test
// may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startRelay runs the relay with env (on a free loopback port, a temporary
// data directory and the templates written out) and reports whether it
// became ready, with its output; it is killed afterwards.
func startRelay(tb testing.TB, env, tmpls map[string]string) (bool, string) {
	tb.Helper()
	bin := buildRelay(tb)
	dir := tb.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	vars := []string{"RELAY_ADDR=" + addr, "RELAY_DATA_DIR=" + filepath.Join(dir, "data"), "HOME=" + dir}
	for k, v := range env {
		switch k {
		case "RELAY_ADDR", "RELAY_DATA_DIR":
			continue
		case "RELAY_TEMPLATES_DIR":
			v = filepath.Join(dir, "templates")
			if err := os.MkdirAll(v, 0o755); err != nil {
				tb.Fatal(err)
			}
			for f, c := range tmpls {
				if err := os.WriteFile(filepath.Join(v, f), []byte(c), 0o644); err != nil {
					tb.Fatal(err)
				}
			}
		}
		vars = append(vars, k+"="+v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = vars
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return false, out.String() // it exited: refused
		case <-ctx.Done():
			<-done
			return false, out.String()
		case <-tick.C:
			if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					_ = cmd.Process.Kill()
					<-done
					return true, out.String()
				}
			}
		}
	}
}

func writeValues(tb testing.TB, content string) string {
	tb.Helper()
	f := filepath.Join(tb.TempDir(), "values.yaml")
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return f
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

func TestRenderedValuesStartTheRelay(t *testing.T) {
	tests := []struct {
		name string
		vs   valueSet
	}{
		{"defaults", valueSet{}},
		{"ci/full-values.yaml", valueSet{files: []string{fullValues}}},
		{"ci/minimal-values.yaml", valueSet{files: []string{minimalValues}}},
		// Helm reads numbers from a values file as float64: 5242880 once
		// rendered as 5.24288e+06, which the relay refuses.
		{"integer maxBody in a file", valueSet{files: []string{writeValues(t, "config:\n  maxBody: 5242880\n")}}},
		{"edge values", valueSet{set: []string{
			"robots[0].url=https://oapi.dingtalk.com/robot/send?access_token=t", "robots[0].rate=off", "robots[0].inflight=8",
			"robots[0].keywords=1\\,2\\,3\\,4\\,5\\,6\\,7\\,8\\,9\\,10", "robots[0].name=a.b-c_1",
			"config.maxBody=5 MiB", "config.sendTimeout=1m", "config.logLevel=warn", "config.retryMaxWait=1s",
		}}},
		{"feishu robots", valueSet{set: []string{
			"robots[0].url=https://open.feishu.cn/open-apis/bot/v2/hook/t1", "robots[0].secret=s", "robots[0].keywords=CODING\\,通知",
			"robots[1].url=https://open.larksuite.com/open-apis/bot/v2/hook/t2", "robots[1].rate=50/1m\\,2/1s",
			"robots[2].url=http://127.0.0.1:9/open-apis/bot/v2/hook/t3", "robots[2].kind=feishu", "robots[2].inflight=4",
			"mentions.zhangsan.feishu_open_id=ou_1", "mentions.lisi.feishu_user_id=u2",
		}, setString: []string{"robots[2].rate=0"}}},
		{"every mention key", valueSet{setString: []string{
			"mentions.a.dingtalk_mobile=13800000000", "mentions.a.dingtalk_userid=d", "mentions.a.wecom_userid=w",
			"mentions.a.feishu_open_id=ou_1", "mentions.a.feishu_user_id=u",
		}}},
		{"rateLimit list", valueSet{set: []string{"config.rateLimit=100/1m\\, 5/1s"}}},
		{"rateLimit 0 with inflight", valueSet{set: []string{
			"robots[0].url=https://open.feishu.cn/open-apis/bot/v2/hook/t", "robots[0].inflight=8",
		}, setString: []string{"config.rateLimit=0"}}},
		{"dedupMax from --set", valueSet{set: []string{"config.dedupMax=2500000"}}},
		{"short console history", valueSet{set: []string{"config.historyMax=50", "config.historyMaxAge=24h"}}},
		{"longest retryMaxWait", valueSet{set: []string{"config.retryMaxWait=1h"}}},
		{"retryMaxWait minutes and seconds", valueSet{set: []string{"config.retryMaxWait=2m30s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, tmpls := renderedEnv(t, mustRender(t, tt.vs))
			if ok, out := startRelay(t, env, tmpls); !ok {
				t.Errorf("the relay refuses the rendered environment: %s", lastLine(out))
			}
		})
	}
}

// historyMax 0 means no history, which the relay must be told: left out,
// RELAY_HISTORY_MAX would take its default of 1,000.
func TestRenderedHistoryOff(t *testing.T) {
	env, tmpls := renderedEnv(t, mustRender(t, valueSet{set: []string{"config.historyMax=0"}}))
	if env["RELAY_HISTORY_MAX"] != "0" {
		t.Errorf("historyMax 0 renders RELAY_HISTORY_MAX=%q, want \"0\"", env["RELAY_HISTORY_MAX"])
	}
	if ok, out := startRelay(t, env, tmpls); !ok {
		t.Errorf("the relay refuses the rendered environment: %s", lastLine(out))
	}
}

// Without config.rateLimit each robot is paced by its kind's own limit; with
// it, every robot without rate is; "0" turns pacing off. Read from the
// relay's own "robot configured" log lines.
func TestRenderedPacing(t *testing.T) {
	robots := []string{
		"robots[0].url=https://oapi.dingtalk.com/robot/send?access_token=d", "robots[0].name=ding",
		"robots[1].url=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=w", "robots[1].name=wecom",
		"robots[2].url=https://open.feishu.cn/open-apis/bot/v2/hook/feishutoken", "robots[2].name=feishu",
		"robots[3].url=https://open.feishu.cn/open-apis/bot/v2/hook/own", "robots[3].name=own", "robots[3].rate=3/1s",
	}
	tests := []struct {
		name      string
		setString []string
		want      map[string]string // robot name → rate as the relay logs it
	}{
		{"kinds' own limits", nil, map[string]string{"ding": "20/1m0s", "wecom": "20/1m0s", "feishu": "100/1m0s,5/1s", "own": "3/1s"}},
		{"one rate for all", []string{"config.rateLimit=10/1m"}, map[string]string{"ding": "10/1m0s", "wecom": "10/1m0s", "feishu": "10/1m0s", "own": "3/1s"}},
		{"pacing off", []string{"config.rateLimit=0"}, map[string]string{"ding": "0", "wecom": "0", "feishu": "0", "own": "3/1s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, tmpls := renderedEnv(t, mustRender(t, valueSet{set: robots, setString: tt.setString}))
			env["RELAY_LOG_FORMAT"] = "json"
			ok, out := startRelay(t, env, tmpls)
			if !ok {
				t.Fatalf("the relay refuses the rendered environment: %s", lastLine(out))
			}
			got := map[string]string{}
			for _, line := range strings.Split(out, "\n") {
				var l struct{ Msg, Robot, Rate, URL string }
				if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "robot configured" {
					got[l.Robot] = l.Rate
					if strings.Contains(l.URL, "feishutoken") {
						t.Errorf("the relay logs the Feishu token: %s", line)
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("rates = %v, want %v\n%s", got, tt.want, out)
			}
		})
	}
}

// What the relay would refuse at start-up, the chart refuses at install or
// upgrade time (schema, or a template check for what a schema cannot say).
func TestChartRefusesWhatTheRelayRefuses(t *testing.T) {
	const wecom = "robots[0].url=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
	const ding = "robots[0].url=https://oapi.dingtalk.com/robot/send?access_token=t"
	const feishu = "robots[0].url=https://open.feishu.cn/open-apis/bot/v2/hook/t"
	tests := []struct {
		name string
		set  []string
		want string
	}{
		{"robot name with a space", []string{ding, "robots[0].name=a b"}, "name"},
		{"robot name not ASCII", []string{ding, "robots[0].name=后端"}, "name"},
		{"robot format typo", []string{wecom, "robots[0].format=markdownv2"}, "format"},
		{"robot rate free text", []string{wecom, "robots[0].rate=10 per minute"}, "rate"},
		{"robot template not a name", []string{wecom, "robots[0].template=my brief"}, "template"},
		{"robot keywords above 10", []string{ding, "robots[0].keywords=1\\,2\\,3\\,4\\,5\\,6\\,7\\,8\\,9\\,10\\,11"}, "keywords"},
		{"keywords on WeCom", []string{wecom, "robots[0].keywords=CODING"}, "DingTalk and Feishu robots only"},
		{"secret on WeCom", []string{wecom, "robots[0].secret=SEC1"}, "DingTalk and Feishu robots only"},
		{"secret on WeCom by kind", []string{"robots[0].url=http://127.0.0.1:9/send?key=k", "robots[0].kind=wecom", "robots[0].secret=s"}, "DingTalk and Feishu robots only"},
		{"markdown_v2 on DingTalk", []string{ding, "robots[0].format=markdown_v2"}, "WeCom robots only"},
		{"markdown_v2 on Feishu", []string{feishu, "robots[0].format=markdown_v2"}, "WeCom robots only"},
		{"format markdown on Feishu", []string{feishu, "robots[0].format=markdown"}, "WeCom robots only"},
		{"unknown host without kind", []string{"robots[0].url=https://robots.example.com/send?access_token=t"}, "unknown robot host"},
		{"kind against the prefix", []string{"robots[0].url=wecom+http://127.0.0.1:9/send?key=k", "robots[0].kind=feishu"}, "contradicts"},
		{"inflight while paced", []string{ding, "robots[0].inflight=4"}, "pacing off"},
		{"inflight while Feishu paces", []string{feishu, "robots[0].inflight=2"}, "pacing off"},
		{"inflight while rateLimit paces", []string{ding, "robots[0].inflight=2", "config.rateLimit=5/1s"}, "pacing off"},
		{"logLevel warning", []string{"config.logLevel=warning"}, "logLevel"},
		{"rateLimit free text", []string{"config.rateLimit=20 per minute"}, "rateLimit"},
		{"maxBody Kubernetes quantity", []string{"config.maxBody=5Mi"}, "maxBody"},
		{"sendTimeout above 1m", []string{"config.sendTimeout=2m"}, "sendTimeout"},
		{"sendTimeout 0s", []string{"config.sendTimeout=0s"}, "sendTimeout"},
		{"retryMaxAge 0s", []string{"config.retryMaxAge=0s"}, "retryMaxAge"},
		{"retryMaxWait below 1s", []string{"config.retryMaxWait=500ms"}, "retryMaxWait"},
		{"retryMaxWait above 1h", []string{"config.retryMaxWait=61m"}, "retryMaxWait"},
		{"retryMaxWait 0s", []string{"config.retryMaxWait=0s"}, "retryMaxWait"},
		{"dedupMax 0", []string{"config.dedupMax=0"}, "dedupMax"},
		{"dedupMax not a number", []string{"config.dedupMax=lots"}, "dedupMax"},
		{"historyMax negative", []string{"config.historyMax=-1"}, "historyMax"},
		{"historyMaxAge 0s", []string{"config.historyMaxAge=0s"}, "historyMaxAge"},
		{"shutdownTimeout 0s", []string{"config.shutdownTimeout=0s"}, "shutdownTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := render(t, valueSet{set: tt.set})
			if err == nil {
				t.Fatalf("--set %v renders; the relay would refuse it at start-up", tt.set)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v does not mention %q", err, tt.want)
			}
		})
	}
}

// The template checks above stand for refusals of the relay: the same
// robots written straight into RELAY_ROBOTS stop it at start-up.
func TestRelayRefusesWhatTheChartRefuses(t *testing.T) {
	tests := []struct {
		name, robots, rate, want string
	}{
		{"secret on WeCom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k&secret=s", "", "secret= is not a parameter of wecom robots"},
		{"keywords on WeCom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k&keywords=CODING", "", "keywords= is not a parameter of wecom robots"},
		{"format on DingTalk", "https://oapi.dingtalk.com/robot/send?access_token=t&format=markdown_v2", "", "format= is not a parameter of dingtalk robots"},
		{"format on Feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/t?format=markdown", "", "format= is not a parameter of feishu robots"},
		{"unknown host", "https://robots.example.com/send?access_token=t", "", "unknown robot host"},
		{"inflight on a paced Feishu robot", "https://open.feishu.cn/open-apis/bot/v2/hook/t?inflight=2", "", "needs pacing off"},
		{"inflight with RELAY_RATE_LIMIT", "https://oapi.dingtalk.com/robot/send?access_token=t&inflight=2", "5/1s", "needs pacing off"},
		{"a zero in a rate list", "https://open.feishu.cn/open-apis/bot/v2/hook/t?rate=0/1m,5/1s", "", "rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"RELAY_ROBOTS": tt.robots}
			if tt.rate != "" {
				env["RELAY_RATE_LIMIT"] = tt.rate
			}
			ok, out := startRelay(t, env, nil)
			if ok {
				t.Fatalf("the relay starts with RELAY_ROBOTS=%s; the chart need not refuse it", tt.robots)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("the relay refuses with %q, want %q", lastLine(out), tt.want)
			}
		})
	}
	// And what the chart lets through for Feishu, the relay takes.
	ok, out := startRelay(t, map[string]string{"RELAY_ROBOTS": "https://open.feishu.cn/open-apis/bot/v2/hook/t?secret=s&keywords=CODING&rate=100/1m,5/1s"}, nil)
	if !ok {
		t.Errorf("the relay refuses a Feishu robot with secret, keywords and a rate list: %s", lastLine(out))
	}
}
