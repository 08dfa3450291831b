// Package wecom sends markdown messages to a WeCom group robot
// (企业微信群机器人). The key in the URL is its only credential.
package wecom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
)

// Client posts to one WeCom robot.
type Client struct {
	http *http.Client
	url  string
}

// New returns a client for the robot at u (key in its query).
func New(client *http.Client, u *url.URL) *Client {
	return &Client{http: client, url: u.String()}
}

// Send posts a wire body built by translate.Body. A nil error means WeCom
// answered errcode 0.
func (c *Client) Send(ctx context.Context, body []byte) error {
	a, err := robot.Post(ctx, c.http, c.url, body)
	if err != nil {
		return err
	}
	return classify(a)
}

func classify(a robot.Answer) error {
	e := &robot.Error{Status: http.StatusOK, Code: a.ErrCode, Msg: a.ErrMsg}
	switch a.ErrCode {
	case 0:
		return nil
	case 45009: // api freq out of limit: the minute window has to pass
		e.Retry, e.Wait = true, time.Minute
	case -1: // system busy
		e.Retry = true
	default:
		// 93000 invalid webhook url, 40058 too long, 40008 bad msgtype,
		// 44004 empty content and unknown codes are permanent.
	}
	if e.Msg == "" {
		e.Msg = fmt.Sprintf("wecom error %d", a.ErrCode)
	}
	return e
}
