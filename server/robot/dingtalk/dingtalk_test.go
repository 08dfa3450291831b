package dingtalk_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/translate"
)

// fakeRobot answers like DingTalk: HTTP 200 with an errcode, and checks the
// signature when the test gives a secret.
func fakeRobot(tb testing.TB, secret string, answer func(n int) (int, string)) (*httptest.Server, *[]http.Request) {
	tb.Helper()
	var seen []http.Request
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		seen = append(seen, *r)
		n++
		if secret != "" {
			ts, sign := r.URL.Query().Get("timestamp"), r.URL.Query().Get("sign")
			if sign == "" || dingtalk.Sign(secret, ts) != sign {
				_, _ = w.Write([]byte(`{"errcode":310000,"errmsg":"sign not match"}`))
				return
			}
			ms, _ := strconv.ParseInt(ts, 10, 64)
			if time.Since(time.UnixMilli(ms)).Abs() > time.Hour {
				_, _ = w.Write([]byte(`{"errcode":310000,"errmsg":"invalid timestamp"}`))
				return
			}
		}
		status, body := answer(n)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	tb.Cleanup(srv.Close)
	return srv, &seen
}

// msg is a small DingTalk message.
var msg = translate.Message{Target: dingtalk.Target, Title: "t", Text: "x"}

