package queue_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/server/store/redis"
	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
	"github.com/coding-relay/coding-relay/translate"
)

// Many robots that stop answering, each with a backlog: what the queue
// holds in memory stays within its budget (plus a message per robot), while
// the messages come in and after a restart, and every message is delivered
// in order once the robots are back.
func TestQueueMemoryIsBoundedAcrossRobots(t *testing.T) {
	const robots, each, budget = 40, 40, 256 << 10
	pad := strings.Repeat("x", 8<<10) // 40 × 40 × 8 KB: 13 MB if all were held
	opts := queue.WithMemory(queue.WithFirstWait(queue.Options{SendTimeout: time.Minute, RetryMaxWait: 20 * time.Millisecond}, 10*time.Millisecond), budget)
	for _, shared := range []bool{false, true} {
		t.Run(map[bool]string{false: "bbolt", true: "redis"}[shared], func(t *testing.T) {
			lanes, fakes := switchLanes(robots)
			srv, dir := (*redistest.Server)(nil), t.TempDir()
			if shared {
				srv = redistest.Start(t)
			}
			start := func() rep {
				var st queue.Store
				var err error
				if shared {
					st, err = redis.Open(srv.URL, redis.Options{})
				} else {
					st, err = store.Open(dir, store.Options{})
				}
				if err != nil {
					t.Fatal(err)
				}
				// No test log: thousands of retries logged would be the heap.
				q, err := queue.New(st, lanes, queue.WithLease(opts, time.Second, 100*time.Millisecond), zap.NewNop(), queue.NewMetrics(prometheus.NewRegistry()))
				if err != nil {
					t.Fatal(err)
				}
				q.Start()
				stop := sync.OnceFunc(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
					defer cancel()
					_ = q.Close(ctx) // aborts the hanging sends
				})
				t.Cleanup(stop)
				return rep{q, stop}
			}
			tried := func(n int64) func() bool {
				return func() bool {
					for _, f := range fakes {
						if f.tries.Load() < n {
							return false
						}
					}
					return true
				}
			}
			q := start()
			enqueue := func(i int) {
				items := make([]*store.Item, robots)
				for r := range items {
					items[r] = &store.Item{Robot: fmt.Sprintf("r%d", r), Delivery: fmt.Sprintf("d-%d", i), Event: "push",
						Message: translate.Message{Target: dingtalk.Target, Title: fmt.Sprintf("event %d", i), Text: pad + fmt.Sprint(r)},
						Created: time.Now(), UUID: fmt.Sprintf("u-%d-%d", r, i)}
				}
				if err := q.Enqueue(items[0].Delivery, true, items); err != nil {
					t.Fatal(err)
				}
			}
			// The robots take a first message (so they read ahead), then
			// stop answering: their sends hang.
			enqueue(0)
			waitFor(t, "every robot's first message", tried(1))
			for _, f := range fakes {
				f.set(false)
			}
			base := heap()
			for i := 1; i < each; i++ {
				enqueue(i)
			}
			waitFor(t, "every robot trying", tried(2))
			if grew := heap() - base; grew > 4<<20 {
				t.Errorf("the heap grew by %d KB holding %d backlogs; want the %d KB budget and a message per robot", grew>>10, robots, budget>>10)
			}
			q.stop()
			q = start()
			waitFor(t, "every robot trying after the restart", tried(3))
			if grew := heap() - base; grew > 4<<20 {
				t.Errorf("after a restart the heap is %d KB above where it started", grew>>10)
			}
			for _, f := range fakes {
				f.set(true)
			}
			want := make([]string, each)
			for i := range want {
				want[i] = fmt.Sprintf("event %d", i)
			}
			for r, f := range fakes {
				waitFor(t, "every message delivered", func() bool { return len(f.titles()) >= each })
				if got := f.titles(); strings.Join(got, ",") != strings.Join(want, ",") {
					t.Fatalf("robot %d got %v", r, got)
				}
			}
			// Every message gave back what it took.
			waitFor(t, "the budget back to zero", func() bool { return queue.MemoryUsed(q.Queue) == 0 })
		})
	}
}
