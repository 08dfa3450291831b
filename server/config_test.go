package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/translate/coding"
)

func load(tb testing.TB, env map[string]string) (*server.Config, error) {
	tb.Helper()
	return server.LoadConfig(context.Background(), envconfig.MapLookuper(env), testRegistry)
}

func TestConfigDefaults(t *testing.T) {
	c, err := load(t, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.SendTimeout != 5*time.Second || c.MaxBody != 1<<20 || c.BodyBudget != 16<<20 || c.Timezone != "Asia/Shanghai" ||
		c.LogFormat != "json" || c.RateLimit != nil || c.RateLimitSet || c.RetryMaxAge != 12*time.Hour || c.RetryMaxWait != time.Minute ||
		c.Language != "zh" || len(c.RobotList) != 0 {
		t.Errorf("defaults: %+v", c)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"RELAY_SEND_TIMEOUT": "soon"}, []string{"RELAY_SEND_TIMEOUT"}},
		{map[string]string{"RELAY_SEND_TIMEOUT": "0s"}, []string{"RELAY_SEND_TIMEOUT", "greater than"}},
		{map[string]string{"RELAY_RETRY_MAX_WAIT": "soon"}, []string{"RELAY_RETRY_MAX_WAIT"}},
		{map[string]string{"RELAY_RETRY_MAX_WAIT": "100ms"}, []string{"RELAY_RETRY_MAX_WAIT", "at least 1s"}},
		{map[string]string{"RELAY_RETRY_MAX_WAIT": "2h"}, []string{"RELAY_RETRY_MAX_WAIT", "at most 1h"}},
		{map[string]string{"RELAY_MAX_BODY": "lots"}, []string{"RELAY_MAX_BODY", "MiB"}},
		{map[string]string{"RELAY_TIMEZONE": "Mars/Base"}, []string{"RELAY_TIMEZONE", "IANA"}},
		{map[string]string{"RELAY_LOG_FORMAT": "xml"}, []string{"RELAY_LOG_FORMAT", "json | console"}},
		{map[string]string{"RELAY_LOG_LEVEL": "loud"}, []string{"RELAY_LOG_LEVEL", "debug"}},
		{map[string]string{"RELAY_RATE_LIMIT": "fast"}, []string{"RELAY_RATE_LIMIT", "N/duration"}},
		{map[string]string{"RELAY_LANGUAGE": "fr"}, []string{"RELAY_LANGUAGE", "zh | en"}},
		{map[string]string{"RELAY_ROBOTS": "https://example.com/hook?token=x"}, []string{"RELAY_ROBOTS", "dingtalk+"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&colour=red"}, []string{"RELAY_ROBOTS", `"colour"`}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&rate=lots"}, []string{"RELAY_ROBOTS", "rate"}},
		{map[string]string{"RELAY_ROBOTS": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETTOKEN&secret=x"}, []string{"RELAY_ROBOTS", "not a parameter of wecom robots"}},
		{map[string]string{"RELAY_ROBOTS": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, []string{"RELAY_ROBOTS", "missing key"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&format=markdown_v2"}, []string{"RELAY_ROBOTS", "format"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&name=a https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN2&name=a"}, []string{"RELAY_ROBOTS", "used twice"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&branches=[x"}, []string{"RELAY_ROBOTS", "glob"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&inflight=4"}, []string{"RELAY_ROBOTS", "inflight=4 needs pacing off"}},
		{map[string]string{"RELAY_ROBOTS": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETTOKEN&keywords=CODING"}, []string{"RELAY_ROBOTS", "not a parameter of wecom robots"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&keywords=C#1&name=x"}, []string{"RELAY_ROBOTS", "%23"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&events=push https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&events=ci&template=brief"}, []string{"RELAY_ROBOTS", "robots 1 dingtalk-1 and 2 dingtalk-2", "same dingtalk robot", "rate="}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&events=push&rate=10/1m https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&events=ci"}, []string{"RELAY_ROBOTS", "same dingtalk robot"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&keywords=a,b,c,d,e,f,g,h,i,j,k"}, []string{"RELAY_ROBOTS", "at most 10"}},
		{map[string]string{"RELAY_ROBOTS": "https://open.feishu.cn/open-apis/bot/v2/hook/SECRETTOKEN?keywords=a,b,c,d,e,f,g,h,i,j,k"}, []string{"RELAY_ROBOTS", "at most 10"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&inflight=4&rate=5/5s", "RELAY_RATE_LIMIT": "0"}, []string{"RELAY_ROBOTS", "needs pacing off"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&inflight=0&rate=0"}, []string{"RELAY_ROBOTS", "inflight", "1 to 64"}},
		{map[string]string{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=SECRETTOKEN&inflight=many&rate=0"}, []string{"RELAY_ROBOTS", "inflight"}},
		{map[string]string{"RELAY_REDIS_URL": "http://u:SECRETTOKEN@redis:6379/0"}, []string{"RELAY_REDIS_URL", `"http" is not redis or rediss`}},
		{map[string]string{"RELAY_REDIS_URL": "redis://u:SECRETTOKEN@[::1/0"}, []string{"RELAY_REDIS_URL", "not a URL"}},
		{map[string]string{"RELAY_REDIS_URL": "redis:///0"}, []string{"RELAY_REDIS_URL", "no host"}},
	}
	for _, tt := range tests {
		_, err := load(t, tt.env)
		if err == nil {
			t.Errorf("%v: no error", tt.env)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not mention %q", tt.env, err, w)
			}
		}
		if strings.Contains(err.Error(), "SECRETTOKEN") {
			t.Errorf("error leaks the token: %v", err)
		}
	}
}

func TestConfigSharedRobotWithItsShares(t *testing.T) {
	// One group, two entries: allowed when each states its share, or when
	// pacing is off altogether.
	for _, env := range []map[string]string{
		{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=T&events=push&rate=10/1m https://oapi.dingtalk.com/robot/send?access_token=T&events=ci&rate=10/1m"},
		{"RELAY_ROBOTS": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K&template=brief", "RELAY_RATE_LIMIT": "0"},
		{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=T1 https://oapi.dingtalk.com/robot/send?access_token=T2"},
	} {
		if _, err := load(t, env); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
}

func TestConfigInflightWithoutPacing(t *testing.T) {
	for _, env := range []map[string]string{
		{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=T&inflight=8&rate=0"},
		{"RELAY_ROBOTS": "https://oapi.dingtalk.com/robot/send?access_token=T&inflight=8", "RELAY_RATE_LIMIT": "0"},
	} {
		c, err := load(t, env)
		if err != nil {
			t.Fatalf("%v: %v", env, err)
		}
		if r := c.RobotList[0]; r.Inflight != 8 || r.Endpoint.Credential() != "T" {
			t.Errorf("%v: robot = %+v", env, r)
		}
	}
}

func TestParseRobots(t *testing.T) {
	robots, err := parseRobots(`
https://oapi.dingtalk.com/robot/send?access_token=T1&secret=S1&name=backend&events=push,merge%20request,GIT_MR_CREATED&branches=main,release/*,
https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K1,https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K2&rate=5/5s&format=markdown_v2
dingtalk+http://127.0.0.1:9400/robot/send?access_token=T2&template=brief&keywords=CODING,%E9%80%9A%E7%9F%A5 wecom+http://127.0.0.1:9400/cgi-bin/webhook/send?key=K3&projects=demo-*`)
	if err != nil {
		t.Fatal(err)
	}
	if len(robots) != 5 {
		t.Fatalf("got %d robots", len(robots))
	}
	want := []struct {
		name string
		kind string
		cred string
	}{
		{"backend", "dingtalk", "T1"},
		{"wecom-1", "wecom", "K1"},
		{"wecom-2", "wecom", "K2"},
		{"dingtalk-2", "dingtalk", "T2"},
		{"wecom-3", "wecom", "K3"},
	}
	for i, w := range want {
		r := robots[i]
		if r.Name != w.name || r.KindName() != w.kind || r.Endpoint.Credential() != w.cred {
			t.Errorf("robot %d = %s %s %s, want %+v", i, r.Name, r.KindName(), r.Endpoint.Credential(), w)
		}
	}
	b := robots[0]
	if !b.Endpoint.Signed() || strings.Join(b.Events, ",") != "push,merge_request,merge_request" || strings.Join(b.Branches, ",") != "main,release/*" {
		t.Errorf("backend = %+v", b)
	}
	if robots[2].Limits.String() != "5/5s" || !robots[2].LimitsSet || robots[2].Endpoint.Target() != wecom.TargetV2 {
		t.Errorf("wecom-2 = %+v", robots[2])
	}
	if robots[3].Template != "brief" || strings.Join(robots[3].Endpoint.(*dingtalk.Endpoint).Keywords(), ",") != "CODING,通知" {
		t.Errorf("dingtalk-2 = %+v", robots[3])
	}
	if d := robots[3].Endpoint.Display(); d != "http://127.0.0.1:9400/robot/send" {
		t.Errorf("Display = %q", d)
	}
}

func TestRobotFilters(t *testing.T) {
	robots, err := parseRobots("https://oapi.dingtalk.com/robot/send?access_token=T&events=push,merge_request&branches=main,release/*&projects=uc-*")
	if err != nil {
		t.Fatal(err)
	}
	r := robots[0]
	tests := []struct {
		name, event, body string
		want              bool
	}{
		{"push to main", "push", `{"ref":"refs/heads/main","repository":{"name":"uc-api"}}`, true},
		{"push to release", "push", `{"ref":"refs/heads/release/1.2","repository":{"name":"uc-api"}}`, true},
		{"push to feature", "push", `{"ref":"refs/heads/feature/x","repository":{"name":"uc-api"}}`, false},
		{"other project", "push", `{"ref":"refs/heads/main","repository":{"name":"web"}}`, false},
		{"service hook push", "GIT_PUSHED", `{"ref":"refs/heads/main","repository":{"name":"uc-api"}}`, true},
		{"MR into main", "merge request", `{"action":"create","mergeRequest":{"base":{"ref":"main"}},"repository":{"name":"uc-api"}}`, true},
		{"ci not wanted", "ci", `{"ci":{"build":{"branch":"main"}},"repository":{"name":"uc-api"}}`, false},
	}
	for _, tt := range tests {
		ev, err := coding.Decode(tt.event, []byte(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Wants(ev); got != tt.want {
			t.Errorf("%s: Wants = %v", tt.name, got)
		}
	}
}
