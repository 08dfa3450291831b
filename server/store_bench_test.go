package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/translate"
)

// BenchmarkStoreAdd measures durable intake alone: 16 concurrent webhooks
// adding one item each, sharing fsyncs through the group commit.
func BenchmarkStoreAdd(b *testing.B) {
	st, err := server.OpenStore(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	m := msg(translate.DingTalk, 1)
	var n atomic.Int64
	b.SetParallelism(8) // 16 goroutines on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			it := &server.Item{Robot: "r", Message: m, Created: time.Now(), UUID: fmt.Sprint(i)}
			if err := st.Add(fmt.Sprint(i), true, time.Now(), []*server.Item{it}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkQueueDrain measures the delivery side alone: b.N stored messages
// sent in order to one robot (pacing off) that answers errcode 0.
func BenchmarkQueueDrain(b *testing.B) {
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
	env := &queueEnv{dir: b.TempDir(), lanes: []server.Lane{testLane(b, "r", dingtalk.Kind{}, f, robot.Limits{})}}
	env.open(b, false)
	defer env.close(b)
	enqueue(b, env.queue, "r", translate.DingTalk, 0, b.N)
	b.ResetTimer()
	env.queue.Start()
	<-done
}
