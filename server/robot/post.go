package robot

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Error is a failed send, classified by its kind. Its message never
// contains the robot URL or any credential.
type Error struct {
	Status int           // the HTTP status, 0 when no answer arrived
	Code   int           // the service's error code, 0 when none was read
	Msg    string        // the service's message, or the transport failure
	Retry  bool          // whether sending the same message again may succeed
	Wait   time.Duration // when set, the least wait before that retry (DingTalk's throttle: ten minutes)
}

// Error describes the failure by code, else status, else transport error.
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

// ErrCode is the service's error code, for metrics.
func (e *Error) ErrCode() int { return e.Code }

// Answer is a service's HTTP status and the first maxAnswer bytes of body.
type Answer struct {
	Status int
	Body   []byte
}

// maxAnswer bounds how much of an answer is read; real answers are tiny.
const maxAnswer = 64 << 10

// Post sends body to u and lets classify judge the answer. A body that
// could not be built fails for good; transport failures are retryable and
// rewritten, as net/http errors embed the URL. The answer is drained so
// the connection is reused.
func Post(ctx context.Context, client *http.Client, u string, body []byte, err error, classify func(Answer) error) error {
	if err != nil {
		return &Error{Msg: fmt.Sprintf("building body: %v", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return &Error{Msg: "building request: " + Redact(err).Error()}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		msg := Redact(err).Error()
		if errors.Is(err, context.DeadlineExceeded) {
			msg = "timed out waiting for the robot"
		}
		return &Error{Msg: msg, Retry: true}
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
		_ = resp.Body.Close()
	}()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return &Error{Status: resp.StatusCode, Msg: "reading answer: " + Redact(err).Error(), Retry: true}
	}
	return classify(Answer{Status: resp.StatusCode, Body: raw})
}

// StatusError classifies a non-2xx answer without a service code: 429 and
// 5xx are retryable. It is nil for 2xx.
func (a Answer) StatusError() error {
	if a.Status/100 == 2 {
		return nil
	}
	retry := a.Status == http.StatusTooManyRequests || a.Status >= 500
	return &Error{Status: a.Status, Msg: http.StatusText(a.Status), Retry: retry}
}

// Errcode classifies DingTalk's and WeCom's {"errcode","errmsg"} answers,
// HTTP 200 even on failure: 0 is delivered, retry judges other codes. A 2xx
// without errcode is a proxy or outage page, so it is retried.
func Errcode(kind string, retry func(code int) (bool, time.Duration)) func(Answer) error {
	return func(a Answer) error {
		if err := a.StatusError(); err != nil {
			return err
		}
		var v struct {
			ErrCode *int   `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if json.Unmarshal(a.Body, &v) != nil || v.ErrCode == nil {
			return &Error{Status: a.Status, Msg: "answer is not the robot's JSON (no errcode)", Retry: true}
		}
		if *v.ErrCode == 0 {
			return nil
		}
		return CodeError(a.Status, *v.ErrCode, v.ErrMsg, kind, retry)
	}
}

// CodeError is the failure a service reported with code, retry judging it;
// without msg it reads "<kind> error <code>".
func CodeError(status, code int, msg, kind string, retry func(code int) (bool, time.Duration)) *Error {
	e := &Error{Status: status, Code: code, Msg: cmp.Or(msg, fmt.Sprintf("%s error %d", kind, code))}
	e.Retry, e.Wait = retry(code)
	return e
}

// Redact strips the URL (and so every credential in its path or query)
// from errors produced by net/http.
func Redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s request: %w", ue.Op, ue.Err)
	}
	return err
}

// WithoutQuery is u's scheme, host and path: the display URL of kinds
// whose credential sits in the query.
func WithoutQuery(u *url.URL) string {
	c := *u
	c.RawQuery, c.User, c.Fragment, c.RawFragment = "", nil, "", ""
	return c.String()
}
