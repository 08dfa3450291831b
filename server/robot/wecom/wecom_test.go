package wecom_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/translate"
)

func TestSendClassifiesAnswers(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantErr   bool
		retryable bool
		code      int
	}{
		{"ok", 200, `{"errcode":0,"errmsg":"ok"}`, false, false, 0},
		{"freq limit", 200, `{"errcode":45009,"errmsg":"api freq out of limit"}`, true, true, 45009},
		{"busy", 200, `{"errcode":-1,"errmsg":"system busy"}`, true, true, -1},
		{"bad key", 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`, true, false, 93000},
		{"too long", 200, `{"errcode":40058,"errmsg":"content exceed max length"}`, true, false, 40058},
		{"bad type", 200, `{"errcode":40008,"errmsg":"invalid message type"}`, true, false, 40008},
		{"empty", 200, `{"errcode":44004,"errmsg":"empty content"}`, true, false, 44004},
		{"server error", 503, ``, true, true, 0},
		{"bad request", 400, ``, true, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotKey string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.ReadAll(r.Body)
				gotKey = r.URL.Query().Get("key")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			u, _ := url.Parse(srv.URL + "/cgi-bin/webhook/send?key=KEY-SECRET-9")
			err := wecom.New(u, wecom.FormatMarkdown).Send(context.Background(), srv.Client(), msg, "")
			if gotKey != "KEY-SECRET-9" {
				t.Errorf("robot got key %q", gotKey)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil {
				return
			}
			var re *robot.Error
			if !errors.As(err, &re) || re.Retryable() != tt.retryable || re.ErrCode() != tt.code {
				t.Fatalf("err = %#v, want retry=%v code=%d", err, tt.retryable, tt.code)
			}
			if strings.Contains(err.Error(), "KEY-SECRET-9") {
				t.Errorf("error leaks the key: %v", err)
			}
		})
	}
}

func TestSendHangingRobotTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(func() { close(release); srv.Close() })
	u, _ := url.Parse(srv.URL + "/cgi-bin/webhook/send?key=KEY-SECRET-9")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := wecom.New(u, wecom.FormatMarkdown).Send(ctx, srv.Client(), msg, "")
	var re *robot.Error
	if !errors.As(err, &re) || !re.Retryable() || strings.Contains(err.Error(), "KEY-SECRET-9") {
		t.Fatalf("err = %v, want a retryable, redacted timeout", err)
	}
}

// msg is a small WeCom message.
var msg = translate.Message{Target: wecom.Target, Title: "t", Text: "x"}

func TestBodyMarkdownV2DropsColoursOfAV1Message(t *testing.T) {
	m := translate.Message{Target: wecom.Target, Title: "t", Text: "build <font color=\"warning\">failed</font> & done"}
	b, err := wecom.Body(m, wecom.FormatMarkdownV2)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"msgtype":"markdown_v2","markdown_v2":{"content":"build failed & done"}}` {
		t.Errorf("body %s", b)
	}
}

func TestBodyRefusesAnotherKindsMessage(t *testing.T) {
	if _, err := wecom.Body(translate.Message{Target: "dingtalk", Text: "x"}, wecom.FormatMarkdown); err == nil {
		t.Error("a DingTalk message got a WeCom body")
	}
}

func TestBody(t *testing.T) {
	m := translate.Message{Target: wecom.Target, Title: "ignored", Text: "x <@u1> & \"q\"", AtUserIDs: []string{"u1"}}
	b, err := wecom.Body(m, wecom.FormatMarkdown)
	if err != nil || string(b) != `{"msgtype":"markdown","markdown":{"content":"x <@u1> & \"q\""}}` {
		t.Errorf("Body = %s, %v", b, err)
	}
	m.Target = wecom.TargetV2
	if b, err := wecom.Body(m, wecom.FormatMarkdownV2); err != nil || string(b) != `{"msgtype":"markdown_v2","markdown_v2":{"content":"x <@u1> & \"q\""}}` {
		t.Errorf("Body = %s, %v", b, err)
	}
}

// TestSize: WeCom limits the content, in bytes, whatever the format.
func TestSize(t *testing.T) {
	for _, d := range []wecom.Dialect{wecom.Markdown, wecom.MarkdownV2} {
		m := translate.Message{Target: d.Name(), Title: "t", Text: strings.Repeat("汉", 1365) + "a"}
		if d.Size(m) != wecom.MaxContent || d.Limit() != wecom.MaxContent {
			t.Errorf("%s: Size %d, Limit %d", d.Name(), d.Size(m), d.Limit())
		}
	}
}
