package queue_test

import (
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
)

// Once: the wait doubled to five minutes and never started over, so a
// robot down for a few minutes kept its queue blocked for minutes after it
// recovered. Now it is capped at RetryMaxWait, starts over when the failure
// changes, and a wait the service asks for is still waited out in full.
func TestQueueRetryWaits(t *testing.T) {
	f := newFakeRobot(t, func(n int) (int, string) {
		switch {
		case n <= 6:
			return 500, "down"
		case n == 7:
			return -1, "" // the connection drops: another failure
		case n == 8:
			return 200, `{"errcode":130101,"errmsg":"send too fast"}`
		}
		return 200, `{"errcode":0}`
	})
	core, logs := observer.New(zapcore.WarnLevel)
	const first, maxWait = time.Millisecond, 8 * time.Millisecond
	env := &queueEnv{dir: t.TempDir(), log: zap.New(core),
		lanes: []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})},
		opts:  queue.WithFirstWait(queue.Options{RetryMaxWait: maxWait}, first)}
	env.open(t, true)
	defer env.close(t)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 1)
	retries := func() []observer.LoggedEntry { return logs.FilterMessage("send failed, will retry").All() }
	// The eighth failure asks for ten minutes; the test does not wait them.
	waitFor(t, "eight failed attempts", func() bool { return len(retries()) == 8 })

	want := []time.Duration{
		1, 2, 4, 8, 8, 8, // HTTP 500: doubling, capped at RetryMaxWait
		1, // a dropped connection: another failure, the doubling starts over
	}
	for i, e := range retries() {
		wait, ok := e.ContextMap()["wait"].(time.Duration)
		if !ok {
			t.Fatalf("retry %d logged no wait: %v", i+1, e.ContextMap())
		}
		if i == len(want) {
			if wait != dingtalk.Throttle {
				t.Errorf("after errcode 130101 the wait is %v, want the %v the service asks for", wait, dingtalk.Throttle)
			}
			continue
		}
		// Jitter shortens a wait by up to a quarter, never lengthens it.
		d := want[i] * time.Millisecond
		if wait > d || wait < d*3/4 {
			t.Errorf("retry %d waited %v, want %v less up to a quarter", i+1, wait, d)
		}
	}
}

// DingTalk's ten-minute throttle after 130101 is waited out across a
// restart of a relay on the bbolt store (each request into it extends it),
// as a replica taking a robot over waits it out with Redis.
func TestQueueThrottleSurvivesRestart(t *testing.T) {
	f := newFakeRobot(t, func(int) (int, string) { return 200, `{"errcode":130101,"errmsg":"send too fast"}` })
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})}}
	env.open(t, true)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 1)
	waitFor(t, "the throttled attempt", func() bool { return state(t, env.queue, "ding").State == queue.StateBackoff })
	env.close(t)
	env.open(t, true)
	defer env.close(t)
	waitFor(t, "the restarted relay waiting", func() bool { return state(t, env.queue, "ding").State == queue.StateBackoff })
	if until := state(t, env.queue, "ding").Until; time.Until(until) < dingtalk.Throttle-time.Minute {
		t.Errorf("after a restart the throttled robot is retried at %v, before its %v throttle ends", until, dingtalk.Throttle)
	}
	if n := len(f.Received()); n != 1 {
		t.Errorf("the throttled robot got %d requests, want 1: a restart must not send into the throttle", n)
	}
}
