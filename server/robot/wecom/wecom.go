// Package wecom is the WeCom group robot (企业微信群机器人) kind: key=
// URLs (the only credential, no signing), markdown or markdown_v2.
package wecom

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/translate"
)

// Message formats a WeCom robot takes (format=).
const (
	FormatMarkdown   = "markdown"
	FormatMarkdownV2 = "markdown_v2"
)

// Kind is the WeCom robot kind.
type Kind struct{}

var _ robot.Kind = Kind{}

// Name is "wecom".
func (Kind) Name() string { return "wecom" }

// Match recognises WeCom's API host.
func (Kind) Match(u *url.URL) bool { return strings.EqualFold(u.Hostname(), "qyapi.weixin.qq.com") }

// Params is format= (markdown or markdown_v2).
func (Kind) Params() []string { return []string{"format"} }

// Query is key, the robot's credential.
func (Kind) Query() []string { return []string{"key"} }

// Dialects are markdown (v1), then markdown_v2.
func (Kind) Dialects() []translate.Dialect { return []translate.Dialect{Markdown, MarkdownV2} }

// Preview is a robot with a placeholder key in the format of t.
func (Kind) Preview(t translate.Target) robot.Endpoint {
	u := &url.URL{Scheme: "https", Host: "qyapi.weixin.qq.com", Path: "/cgi-bin/webhook/send", RawQuery: "key=PREVIEW"}
	if t == TargetV2 {
		return New(u, FormatMarkdownV2)
	}
	return New(u, FormatMarkdown)
}

// Limits is WeCom's documented 20 messages per minute per robot.
func (Kind) Limits() robot.Limits { return robot.Limits{{N: 20, Per: time.Minute}} }

// Redact drops the query, where the key lives.
func (Kind) Redact(u *url.URL) string { return robot.WithoutQuery(u) }

// Open checks the URL has a key and the format is known.
func (Kind) Open(u *url.URL, own url.Values) (robot.Endpoint, error) {
	if u.Query().Get("key") == "" {
		return nil, errors.New("missing key in the URL")
	}
	format := own.Get("format") // New takes "" as markdown
	if format != "" && format != FormatMarkdown && format != FormatMarkdownV2 {
		return nil, fmt.Errorf("format %q (accepted: %s, %s)", format, FormatMarkdown, FormatMarkdownV2)
	}
	return New(u, format), nil
}

// Endpoint is one WeCom robot.
type Endpoint struct {
	url    *url.URL
	format string
}

var _ robot.Endpoint = (*Endpoint)(nil)

// New is the endpoint at u sending format; the relay uses Kind.Open.
func New(u *url.URL, format string) *Endpoint {
	return &Endpoint{url: u, format: cmp.Or(format, FormatMarkdown)}
}

// Credential is the key.
func (e *Endpoint) Credential() string { return e.url.Query().Get("key") }

// Display is the URL without its query.
func (e *Endpoint) Display() string { return robot.WithoutQuery(e.url) }

// Target is TargetV2 for a markdown_v2 robot, else Target.
func (e *Endpoint) Target() translate.Target {
	if e.format == FormatMarkdownV2 {
		return TargetV2
	}
	return Target
}

// Signed is false: WeCom robots have no signing.
func (e *Endpoint) Signed() bool { return false }

// Body is the wire body of m in the robot's format.
func (e *Endpoint) Body(m translate.Message, _ string) ([]byte, error) { return Body(m, e.format) }

// Send posts m. A nil error means WeCom answered errcode 0.
func (e *Endpoint) Send(ctx context.Context, client *http.Client, m translate.Message, _ string) error {
	body, err := e.Body(m, "")
	return robot.Post(ctx, client, e.url.String(), body, err, robot.Errcode("wecom", retry))
}

// retry is WeCom's errcode table: 93000 bad url, 40058 too long, 40008
// bad msgtype, 44004 empty content and unknown codes are permanent.
func retry(code int) (bool, time.Duration) {
	switch code {
	case 45009: // api freq out of limit: the minute window has to pass
		return true, time.Minute
	case -1: // system busy
		return true, 0
	}
	return false, 0
}