func robotURL(tb testing.TB, base string) *url.URL {
	tb.Helper()
	u, err := url.Parse(base + "/robot/send?access_token=TOKEN-SECRET-123")
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestSendClassifiesAnswers(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantErr   bool
		retryable bool
		wait      time.Duration
		code      int
	}{
		{"ok", 200, `{"errcode":0,"errmsg":"ok"}`, false, false, 0, 0},
		{"throttled", 200, `{"errcode":130101,"errmsg":"send too fast"}`, true, true, dingtalk.Throttle, 130101},
		{"rate limited", 200, `{"errcode":410100,"errmsg":"rate"}`, true, true, time.Minute, 410100},
		{"busy", 200, `{"errcode":-1,"errmsg":"system busy"}`, true, true, 0, -1},
		{"keyword", 200, `{"errcode":310000,"errmsg":"keywords not in content"}`, true, false, 0, 310000},
		{"token gone", 200, `{"errcode":300005,"errmsg":"token is not exist"}`, true, false, 0, 300005},
		{"too long", 200, `{"errcode":460101,"errmsg":"body too long"}`, true, false, 0, 460101},
		{"bad content type", 200, `{"errcode":43004,"errmsg":"bad ct"}`, true, false, 0, 43004},
		{"server error", 502, `bad gateway`, true, true, 0, 0},
		{"too many requests", 429, ``, true, true, 0, 0},
		{"not found", 404, `nope`, true, false, 0, 0},
		{"not json", 200, `<html>maintenance</html>`, true, true, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := fakeRobot(t, "", func(int) (int, string) { return tt.status, tt.body })
			c := dingtalk.New(robotURL(t, srv.URL), "")
			err := c.Send(context.Background(), srv.Client(), msg, "")
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil {
				return
			}
			var re *robot.Error
			if !errors.As(err, &re) {
				t.Fatalf("error %T is not a *robot.Error", err)
			}
			if re.Retryable() != tt.retryable || re.RetryAfter() != tt.wait || re.ErrCode() != tt.code {
				t.Errorf("got retry=%v wait=%v code=%d, want %v %v %d", re.Retryable(), re.RetryAfter(), re.ErrCode(), tt.retryable, tt.wait, tt.code)
			}
			if strings.Contains(err.Error(), "TOKEN-SECRET-123") {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestSendSignsEveryRequestFreshly(t *testing.T) {
	const secret = "SEC0123456789abcdef"
	srv, seen := fakeRobot(t, secret, func(int) (int, string) { return 200, `{"errcode":0,"errmsg":"ok"}` })
	u := robotURL(t, srv.URL)
	c := dingtalk.New(u, secret)
	for range 3 {
		if err := c.Send(context.Background(), srv.Client(), msg, ""); err != nil {
			t.Fatalf("signed send rejected: %v", err)
		}
	}
	for _, r := range *seen {
		q := r.URL.Query()
		if len(q["timestamp"]) != 1 || len(q["sign"]) != 1 {
			t.Errorf("query %v: want exactly one timestamp and sign", q)
		}
		if q.Get("secret") != "" {
			t.Error("the secret itself was sent")
		}
		if r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
		}
	}
	if strings.Contains(u.RawQuery, "sign") {
		t.Error("signing changed the stored URL")
	}
}

func TestSendWrongSecretIsPermanent(t *testing.T) {
	srv, _ := fakeRobot(t, "right", func(int) (int, string) { return 200, `{"errcode":0}` })
	err := dingtalk.New(robotURL(t, srv.URL), "wrong").Send(context.Background(), srv.Client(), msg, "")
	var re *robot.Error
	if !errors.As(err, &re) || re.Code != 310000 || re.Retryable() {
		t.Fatalf("err = %v, want permanent 310000", err)
	}
}

func TestSendTimeoutIsRetryableAndRedacted(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	c := dingtalk.New(robotURL(t, srv.URL), "s3cr3t")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := c.Send(ctx, srv.Client(), msg, "")
	var re *robot.Error
	if !errors.As(err, &re) || !re.Retryable() {
		t.Fatalf("err = %v, want retryable", err)
	}
	for _, secret := range []string{"TOKEN-SECRET-123", "s3cr3t", "sign=", "access_token"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q leaks %q", err, secret)
		}
	}
}

func TestSendBodyCarriesTheMessage(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&got)
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(srv.Close)
	if err := dingtalk.New(robotURL(t, srv.URL), "").Send(context.Background(), srv.Client(), msg, "u-1"); err != nil {
		t.Fatal(err)
	}
	md, _ := got["markdown"].(map[string]any)
	if got["msgUuid"] != "u-1" || got["msgtype"] != "markdown" || md["title"] != "t" || md["text"] != "x" {
		t.Errorf("robot got %v", got)
	}
}

func TestBody(t *testing.T) {
	tests := []struct {
		name string
		m    translate.Message
		uuid string
		want string
	}{
		{"plain", translate.Message{Target: dingtalk.Target, Title: "t & <b>", Text: `a <font color="#1a9c3c">ok</font> & "q"`}, "",
			`{"msgtype":"markdown","markdown":{"title":"t & <b>","text":"a <font color=\"#1a9c3c\">ok</font> & \"q\""}}`},
		{"uuid and mentions", translate.Message{Target: dingtalk.Target, Title: "t", Text: "x\n\n@13800000000", AtMobiles: []string{"13800000000"}}, "u-1",
			`{"msgtype":"markdown","markdown":{"title":"t","text":"x\n\n@13800000000"},"at":{"atMobiles":["13800000000"],"atUserIds":[],"isAtAll":false},"msgUuid":"u-1"}`},
		{"event for a title", translate.Message{Target: dingtalk.Target, Event: "push", Text: "x"}, "",
			`{"msgtype":"markdown","markdown":{"title":"push","text":"x"}}`},
	}
	for _, tt := range tests {
		b, err := dingtalk.Body(tt.m, tt.uuid)
		if err != nil || string(b) != tt.want {
			t.Errorf("%s: Body =\n%s (%v)\nwant\n%s", tt.name, b, err, tt.want)
		}
	}
	if _, err := dingtalk.Body(translate.Message{Target: "wecom"}, ""); err == nil {
		t.Error("a WeCom message got a DingTalk body")
	}
}

// TestSize: the whole body with room for a msgUuid must stay under
// MaxBody, so Size is the body's length with a 36-character UUID and more.
func TestSize(t *testing.T) {
	d := dingtalk.Dialect{}
	m := translate.Message{Target: dingtalk.Target, Title: "t", Text: strings.Repeat("b\"", 6000), AtUserIDs: []string{"u"}}
	b, _ := dingtalk.Body(m, "123e4567-e89b-12d3-a456-426614174000")
	if d.Size(m) <= len(b) {
		t.Errorf("Size %d, body with a UUID %d bytes", d.Size(m), len(b))
	}
	if d.Limit() != dingtalk.MaxBody-1 {
		t.Errorf("Limit %d", d.Limit())
	}
}
