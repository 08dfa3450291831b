package queue

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"time"
)

// retryWait is the wait after the n-th failure in a row of the same kind
// (n ≥ 1): first, doubling each time up to maxWait, then shortened at
// random by up to a quarter (jitter in [0, 1)) so that robots that failed
// together do not all retry at the same instant. The cap is what bounds
// recovery: a robot back from an outage gets its queue moving again within
// maxWait.
func retryWait(n int, first, maxWait time.Duration, jitter float64) time.Duration {
	d := min(first, maxWait)
	for i := 1; i < n && d < maxWait; i++ {
		d = min(2*d, maxWait)
	}
	return d - time.Duration(float64(d)*jitter/4)
}

// failureKind tells failures apart for the backoff: the service's error
// code when it gave one, else the error's text (an HTTP status, a refused
// connection, a timeout). A different failure means the robot's state
// changed (it came back and answers something else now), so the doubling
// starts over instead of keeping the wait it reached while it was down.
func failureKind(err error) string {
	if code := errCode(err); code != 0 {
		return "errcode " + strconv.Itoa(code)
	}
	return err.Error()
}

// nextWait counts a failed attempt of g and returns how long to wait
// before the next one. A wait the service asked for (DingTalk's ten-minute
// throttle) is waited out in full, beyond RetryMaxWait: retrying sooner
// would only be throttled again.
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
