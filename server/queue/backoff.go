package queue

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"time"
)

// retryWait doubles first per same-kind failure up to maxWait (bounding
// recovery), minus up to a quarter jitter so robots do not retry in step.
func retryWait(n int, first, maxWait time.Duration, jitter float64) time.Duration {
	d := min(first, maxWait)
	for i := 1; i < n && d < maxWait; i++ {
		d = min(2*d, maxWait)
	}
	return d - time.Duration(float64(d)*jitter/4)
}

// failureKind is the error code, else the error text: a different failure
// means the robot's state changed, so the doubling starts over.
func failureKind(err error) string {
	if code := errCode(err); code != 0 {
		return "errcode " + strconv.Itoa(code)
	}
	return err.Error()
}

// nextWait counts a failure of g and returns the wait; a service's own wait
// (DingTalk's ten-minute throttle) is kept in full, beyond RetryMaxWait.
func (q *Queue) nextWait(g *group, cause error) time.Duration {
	if kind := failureKind(cause); kind != g.failure {
		g.failure, g.streak = kind, 0
	}
	g.streak++
	wait := retryWait(g.streak, q.opts.firstWait, q.opts.RetryMaxWait, rand.Float64())
	var ra retryAfter
	if errors.As(cause, &ra) && ra.RetryAfter() > wait {
		wait = ra.RetryAfter()
	}
	return wait
}
