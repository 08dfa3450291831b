package queue_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
)

// BenchmarkQueueDrain measures the delivery side alone: b.N stored messages
// sent in order to one robot (pacing off) that answers errcode 0.
func BenchmarkQueueDrain(b *testing.B) { benchmarkDrain(b, false) }

// BenchmarkQueueDrainHistory is BenchmarkQueueDrain keeping every delivered
// message in the history, as the console does: its cost per send.
func BenchmarkQueueDrainHistory(b *testing.B) { benchmarkDrain(b, true) }

func benchmarkDrain(b *testing.B, history bool) {
	var got atomic.Int64
	done := make(chan struct{})
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
		if got.Add(1) == int64(b.N) {
			close(done)
		}
	}))
	defer sink.Close()
	f := &fakeRobot{Server: sink}
	env := &queueEnv{dir: b.TempDir(), history: history, lanes: []queue.Lane{testLane(b, "r", dingtalk.Kind{}, f, robot.Limits{})}}
	env.open(b, false)
	defer env.close(b)
	enqueue(b, env.queue, "r", dingtalk.Target, 0, b.N)
	b.ResetTimer()
	env.queue.Start()
	<-done
}
