// Package dingtalk sends markdown messages to a DingTalk custom robot
// (钉钉自定义机器人), signing each request when the robot uses 加签.
package dingtalk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
)

// Throttle is how long DingTalk silences a robot that sent more than 20
// messages in a minute.
const Throttle = 10 * time.Minute

// Client posts to one DingTalk robot.
type Client struct {
	http   *http.Client
	url    *url.URL
	secret string
	now    func() time.Time
}

// New returns a client for the robot at u (access_token in its query, relay
// parameters already removed). A non-empty secret signs every request.
func New(client *http.Client, u *url.URL, secret string) *Client {
	return &Client{http: client, url: u, secret: secret, now: time.Now}
}

// Send posts a wire body built by translate.Body. A nil error means DingTalk
// answered errcode 0.
func (c *Client) Send(ctx context.Context, body []byte) error {
	a, err := robot.Post(ctx, c.http, c.signedURL(), body)
	if err != nil {
		return err
	}
	return classify(a)
}

// signedURL computes a fresh timestamp and sign for each request, as the
// signature is valid for an hour and must never accumulate on the stored URL.
func (c *Client) signedURL() string {
	if c.secret == "" {
		return c.url.String()
	}
	u := *c.url
	q := u.Query()
	ts := strconv.FormatInt(c.now().UnixMilli(), 10)
	q.Set("timestamp", ts)
	q.Set("sign", Sign(c.secret, ts))
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

// classify turns DingTalk's errcode into a retry decision.
func classify(a robot.Answer) error {
	e := &robot.Error{Status: http.StatusOK, Code: a.ErrCode, Msg: a.ErrMsg}
	switch a.ErrCode {
	case 0:
		return nil
	case 130101: // sent too fast: the robot is throttled for ten minutes
		e.Retry, e.Wait = true, Throttle
	case 410100: // rate-limited (newer code tables)
		e.Retry, e.Wait = true, time.Minute
	case -1: // system busy
		e.Retry = true
	case 310000, 300005, 300001, 400101, 40035, 43004, 460101, 101002:
		// security check, unknown token, bad request, body too long: sending
		// the same body again cannot succeed.
	default:
		// An unknown code is most likely a new permanent error; retrying
		// it for hours would hide a configuration problem.
	}
	if e.Msg == "" {
		e.Msg = fmt.Sprintf("dingtalk error %d", a.ErrCode)
	}
	return e
}
