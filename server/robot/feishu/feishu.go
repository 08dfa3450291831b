// Package feishu is the Feishu / Lark custom bot (自定义机器人) kind:
// …/open-apis/bot/v2/hook/<token>, interactive cards, signing in the body,
// answers with a "code"; the token is the path's last segment, so displays
// hide it.
package feishu

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/translate"
)

// Kind is the Feishu / Lark bot kind.
type Kind struct{}

var _ robot.Kind = Kind{}

// Name is "feishu".
func (Kind) Name() string { return "feishu" }

// Match recognises Feishu's and Lark's open platform hosts.
func (Kind) Match(u *url.URL) bool {
	return slices.Contains([]string{"open.feishu.cn", "open.larksuite.com"}, strings.ToLower(u.Hostname()))
}

// Params are secret= (签名校验) and keywords= (自定义关键词).
func (Kind) Params() []string { return []string{"secret", "keywords"} }

// Query is empty: the token is the path's last segment.
func (Kind) Query() []string { return nil }

// Dialects is Feishu's card markdown.
func (Kind) Dialects() []translate.Dialect { return []translate.Dialect{Dialect{}} }

// Preview is a bot with a placeholder token.
func (Kind) Preview(translate.Target) robot.Endpoint {
	return New(&url.URL{Scheme: "https", Host: "open.feishu.cn", Path: "/open-apis/bot/v2/hook/PREVIEW"}, "")
}

// Limits are Feishu's documented 100 messages per minute and 5 per second.
func (Kind) Limits() robot.Limits {
	return robot.Limits{{N: 100, Per: time.Minute}, {N: 5, Per: time.Second}}
}

// Redact hides the token, the path's last segment, and the query.
func (Kind) Redact(u *url.URL) string {
	c := *u
	p := strings.TrimRight(u.Path, "/")
	c.Path, c.RawPath = p[:strings.LastIndexByte(p, '/')+1], ""
	return robot.WithoutQuery(&c) + "…"
}

// MaxKeywords bounds keywords= as on DingTalk: a bot's keyword list is short.
const MaxKeywords = 10

// Open checks that the URL's path ends in a token.
func (Kind) Open(u *url.URL, own url.Values) (robot.Endpoint, error) {
	if tokenOf(u) == "" {
		return nil, errors.New("missing the bot's token at the end of the URL's path (…/open-apis/bot/v2/hook/<token>)")
	}
	kw, err := robot.Keywords(own, MaxKeywords)
	if err != nil {
		return nil, err
	}
	return New(u, own.Get("secret"), kw...), nil
}

// tokenOf is the last path segment, unless it is the hook path itself.
func tokenOf(u *url.URL) string {
	p := strings.TrimRight(u.Path, "/")
	tok := p[strings.LastIndexByte(p, '/')+1:]
	if tok == "hook" {
		return ""
	}
	return tok
}

// Endpoint is one Feishu bot.
type Endpoint struct {
	url      *url.URL
	secret   string
	keywords []string
}

var _ robot.Endpoint = (*Endpoint)(nil)

// New is the endpoint at u, signing with secret if set; the relay uses
// Kind.Open.
func New(u *url.URL, secret string, keywords ...string) *Endpoint {
	return &Endpoint{url: u, secret: secret, keywords: keywords}
}

// Credential is the token.
func (e *Endpoint) Credential() string { return tokenOf(e.url) }

// Display is the URL with the token hidden.
func (e *Endpoint) Display() string { return Kind{}.Redact(e.url) }

// Target is Feishu's card markdown.
func (e *Endpoint) Target() translate.Target { return Target }

// Signed reports a bot with signature verification.
func (e *Endpoint) Signed() bool { return e.secret != "" }

// Body is the card for m, unsigned.
func (e *Endpoint) Body(m translate.Message, _ string) ([]byte, error) {
	return Body(translate.WithKeyword(Dialect{}, m, e.keywords), 0, "")
}

// Send posts m as a freshly signed card; nil means code 0.
func (e *Endpoint) Send(ctx context.Context, client *http.Client, m translate.Message, _ string) error {
	var ts int64
	var sign string
	if e.secret != "" {
		ts = time.Now().Unix()
		sign = Sign(e.secret, ts)
	}
	body, err := Body(translate.WithKeyword(Dialect{}, m, e.keywords), ts, sign)
	return robot.Post(ctx, client, e.url.String(), body, err, classify)
}

// Sign is Feishu's signature: base64 of HMAC-SHA256 keyed with
// timestamp+"\n"+secret over an empty message (timestamp in seconds).
func Sign(secret string, timestamp int64) string {
	m := hmac.New(sha256.New, []byte(formatTS(timestamp)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Throttled is the wait after 11232 (frequency limited): Feishu's windows
// are a second and a minute, so a few seconds usually clear it.
const Throttled = 5 * time.Second

// classify reads Feishu's code (StatusCode on older deployments) whatever
// the HTTP status, as some errors come with HTTP 400.
func classify(a robot.Answer) error {
	var v struct {
		Code       *int   `json:"code"`
		Msg        string `json:"msg"`
		StatusCode *int   `json:"StatusCode"`
	}
	if json.Unmarshal(a.Body, &v) != nil || (v.Code == nil && v.StatusCode == nil) {
		if err := a.StatusError(); err != nil {
			return err
		}
		// A 2xx without a code is a proxy or outage page, not an answer.
		return &robot.Error{Status: a.Status, Msg: "answer is not the bot's JSON (no code)", Retry: true}
	}
	code := *cmp.Or(v.Code, v.StatusCode)
	if code == 0 && a.Status/100 == 2 {
		return nil
	}
	return robot.CodeError(a.Status, code, v.Msg, "feishu", func(code int) (bool, time.Duration) {
		switch {
		case code == 11232: // frequency limited
			return true, Throttled
		case code == 0 || a.Status >= 500 || a.Status == 429:
			// A code of 0 with a failing status, or a server error: transient.
			return true, 0
		}
		// 19021 signature or timestamp, 19022 IP not allowed, 19024 keyword
		// missing, 19001 invalid token, 19002 msg_type, 9499 bad request and
		// unknown codes: the same card cannot succeed.
		return false, 0
	})
}
