package queue_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/server/store"
)

// state is the snapshot of the robot named name.
func state(tb testing.TB, q *queue.Queue, name string) queue.RobotState {
	tb.Helper()
	for _, st := range q.Snapshot() {
		if st.Robot == name {
			return st
		}
	}
	tb.Fatalf("no robot %s in the snapshot", name)
	return queue.RobotState{}
}

func TestSnapshotDeadLetterReplayedAfterTheRobotIsFixed(t *testing.T) {
	f := newFakeRobot(t, func(int) (int, string) { return 200, `{"errcode":310000,"errmsg":"keywords not in content"}` })
	other := newFakeRobot(t, nil)
	env := &queueEnv{dir: t.TempDir(), history: true, lanes: []queue.Lane{
		testLane(t, "ding", dingtalk.Kind{}, f, nil),
		testLane(t, "wecom", wecom.Kind{}, other, nil),
	}}
	env.open(t, true)
	defer env.close(t)
	if got := env.queue.Snapshot(); len(got) != 2 || got[0].Robot != "ding" || got[1].Robot != "wecom" || got[0].State != queue.StateIdle || got[0].Last != nil {
		t.Fatalf("snapshot before any send = %+v, want both robots idle in configuration order", got)
	}
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 2)
	waitFor(t, "two dead letters", func() bool { _, n, _ := env.queue.Dead(10); return n == 2 })
	st := state(t, env.queue, "ding")
	if st.Last == nil || st.Last.Result != "failed" || st.Last.ErrCode != 310000 || !strings.Contains(st.Last.Error, "keywords not in content") {
		t.Fatalf("last send = %+v, want failed with errcode 310000 and its message", st.Last)
	}
	if st.Hour != (queue.SendCounts{Failed: 2}) || st.Depth != 0 {
		t.Fatalf("snapshot = %+v, want 2 failed in the last hour and nothing queued", st)
	}
	dead, _, _ := env.queue.Dead(10)
	if d := dead[0]; d.Reason != "permanent" || d.ErrCode != 310000 || d.Attempts != 1 {
		t.Fatalf("dead letter = %+v, want reason permanent, errcode 310000, one attempt", d)
	}

	f.SetAnswer(nil) // the keyword was added to the robot
	if _, _, err := env.queue.RetryRobot("nobody", 10); err != queue.ErrUnknownRobot {
		t.Fatalf("RetryRobot of an unknown robot: %v, want ErrUnknownRobot", err)
	}
	moved, left, err := env.queue.RetryRobot("ding", 1)
	if err != nil || moved != 1 || left != 1 {
		t.Fatalf("RetryRobot(ding, 1) = %d, %d, %v; want 1 moved, 1 left", moved, left, err)
	}
	if moved, left, err = env.queue.RetryRobot("ding", 10); err != nil || moved != 1 || left != 0 {
		t.Fatalf("second RetryRobot = %d, %d, %v; want the other one moved", moved, left, err)
	}
	waitFor(t, "both delivered", func() bool { return state(t, env.queue, "ding").Hour.OK == 2 })
	if st := state(t, env.queue, "ding"); st.Last.Result != "ok" || st.Last.ErrCode != 0 || st.Last.Error != "" || st.Hour.Failed != 2 {
		t.Fatalf("snapshot after replay = %+v, want the last send ok and the failures still counted", st)
	}
	var sent []string
	waitFor(t, "the history", func() bool {
		list, err := env.queue.Sent("ding", 10)
		if err != nil {
			t.Fatal(err)
		}
		sent = nil
		for _, e := range list {
			sent = append(sent, string(e.Body))
		}
		return len(list) == 2
	})
	got := f.Received()
	if last := got[len(got)-1].Raw; sent[0] != last {
		t.Fatalf("newest history body\n%s\nwant what the robot received\n%s", sent[0], last)
	}
	if list, _ := env.queue.Sent("wecom", 10); len(list) != 0 {
		t.Fatalf("wecom history = %v, want none", list)
	}
}

