package store_test

import (
	"fmt"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/translate"
)

// fanOut is one delivery's items for n robots that share a rendering of
// 20 KB, and one robot with a message of its own.
func fanOut(n int) []*store.Item {
	shared := translate.Message{Target: dingtalk.Target, Title: "shared", Text: strings.Repeat("x", 20<<10)}
	items := make([]*store.Item, n+1)
	for i := range n {
		items[i] = &store.Item{Robot: fmt.Sprintf("r%d", i), Delivery: "d", Message: shared, Created: time.Now(), UUID: fmt.Sprintf("u%d", i)}
	}
	items[n] = &store.Item{Robot: "own", Delivery: "d", Message: translate.Message{Title: "own"}, Created: time.Now(), UUID: "own"}
	return items
}

// A message fanned out to 200 robots is stored once; every robot's item
// reads it back, a dead letter keeps it for replay, and it goes with the
// last item that refers to it.
func TestFanOutStoresTheMessageOnce(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	items := fanOut(200)
	if err := st.Add("d", true, time.Now(), items, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if used := inUse(t, dir, "pending", "bodies", "body_refs"); used > 1<<20 {
		t.Fatalf("the queue takes %d KB of the file after 200 robots' 20 KB message; want it stored once", used>>10)
	}
	st = openStore(t, dir)
	ids := make([]uint64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	loaded, err := st.Load(ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range loaded {
		if it == nil || it.Message.Title != items[i].Message.Title || it.Message.Text != items[i].Message.Text {
			t.Fatalf("item %d read back as %+v", i, it)
		}
	}
	if err := st.Bury(items[:1], "", nil); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	st.Done(items[1:], "", nil, func(err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var revived *store.Item
	err = st.Revive(items[0].ID, func(*store.Item) error { return nil }, func(it *store.Item) { revived = it })
	if err != nil || revived == nil || revived.Message.Text != items[0].Message.Text {
		t.Fatalf("the dead letter revived: %+v, %v; want its message", revived, err)
	}
	st.Done([]*store.Item{revived}, "", nil, func(err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if used := inUse(t, dir, "pending", "bodies", "body_refs"); used != 0 {
		t.Errorf("%d bytes left in the queue once every item was delivered", used)
	}
}

// inUse is the bytes the named buckets of the closed store in dir take.
func inUse(tb testing.TB, dir string, buckets ...string) int {
	tb.Helper()
	db, err := bolt.Open(filepath.Join(dir, "queue.db"), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	n := 0
	_ = db.View(func(tx *bolt.Tx) error {
		for _, b := range buckets {
			s := tx.Bucket([]byte(b)).Stats()
			n += s.BranchInuse + s.LeafInuse
		}
		return nil
	})
	return n
}
