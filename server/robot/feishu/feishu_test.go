package feishu_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/translate"
)

const token = "FEISHU-TOKEN-SECRET-77"

var msg = translate.Message{Target: feishu.Target, Event: "ci", Title: "构建失败", Text: "**tom** 的构建 失败", Link: "https://t.coding.net/p/x/ci/job/1/build/2/pipeline", Outcome: translate.OutcomeFailure, Lang: "zh"}

// fakeBot answers like Feishu: HTTP 200 with {"code":0} on success, and
// checks the signature in the body when a secret is given.
func fakeBot(tb testing.TB, secret string, answer func() (int, string)) (*httptest.Server, *[]map[string]any) {
	tb.Helper()
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		got = append(got, m)
		if !strings.HasSuffix(r.URL.Path, "/open-apis/bot/v2/hook/"+token) {
			_, _ = w.Write([]byte(`{"code":19001,"msg":"param invalid: incoming webhook access token invalid","data":{}}`))
			return
		}
		if secret != "" {
			ts, _ := m["timestamp"].(string)
			mac := hmac.New(sha256.New, []byte(ts+"\n"+secret))
			if m["sign"] != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
				_, _ = w.Write([]byte(`{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time","data":{}}`))
				return
			}
		}
		status, body := 200, `{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}`
		if answer != nil {
			status, body = answer()
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	tb.Cleanup(srv.Close)
	return srv, &got
}