func TestSnapshotShowsBackoffAndPacing(t *testing.T) {
	busy := newFakeRobot(t, func(int) (int, string) { return 200, `{"errcode":-1,"errmsg":"system busy"}` })
	paced := newFakeRobot(t, nil)
	env := &queueEnv{dir: t.TempDir(), opts: queue.WithFirstWait(queue.Options{RetryMaxWait: time.Hour}, time.Hour), lanes: []queue.Lane{
		testLane(t, "busy", dingtalk.Kind{}, busy, nil),
		testLane(t, "paced", dingtalk.Kind{}, paced, robot.Limits{{N: 1, Per: time.Hour}}),
	}}
	env.open(t, true)
	defer env.close(t)
	start := time.Now()
	enqueue(t, env.queue, "busy", dingtalk.Target, 0, 1)
	enqueue(t, env.queue, "paced", dingtalk.Target, 1, 3)
	waitFor(t, "a backoff", func() bool { return state(t, env.queue, "busy").State == queue.StateBackoff })
	st := state(t, env.queue, "busy")
	if st.Until.Before(start.Add(30*time.Minute)) || st.Depth != 1 || st.OldestAge <= 0 || st.Hour.Retried != 1 || st.Last.Result != "retry" || st.Last.ErrCode != -1 {
		t.Fatalf("busy robot = %+v, want a backoff of about an hour, one message waiting, one retry", st)
	}
	waitFor(t, "pacing", func() bool { return state(t, env.queue, "paced").State == queue.StatePaced })
	st = state(t, env.queue, "paced")
	if st.Until.Before(start.Add(59*time.Minute)) || st.Depth != 1 || st.Hour.OK != 1 {
		t.Fatalf("paced robot = %+v, want the second message waiting for the hour's window", st)
	}
	if list, err := env.queue.Sent("paced", 10); err != nil || list != nil {
		t.Fatalf("Sent without a History = %v, %v; want nothing", list, err)
	}
}

// watchingStore looks at the robot's snapshot at the moment a message's
// fate is written, when the dead-letter list or the history can already
// show it.
type watchingStore struct {
	*store.Store
	q     func() *queue.Queue
	robot string
	depth chan int
}

func (s *watchingStore) look() { s.depth <- stateOf(s.q(), s.robot).Depth }

func (s *watchingStore) Bury(items []*store.Item, robot string, pace []int64) error {
	err := s.Store.Bury(items, robot, pace)
	s.look()
	return err
}

func (s *watchingStore) Done(items []*store.Item, robot string, pace []int64, done func(error)) {
	s.look()
	s.Store.Done(items, robot, pace, done)
}

func stateOf(q *queue.Queue, name string) queue.RobotState {
	for _, st := range q.Snapshot() {
		if st.Robot == name {
			return st
		}
	}
	return queue.RobotState{}
}

// A message whose fate is decided no longer counts as waiting, even for
// the moment before it leaves the in-memory backlog: the overview never
// shows a dead letter as pending too, nor a delivered one.
func TestSnapshotDoesNotCountASettledMessageAsWaiting(t *testing.T) {
	for _, c := range []struct {
		name   string
		answer func(int) (int, string)
	}{
		{"dead-lettered", func(int) (int, string) { return 200, `{"errcode":310000,"errmsg":"keywords not in content"}` }},
		{"delivered", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeRobot(t, c.answer)
			st, err := store.Open(t.TempDir(), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var q *queue.Queue
			ws := &watchingStore{Store: st, q: func() *queue.Queue { return q }, robot: "ding", depth: make(chan int, 1)}
			q, err = queue.New(ws, []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, nil)}, queue.Options{}, zaptest.NewLogger(t), queue.NewMetrics(prometheus.NewRegistry()))
			if err != nil {
				t.Fatal(err)
			}
			q.Start()
			defer func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := q.Close(ctx); err != nil {
					t.Error(err)
				}
			}()
			enqueue(t, q, "ding", dingtalk.Target, 0, 1)
			if d := <-ws.depth; d != 0 {
				t.Fatalf("depth when the message's fate was written = %d, want 0", d)
			}
		})
	}
}
