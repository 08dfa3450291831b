package queue_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	bolt "go.etcd.io/bbolt"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/store"
)

// backlogAfterRestart queues one message for the DingTalk robot with query
// before, restarts (a crash: nothing drained) with the robot with query
// after in its place, and returns the fake robot both point at.
func backlogAfterRestart(t *testing.T, before, after string) *fakeRobot {
	t.Helper()
	f := newFakeRobot(t, nil)
	lane := func(query string) queue.Lane {
		robots, err := robot.Parser{Kinds: []robot.Kind{dingtalk.Kind{}}}.Parse("dingtalk+" + f.URL + "/robot/send?" + query)
		if err != nil {
			t.Fatal(err)
		}
		r := robots[0]
		return queue.Lane{Robot: r, Sender: robot.Sender{Endpoint: r.Endpoint, Client: f.Client()}}
	}
	old := lane(before)
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{old}}
	env.open(t, false)
	it := &store.Item{Robot: old.Robot.Name, Dest: old.Robot.Fingerprint, Delivery: "d", Event: "push", Message: msg(dingtalk.Target, 7), Created: time.Now(), UUID: "u"}
	if err := env.queue.Enqueue("d", true, []*store.Item{it}); err != nil {
		t.Fatal(err)
	}
	if err := env.store.Close(); err != nil {
		t.Fatal(err)
	}
	env.lanes = []queue.Lane{lane(after)}
	env.open(t, true)
	t.Cleanup(func() { env.close(t) })
	return f
}

// Queued messages follow the robot's credential: renamed, the robot still
// gets its backlog.
func TestBacklogFollowsARenamedRobot(t *testing.T) {
	f := backlogAfterRestart(t, "access_token=T&name=old-name", "access_token=T&name=new-name")
	waitFor(t, "the backlog sent under the new name", func() bool { return len(f.Received()) == 1 })
}

// A robot named with name= keeps its backlog when its token changes (a
// rotated token, the same group); an unnamed one does not inherit another
// robot's backlog by position (TestRegressRemovedRobotsBacklog…).
func TestBacklogFollowsANamedRobotAcrossATokenChange(t *testing.T) {
	f := backlogAfterRestart(t, "access_token=OLD&name=team", "access_token=NEW&name=team")
	waitFor(t, "the backlog sent with the new token", func() bool {
		got := f.Received()
		return len(got) == 1 && got[0].URL.Query().Get("access_token") == "NEW"
	})
}

// Messages of a robot removed from the configuration wait for it to come
// back, but not beyond RELAY_RETRY_MAX_AGE: then they become dead letters.
func TestOrphansExpireIntoDeadLetters(t *testing.T) {
	f := newFakeRobot(t, nil)
	clock := time.Now()
	env := &queueEnv{dir: t.TempDir(),
		lanes: []queue.Lane{testLane(t, "gone", dingtalk.Kind{}, f, robot.Limits{}), testLane(t, "stays", dingtalk.Kind{}, f, robot.Limits{})},
		opts:  queue.WithClock(queue.Options{RetryMaxAge: time.Hour}, func() time.Time { return clock })}
	env.open(t, false)
	enqueue(t, env.queue, "gone", dingtalk.Target, 0, 2)
	if err := env.store.Close(); err != nil {
		t.Fatal(err)
	}
	env.lanes = env.lanes[1:]
	env.open(t, false) // within the hour: kept pending, out of sight
	if dead, _, _ := env.queue.Dead(10); len(dead) != 0 {
		t.Fatalf("dead-lettered too early: %+v", dead)
	}
	if err := env.store.Close(); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(2 * time.Hour)
	env.open(t, true)
	defer env.close(t)
	dead, total, err := env.queue.Dead(10)
	if err != nil || total != 2 || len(dead) != 2 || dead[0].Robot != "gone" || !strings.Contains(dead[0].LastError, "no longer configured") {
		t.Fatalf("dead letters %d (%v): %+v", total, err, dead)
	}
	if n := testutil.ToFloat64(env.metrics.DeadLetters.WithLabelValues("gone", "orphaned")); n != 2 {
		t.Errorf("relay_dead_letters_total{reason=orphaned} = %v", n)
	}
}

// A file written before pending items were indexed by lane (or one an
// earlier version added to since) is indexed anew at start-up, and its
// backlog is resumed in order, the new messages after it.
func TestQueueResumesAFileFromBeforeTheLaneIndex(t *testing.T) {
	f := newFakeRobot(t, nil)
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})},
		opts: queue.WithResident(queue.Options{}, 4, 2)}
	env.open(t, false)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 10)
	if err := env.store.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(env.dir, "queue.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("lanes")) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	env.open(t, false)
	enqueue(t, env.queue, "ding", dingtalk.Target, 10, 12)
	env.queue.Start()
	defer env.close(t)
	waitFor(t, "12 sends", func() bool { return len(f.Received()) == 12 })
	want := make([]string, 12)
	for i := range want {
		want[i] = fmt.Sprintf("event %d", i)
	}
	if got := titles(f.Received()); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("order = %v", got)
	}
}
