package feishu

import (
	"cmp"
	"encoding/json"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
)

// Throttled is how long to wait after Feishu answered 11232 (frequency
// limited): its windows are a second and a minute, so a few seconds, then
// the queue's backoff, usually clear it.
const Throttled = 5 * time.Second

// classify turns Feishu's answer into a retry decision. Feishu answers
// {"code":0,"msg":"success"} (older deployments also StatusCode), and some
// errors with HTTP 400 and a code, so the code is read whatever the status.
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
		// A 2xx without Feishu's code is a proxy or an outage page: it says
		// nothing about delivery.
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
