package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/translate"
)

// BenchmarkStoreAdd measures durable intake alone: 16 concurrent webhooks
// adding one item each, sharing fsyncs through the group commit.
func BenchmarkStoreAdd(b *testing.B) {
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	m := translate.Message{Target: "dingtalk", Event: "push", Title: "event 1",
		Text: "### event 1\n\n[details](https://e.coding.net/p/x/1)", Link: "https://e.coding.net/p/x/1"}
	var n atomic.Int64
	b.SetParallelism(8) // 16 goroutines on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			it := &store.Item{Robot: "r", Message: m, Created: time.Now(), UUID: fmt.Sprint(i)}
			if err := st.Add(fmt.Sprint(i), true, time.Now(), []*store.Item{it}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
