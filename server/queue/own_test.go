package queue_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/translate"
)

// switchRobot is a robot that can be switched off: then a send hangs until
// it times out, or until the robot is switched on again (then it fails).
// On, it takes every message and records its title.
type switchRobot struct {
	tries   atomic.Int64
	mu      sync.Mutex
	got     []string
	off     bool
	release chan struct{}
}

func (s *switchRobot) Send(ctx context.Context, m translate.Message, _ string) error {
	s.tries.Add(1)
	s.mu.Lock()
	off, release := s.off, s.release
	s.mu.Unlock()
	if off {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-release:
			return errors.New("connection reset")
		}
	}
	s.mu.Lock()
	s.got = append(s.got, m.Title)
	s.mu.Unlock()
	return nil
}

func (s *switchRobot) set(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case on && s.off:
		close(s.release)
	case !on && !s.off:
		s.release = make(chan struct{})
	}
	s.off = !on
}

func (s *switchRobot) titles() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

func switchLanes(n int) ([]queue.Lane, []*switchRobot) {
	lanes, robots := make([]queue.Lane, n), make([]*switchRobot, n)
	for i := range lanes {
		robots[i] = &switchRobot{}
		lanes[i] = queue.Lane{Robot: robot.Robot{Name: fmt.Sprintf("r%d", i), Kind: dingtalk.Kind{}}, Sender: robots[i]}
	}
	return lanes, robots
}

// heap is the live heap after a full collection.
func heap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// A message waiting for a robot that is down keeps only its own bytes, not
// the webhook body its fields were decoded from: each of 20 held messages
// here was cut from a 1 MB body, every string field of it.
func TestQueuedMessageKeepsOnlyItsOwnBytes(t *testing.T) {
	lanes, fakes := switchLanes(1)
	fakes[0].set(false)
	env := &queueEnv{dir: t.TempDir(), lanes: lanes, opts: queue.Options{SendTimeout: 50 * time.Millisecond}}
	env.open(t, true)
	defer env.close(t)
	base := heap()
	for i := range 20 {
		body := strings.Repeat(fmt.Sprintf("%02d", i), 1<<19)
		cut := func(k int) string { return body[10*k : 10*k+10] }
		var m translate.Message
		v := reflect.ValueOf(&m).Elem()
		for f := range v.NumField() {
			switch fv := v.Field(f); {
			case fv.Kind() == reflect.String:
				fv.SetString(cut(f))
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String:
				fv.Set(reflect.ValueOf([]string{cut(f), cut(f + 50)}))
			}
		}
		it := &store.Item{Robot: "r0", Delivery: cut(90), Event: cut(91), Action: cut(92), Message: m, Created: time.Now(), UUID: fmt.Sprint(i)}
		if err := env.queue.Enqueue(it.Delivery+fmt.Sprint(i), true, []*store.Item{it}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "a first attempt", func() bool { return fakes[0].tries.Load() > 0 })
	if grew := heap() - base; grew > 2<<20 {
		t.Errorf("20 held messages cut from 1 MB bodies grew the heap by %d KB; want their own bytes only", grew>>10)
	}
	if d := env.queue.Depth(); d != 20 {
		t.Errorf("depth %d, want 20", d)
	}
}
