package deploy

import (
	"bytes"
	"context"
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
			if m.Secret != nil {
				if v, ok := m.Secret.Data[e.ValueFrom.SecretKeyRef.Key]; ok {
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
		{"dedupMax from --set", valueSet{set: []string{"config.dedupMax=2500000"}}},
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

// What the relay would refuse at start-up, the chart refuses at install or
// upgrade time (schema, or a template check for what a schema cannot say).
func TestChartRefusesWhatTheRelayRefuses(t *testing.T) {
	const wecom = "robots[0].url=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
	const ding = "robots[0].url=https://oapi.dingtalk.com/robot/send?access_token=t"
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
		{"keywords on WeCom", []string{wecom, "robots[0].keywords=CODING"}, "DingTalk robots only"},
		{"secret on WeCom", []string{wecom, "robots[0].secret=SEC1"}, "DingTalk robots only"},
		{"markdown_v2 on DingTalk", []string{ding, "robots[0].format=markdown_v2"}, "WeCom robots only"},
		{"inflight while paced", []string{ding, "robots[0].inflight=4"}, "pacing off"},
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
