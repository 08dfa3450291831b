package robot_test

import (
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/translate"
)

var parser = robot.Parser{Kinds: []robot.Kind{dingtalk.Kind{}, wecom.Kind{}, feishu.Kind{}}}

func TestParseEveryKind(t *testing.T) {
	tests := []struct {
		raw, kind, cred, display string
		target                   translate.Target
		limits                   string
	}{
		{"https://oapi.dingtalk.com/robot/send?access_token=T1&secret=S", "dingtalk", "T1", "https://oapi.dingtalk.com/robot/send", dingtalk.Target, "20/1m0s"},
		{"https://oapi.dingtalk.io/robot/send?access_token=T2", "dingtalk", "T2", "https://oapi.dingtalk.io/robot/send", dingtalk.Target, "20/1m0s"},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K1&format=markdown_v2", "wecom", "K1", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", wecom.TargetV2, "20/1m0s"},
		{"https://open.feishu.cn/open-apis/bot/v2/hook/F1?secret=S&keywords=CODING", "feishu", "F1", "https://open.feishu.cn/open-apis/bot/v2/hook/…", feishu.Target, "100/1m0s,5/1s"},
		{"https://open.larksuite.com/open-apis/bot/v2/hook/F2", "feishu", "F2", "https://open.larksuite.com/open-apis/bot/v2/hook/…", feishu.Target, "100/1m0s,5/1s"},
		{"feishu+http://127.0.0.1:9400/open-apis/bot/v2/hook/F3", "feishu", "F3", "http://127.0.0.1:9400/open-apis/bot/v2/hook/…", feishu.Target, "100/1m0s,5/1s"},
		{"WeCom+http://127.0.0.1:9400/cgi-bin/webhook/send?key=K2", "wecom", "K2", "http://127.0.0.1:9400/cgi-bin/webhook/send", wecom.Target, "20/1m0s"},
	}
	for _, tt := range tests {
		rs, err := parser.Parse(tt.raw)
		if err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		r := rs[0]
		if r.KindName() != tt.kind || r.Endpoint.Credential() != tt.cred || r.Endpoint.Display() != tt.display ||
			r.Endpoint.Target() != tt.target || r.Kind.Limits().String() != tt.limits || r.Name != tt.kind+"-1" || r.Fingerprint == "" {
			t.Errorf("%s: got %s %q %q %s %s %s", tt.raw, r.KindName(), r.Endpoint.Credential(), r.Endpoint.Display(), r.Endpoint.Target(), r.Kind.Limits(), r.Name)
		}
	}
}

// TestParseErrorsHideCredentials: every error names the robot and the
// problem, never a token, key, path token or secret.
func TestParseErrorsHideCredentials(t *testing.T) {
	const secret = "SECRETXYZ"
	tests := []struct{ raw, want string }{
		{"https://open.feishu.cn/open-apis/bot/v2/hook/" + secret + "?colour=red", `unknown parameter "colour"`},
		{"https://open.feishu.cn/open-apis/bot/v2/hook/" + secret + "?format=markdown_v2", "format= is not a parameter of feishu robots"},
		{"https://open.feishu.cn/open-apis/bot/v2/hook/?secret=" + secret, "missing the bot's token"},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + secret + "&secret=x", "secret= is not a parameter of wecom robots"},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + secret + "&format=v3", `format "v3"`},
		{"https://oapi.dingtalk.com/robot/send?secret=" + secret, "missing access_token"},
		{"https://example.com/hook/" + secret, "unknown robot host"},
		{"slack+https://example.com/hook/" + secret, `unknown kind prefix "slack+"`},
		{"https://open.feishu.cn/open-apis/bot/v2/hook/" + secret + "#x", "%23"},
		{"https://u:" + secret + "@open.feishu.cn/open-apis/bot/v2/hook/T?name=a&name=b", "given 2 times"},
		{"https://oapi.dingtalk.com/robot/send?access_token=" + secret + "&rate=100/1m,0/1s", "rate"},
	}
	for _, tt := range tests {
		_, err := parser.Parse(tt.raw)
		if err == nil {
			t.Errorf("%s: accepted", tt.raw)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %q does not say %q", tt.raw, err, tt.want)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error leaks the credential: %v", tt.raw, err)
		}
	}
}

func TestParseLimits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"20/1m", "20/1m0s"}, {"100/1m,5/1s", "100/1m0s,5/1s"}, {"0", "0"}, {"off", "0"}, {"0/1m", "0"},
	}
	for _, tt := range tests {
		l, err := robot.ParseLimits(tt.in)
		if err != nil || l.String() != tt.want {
			t.Errorf("ParseLimits(%q) = %v, %v; want %s", tt.in, l, err, tt.want)
		}
	}
	for _, bad := range []string{"", "20", "x/1m", "20/x", "-1/1m", "5/0s", "100/1m,0/1s", "100/1m,"} {
		if _, err := robot.ParseLimits(bad); err == nil {
			t.Errorf("ParseLimits(%q) accepted", bad)
		}
	}
}