func hookURL(tb testing.TB, base string) *url.URL {
	tb.Helper()
	u, err := url.Parse(base + "/open-apis/bot/v2/hook/" + token)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestSendClassifiesAnswers(t *testing.T) {
	tests := []struct {
		name           string
		status         int
		body           string
		wantErr, retry bool
		code           int
		wait           time.Duration
	}{
		{"ok", 200, `{"code":0,"msg":"success","data":{}}`, false, false, 0, 0},
		{"old ok", 200, `{"StatusCode":0,"StatusMessage":"success"}`, false, false, 0, 0},
		{"throttled", 200, `{"code":11232,"msg":"frequency limited psm"}`, true, true, 11232, feishu.Throttled},
		{"sign", 200, `{"code":19021,"msg":"sign match fail"}`, true, false, 19021, 0},
		{"ip", 200, `{"code":19022,"msg":"ip not allowed"}`, true, false, 19022, 0},
		{"keyword", 200, `{"code":19024,"msg":"Key Words Not Found"}`, true, false, 19024, 0},
		{"token", 200, `{"code":19001,"msg":"param invalid"}`, true, false, 19001, 0},
		{"bad request with code", 400, `{"code":9499,"msg":"Bad Request"}`, true, false, 9499, 0},
		{"gateway", 502, `<html>bad gateway</html>`, true, true, 0, 0},
		{"not the bot", 200, `<html>maintenance</html>`, true, true, 0, 0},
		{"not found", 404, `nope`, true, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := fakeBot(t, "", func() (int, string) { return tt.status, tt.body })
			err := feishu.New(hookURL(t, srv.URL), "").Send(context.Background(), srv.Client(), msg, "")
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil {
				return
			}
			var re *robot.Error
			if !errors.As(err, &re) || re.Retryable() != tt.retry || re.ErrCode() != tt.code || re.RetryAfter() != tt.wait {
				t.Fatalf("err = %#v, want retry=%v code=%d wait=%v", err, tt.retry, tt.code, tt.wait)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestSendSignsInTheBody(t *testing.T) {
	const secret = "feishu-sign-secret"
	srv, got := fakeBot(t, secret, nil)
	ep := feishu.New(hookURL(t, srv.URL), secret)
	for range 2 {
		if err := ep.Send(context.Background(), srv.Client(), msg, ""); err != nil {
			t.Fatalf("signed send rejected: %v", err)
		}
	}
	for _, m := range *got {
		ts, _ := m["timestamp"].(string)
		if len(ts) != 10 || m["sign"] == "" {
			t.Errorf("timestamp %q (want seconds) sign %v", ts, m["sign"])
		}
		if strings.Contains(toJSON(t, m), secret) {
			t.Error("the secret itself was sent")
		}
	}
	err := feishu.New(hookURL(t, srv.URL), "wrong").Send(context.Background(), srv.Client(), msg, "")
	var re *robot.Error
	if !errors.As(err, &re) || re.Code != 19021 || re.Retryable() {
		t.Errorf("wrong secret: err = %v, want permanent 19021", err)
	}
}

func TestCard(t *testing.T) {
	b, err := feishu.New(hookURL(t, "https://open.feishu.cn"), "").Body(msg, "")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		MsgType string `json:"msg_type"`
		Card    struct {
			Header struct {
				Title    struct{ Content string } `json:"title"`
				Template string                   `json:"template"`
			} `json:"header"`
			Elements []struct {
				Tag     string `json:"tag"`
				Content string `json:"content"`
				Actions []struct {
					Text struct{ Content string } `json:"text"`
					URL  string                   `json:"url"`
				} `json:"actions"`
			} `json:"elements"`
		} `json:"card"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	els := c.Card.Elements
	if c.MsgType != "interactive" || c.Card.Header.Title.Content != msg.Title || c.Card.Header.Template != "red" ||
		len(els) != 2 || els[0].Tag != "markdown" || els[0].Content != msg.Text ||
		els[1].Tag != "action" || els[1].Actions[0].URL != msg.Link || els[1].Actions[0].Text.Content != "查看详情" {
		t.Errorf("card %s", b)
	}
	noLink := msg
	noLink.Link = ""
	b, _ = feishu.New(hookURL(t, "https://open.feishu.cn"), "").Body(noLink, "")
	if strings.Contains(string(b), `"button"`) {
		t.Errorf("a message without a link has a button: %s", b)
	}
}

// TestFittingMessageFitsTheBody checks the dialect's size accounting
// against the card Send posts, signed, at the limit.
func TestFittingMessageFitsTheBody(t *testing.T) {
	m := msg
	m.Link = "https://t.coding.net/" + strings.Repeat("p", 300)
	m.Title = strings.Repeat("标题", 60)
	d := feishu.Dialect{}
	fits := func(m translate.Message) bool { return d.Size(m) <= d.Limit() }
	for i := 0; fits(m); i++ {
		m.Text += "一行\"<文字>\"\n"
	}
	m.Text = m.Text[:strings.LastIndex(strings.TrimSuffix(m.Text, "\n"), "\n")+1]
	if !fits(m) {
		t.Fatal("could not build a fitting message")
	}
	srv, _ := fakeBot(t, "s", nil)
	if err := feishu.New(hookURL(t, srv.URL), "s").Send(context.Background(), srv.Client(), m, ""); err != nil {
		t.Fatal(err)
	}
	b, _ := feishu.Body(m, time.Now().Unix(), feishu.Sign("s", time.Now().Unix()))
	if len(b) > feishu.MaxBody || len(b) != d.Size(m) {
		t.Errorf("body %d bytes, Size %d, limit %d", len(b), d.Size(m), feishu.MaxBody)
	}
}

func TestKindHidesTheTokenInThePath(t *testing.T) {
	k := feishu.Kind{}
	for _, raw := range []string{
		"https://open.feishu.cn/open-apis/bot/v2/hook/" + token,
		"https://open.larksuite.com/open-apis/bot/v2/hook/" + token + "/",
	} {
		u, _ := url.Parse(raw)
		if !k.Match(u) {
			t.Errorf("%s not recognised", raw)
		}
		ep, err := k.Open(u, url.Values{})
		if err != nil {
			t.Fatal(err)
		}
		if ep.Credential() != token || strings.Contains(ep.Display(), token) || strings.Contains(k.Redact(u), token) {
			t.Errorf("%s: credential %q display %q", raw, ep.Credential(), ep.Display())
		}
	}
	u, _ := url.Parse("https://open.feishu.cn/open-apis/bot/v2/hook/")
	if _, err := k.Open(u, url.Values{}); err == nil {
		t.Error("a hook URL without a token was accepted")
	}
}

func toJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
