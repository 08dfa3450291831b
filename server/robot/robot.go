// Package robot holds what the DingTalk and WeCom clients share: posting a
// JSON body, reading the errcode answer both services give with HTTP 200, and
// the classified error the delivery queue schedules retries from.
package robot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Error is a failed send, classified by the client that knows the service's
// error codes. Its message never contains the robot URL or any credential.
type Error struct {
	// Status is the HTTP status code, 0 when no answer arrived.
	Status int
	// Code is the service's errcode; 0 when the failure happened before one
	// was read.
	Code int
	// Msg is the service's errmsg or a description of the transport failure.
	Msg string
	// Retry tells whether sending the same body again may succeed.
	Retry bool
	// Wait, when set, is the least time to wait before that retry (a
	// throttled DingTalk robot stays silent for ten minutes).
	Wait time.Duration
}

// Error describes the failure by errcode, else HTTP status, else transport
// error; never with the URL.
func (e *Error) Error() string {
	switch {
	case e.Code != 0:
		return fmt.Sprintf("errcode %d: %s", e.Code, e.Msg)
	case e.Status != 0:
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Msg)
	default:
		return e.Msg
	}
}

// Retryable reports whether the queue should try again.
func (e *Error) Retryable() bool { return e.Retry }

// RetryAfter is the least delay before a retry, or 0.
func (e *Error) RetryAfter() time.Duration { return e.Wait }

// ErrCode is the service's errcode, for metrics.
func (e *Error) ErrCode() int { return e.Code }

// Answer is the JSON both services answer with.
type Answer struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// maxAnswer bounds how much of an answer is read; real answers are tiny.
const maxAnswer = 64 << 10

// Post sends body to u and returns the service's answer. Transport failures,
// timeouts, HTTP 429 and 5xx come back as a retryable *Error; other non-2xx
// statuses as a permanent one. The error text carries neither the URL nor
// its query: net/http errors embed the URL, so they are rewritten.
func Post(ctx context.Context, client *http.Client, u string, body []byte) (Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return Answer{}, &Error{Msg: "building request: " + Redact(err).Error()}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		msg := Redact(err).Error()
		if errors.Is(err, context.DeadlineExceeded) {
			msg = "timed out waiting for the robot"
		}
		return Answer{}, &Error{Msg: msg, Retry: true}
	}
	defer func() {
		// Drain so the keep-alive connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
		_ = resp.Body.Close()
	}()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return Answer{}, &Error{Status: resp.StatusCode, Msg: "reading answer: " + Redact(err).Error(), Retry: true}
	}
	if resp.StatusCode/100 != 2 {
		retry := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
		return Answer{}, &Error{Status: resp.StatusCode, Msg: http.StatusText(resp.StatusCode), Retry: retry}
	}
	var a struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &a); err != nil || a.ErrCode == nil {
		// A 2xx without the robot's errcode is a proxy, a gateway or an
		// outage page: it says nothing about delivery, so try again.
		return Answer{}, &Error{Status: resp.StatusCode, Msg: "answer is not the robot's JSON (no errcode)", Retry: true}
	}
	return Answer{ErrCode: *a.ErrCode, ErrMsg: a.ErrMsg}, nil
}

// Redact strips the URL (and so the token, key, sign and secret in its
// query) from errors produced by net/http.
func Redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s request: %w", ue.Op, ue.Err)
	}
	return err
}

// RedactURL keeps the scheme, host and path of a robot URL for display and
// drops the query, where every credential lives.
func RedactURL(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	c.User = nil
	c.Fragment = ""
	return c.String()
}
