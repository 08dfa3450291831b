// Package dingtalk is the DingTalk custom robot (钉钉自定义机器人) kind:
// access_token URLs, markdown, 加签 signing, keywords, errcode answers.
package dingtalk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/translate"
)

// Throttle is how long DingTalk silences a robot after 20+ messages/minute.
const Throttle = 10 * time.Minute

// MaxKeywords is how many custom keywords a DingTalk robot can have.
const MaxKeywords = 10

// Kind is the DingTalk robot kind.
type Kind struct{}

var _ robot.Kind = Kind{}

// Name is "dingtalk".
func (Kind) Name() string { return "dingtalk" }

// Match recognises DingTalk's API hosts (China and international).
func (Kind) Match(u *url.URL) bool {
	return slices.Contains([]string{"oapi.dingtalk.com", "oapi.dingtalk.io"}, strings.ToLower(u.Hostname()))
}

// Params are secret= (加签) and keywords= (自定义关键词).
func (Kind) Params() []string { return []string{"secret", "keywords"} }

// Query is access_token, the robot's credential.
func (Kind) Query() []string { return []string{"access_token"} }

// Dialects is DingTalk's markdown.
func (Kind) Dialects() []translate.Dialect { return []translate.Dialect{Dialect{}} }

// Preview is a robot with a placeholder token.
func (Kind) Preview(translate.Target) robot.Endpoint {
	return New(&url.URL{Scheme: "https", Host: "oapi.dingtalk.com", Path: "/robot/send", RawQuery: "access_token=PREVIEW"}, "")
}

// Limits is DingTalk's documented 20 messages per minute per robot.
func (Kind) Limits() robot.Limits { return robot.Limits{{N: 20, Per: time.Minute}} }

// Redact drops the query, where the token lives.
func (Kind) Redact(u *url.URL) string { return robot.WithoutQuery(u) }

// Open checks the URL has an access_token.
func (Kind) Open(u *url.URL, own url.Values) (robot.Endpoint, error) {
	if u.Query().Get("access_token") == "" {
		return nil, errors.New("missing access_token in the URL")
	}
	kw, err := robot.Keywords(own, MaxKeywords)
	if err != nil {
		return nil, err
	}
	return New(u, own.Get("secret"), kw...), nil
}

// Endpoint is one DingTalk robot.
type Endpoint struct {
	url      *url.URL // access_token in the query; relay parameters removed
	secret   string
	keywords []string
}

var _ robot.Endpoint = (*Endpoint)(nil)

// New is the endpoint at u, signing with secret if set; the relay uses
// Kind.Open.
func New(u *url.URL, secret string, keywords ...string) *Endpoint {
	return &Endpoint{url: u, secret: secret, keywords: keywords}
}

// Credential is the access token.
func (e *Endpoint) Credential() string { return e.url.Query().Get("access_token") }

// Display is the URL without its query.
func (e *Endpoint) Display() string { return robot.WithoutQuery(e.url) }

// Target is DingTalk's markdown.
func (e *Endpoint) Target() translate.Target { return Target }

// Signed reports a robot with 加签.
func (e *Endpoint) Signed() bool { return e.secret != "" }

// Keywords are the robot's custom keywords.
func (e *Endpoint) Keywords() []string { return e.keywords }

// Body is the markdown message with one of the robot's keywords in it.
func (e *Endpoint) Body(m translate.Message, msgUUID string) ([]byte, error) {
	return Body(translate.WithKeyword(Dialect{}, m, e.keywords), msgUUID)
}

// Send posts m with a fresh signature; nil means errcode 0.
func (e *Endpoint) Send(ctx context.Context, client *http.Client, m translate.Message, msgUUID string) error {
	body, err := e.Body(m, msgUUID)
	return robot.Post(ctx, client, e.signedURL(), body, err, robot.Errcode("dingtalk", retry))
}

// signedURL signs each request afresh: a signature is valid for an hour
// and must never accumulate on the stored URL.
func (e *Endpoint) signedURL() string {
	if e.secret == "" {
		return e.url.String()
	}
	u := *e.url
	q := u.Query()
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	q.Set("timestamp", ts)
	q.Set("sign", Sign(e.secret, ts))
	u.RawQuery = q.Encode()
	return u.String()
}

// Sign is DingTalk's signature: base64(HMAC-SHA256(secret, ts+"\n"+secret)).
// The caller URL-encodes it once.
func Sign(secret, timestampMS string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestampMS + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// retry is DingTalk's errcode table: whether to retry, the least wait.
func retry(code int) (bool, time.Duration) {
	switch code {
	case 130101: // sent too fast: the robot is throttled for ten minutes
		return true, Throttle
	case 410100: // rate-limited (newer code tables)
		return true, time.Minute
	case -1: // system busy
		return true, 0
	}
	// 310000, 300005, 300001, 400101, 40035, 43004, 460101, 101002 and
	// unknown codes are permanent: retrying would hide a config problem.
	return false, 0
}
