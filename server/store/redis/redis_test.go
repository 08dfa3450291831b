package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/server/store/redis"
	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
	"github.com/coding-relay/coding-relay/translate"
)

func open(tb testing.TB, srv *redistest.Server, o redis.Options) *redis.Store {
	tb.Helper()
	st, err := redis.Open(srv.URL, o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

func item(lane, title string) *store.Item {
	return &store.Item{Robot: "r-" + lane, Lane: lane, Delivery: title, Event: "push",
		Message: translate.Message{Title: title}, Created: time.Now(), UUID: "uuid-" + lane + "-" + title}
}

func add(tb testing.TB, st *redis.Store, delivery string, items ...*store.Item) {
	tb.Helper()
	if err := st.Add(delivery, delivery != "", time.Now(), items, nil); err != nil {
		tb.Fatal(err)
	}
}

func titles(items []*store.Item) string {
	var out []string
	for _, it := range items {
		out = append(out, it.Message.Title)
	}
	return fmt.Sprint(out)
}

// A lane's order is the order Redis took its items in, whichever store
// instance (replica) wrote them; Next pages through it and Done removes.
func TestLaneOrderAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	a, b := open(t, srv, redis.Options{}), open(t, srv, redis.Options{})
	add(t, a, "d1", item("x", "1"), item("y", "1"))
	add(t, b, "d2", item("x", "2"))
	add(t, a, "d3", item("x", "3"))
	got, last, rest, err := b.Next("x", 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if titles(got) != "[1 2]" || rest != 1 || got[0].Lane != "x" || got[0].ID >= got[1].ID {
		t.Fatalf("Next = %s rest %d", titles(got), rest)
	}
	more, _, rest, err := b.Next("x", last, 10)
	if err != nil || titles(more) != "[3]" || rest != 0 {
		t.Fatalf("Next after %d = %s rest %d, %v", last, titles(more), rest, err)
	}
	done := make(chan error, 1)
	a.Done(got, "r-x", nil, func(err error) { done <- err })
	// Until the removal is in, a fresh read leaves the delivered items out.
	again, _, _, _ := a.Next("x", 0, 10)
	if titles(again) != "[3]" {
		t.Fatalf("fresh Next while removing = %s, want [3]", titles(again))
	}
	if err := a.Release(nil); err != nil { // flushes removals
		t.Fatal(err)
	}
	fresh, _, _, _ := b.Next("x", 0, 10)
	if titles(fresh) != "[3]" {
		t.Fatalf("after Done, Next = %s, want [3]", titles(fresh))
	}
	list, total, err := b.List(10)
	if err != nil || total != 2 || titles(list) != "[1 3]" {
		t.Fatalf("List = %s total %d, %v", titles(list), total, err)
	}
}

// Dedup is shared and bounded by count: the oldest IDs go first.
func TestDedupSharedAndBounded(t *testing.T) {
	srv := redistest.Start(t)
	a, b := open(t, srv, redis.Options{DedupMax: 2}), open(t, srv, redis.Options{DedupMax: 2})
	add(t, a, "d1", item("x", "1"))
	if err := b.Add("d1", true, time.Now(), []*store.Item{item("x", "1b")}, nil); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second d1 on another replica: %v, want ErrDuplicate", err)
	}
	add(t, a, "d2", item("x", "2"))
	add(t, a, "d3", item("x", "3")) // d1 forgotten
	if err := b.Add("d1", true, time.Now(), []*store.Item{item("x", "1c")}, nil); err != nil {
		t.Fatalf("d1 beyond the bound: %v, want accepted", err)
	}
	if err := b.Add("d3", true, time.Now(), []*store.Item{item("x", "3b")}, nil); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("d3: %v, want ErrDuplicate", err)
	}
	if n, err := a.Expire(time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("Expire = %d, %v; want the 2 entries kept", n, err)
	}
}

// One replica holds a lane at a time; a released or expired lease passes
// on; a take is fenced by the lease.
func TestLeases(t *testing.T) {
	srv := redistest.Start(t)
	a, b := open(t, srv, redis.Options{}), open(t, srv, redis.Options{})
	lanes := []string{"x", "y"}
	if held, err := a.Hold(lanes[:1], time.Minute); err != nil || !held[0] {
		t.Fatalf("a.Hold = %v, %v", held, err)
	}
	held, err := b.Hold(lanes, 300*time.Millisecond)
	if err != nil || held[0] || !held[1] {
		t.Fatalf("b.Hold = %v, %v; want [false true]", held, err)
	}
	win := robot.Limits{{N: 5, Per: time.Minute}}
	if _, _, err := b.Slot("x", win, true); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("b takes a send of a's lane: %v, want ErrLeaseLost", err)
	}
	if err := a.Release(lanes); err != nil {
		t.Fatal(err)
	}
	if held, _ := b.Hold(lanes, 300*time.Millisecond); !held[0] || !held[1] {
		t.Fatalf("after a released: b.Hold = %v", held)
	}
	// b does not renew: it has died. Its leases run out by themselves.
	for deadline := time.Now().Add(5 * time.Second); ; {
		held, err := a.Hold(lanes, time.Minute)
		if err == nil && held[0] && held[1] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after b's 300 ms leases: a.Hold = %v, %v", held, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A lease of an earlier version (a key with a TTL of its own, during a
	// rolling upgrade) is respected until it runs out.
	if _, err := srv.Do("SET", "coding-relay:lease:z", "earlier-replica", "PX", "300"); err != nil {
		t.Fatal(err)
	}
	if held, _ := a.Hold([]string{"z"}, time.Minute); held[0] {
		t.Fatal("a took a lane an earlier version's replica holds")
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		if held, err := a.Hold([]string{"z"}, time.Minute); err == nil && held[0] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("5 s after an earlier version's 300 ms lease, a does not hold its lane")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The window is one for every replica: whoever takes the slots, no more
// than N start in any window.
func TestSlotsSharedAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	a, b := open(t, srv, redis.Options{}), open(t, srv, redis.Options{})
	win := robot.Limits{{N: 3, Per: time.Second}, {N: 10, Per: time.Minute}}
	for i, st := range []*redis.Store{a, b, a} {
		if _, err := st.Hold([]string{"x"}, time.Minute); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			_ = a.Release([]string{"x"})
			_, _ = b.Hold([]string{"x"}, time.Minute)
		}
		wait, _, err := st.Slot("x", win, true)
		if err != nil || wait != 0 {
			t.Fatalf("take %d: wait %s, %v", i, wait, err)
		}
		if i == 1 {
			_ = b.Release([]string{"x"})
		}
	}
	wait, free, err := b.Slot("x", win, false)
	if err != nil || free != 0 || wait <= 0 || wait > time.Second {
		t.Fatalf("after 3 sends: wait %s free %d, %v; want a wait under 1s, none free", wait, free, err)
	}
	if wait, _, _ := a.Slot("x", win, true); wait <= 0 {
		t.Fatal("a fourth send was taken inside the window")
	}
	hist, _ := a.SendTimes("x")
	if len(hist) != 3 {
		t.Fatalf("history %v, want 3 sends", hist)
	}
}

// Dead letters: only pending items are buried; a revived one joins the
// end of its lane under a new ID.
func TestBuryAndRevive(t *testing.T) {
	srv := redistest.Start(t)
	st := open(t, srv, redis.Options{})
	add(t, st, "d1", item("x", "1"))
	add(t, st, "d2", item("x", "2"))
	items, _, _, _ := st.Next("x", 0, 10)
	items[0].LastError = "boom"
	if err := st.Bury(items[:1], "r-x", nil); err != nil {
		t.Fatal(err)
	}
	dead, total, err := st.Dead(10)
	if err != nil || total != 1 || dead[0].LastError != "boom" {
		t.Fatalf("Dead = %v total %d, %v", dead, total, err)
	}
	var revived *store.Item
	err = st.Revive(dead[0].ID, func(it *store.Item) error { it.Lane = "x"; return nil }, func(it *store.Item) { revived = it })
	if err != nil || revived == nil || revived.ID <= items[1].ID {
		t.Fatalf("Revive: %v, %+v", err, revived)
	}
	if err := st.Revive(dead[0].ID, func(*store.Item) error { return nil }, func(*store.Item) {}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second Revive: %v, want ErrNotFound", err)
	}
	got, _, _, _ := st.Next("x", 0, 10)
	if titles(got) != "[2 1]" || got[1].LastError != "" {
		t.Fatalf("lane after revive = %s", titles(got))
	}
}

// Redis going away is store.ErrUnavailable; with AOF (appendfsync always)
// what it acknowledged is there after a kill -9.
func TestUnavailableAndDurable(t *testing.T) {
	srv := redistest.Start(t)
	st := open(t, srv, redis.Options{})
	add(t, st, "d1", item("x", "1"))
	srv.Kill()
	if err := st.Add("d2", true, time.Now(), []*store.Item{item("x", "2")}, nil); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Add with Redis down: %v, want ErrUnavailable", err)
	}
	if err := st.Probe(); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Probe with Redis down: %v", err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	var err error
	for range 50 { // the pool's broken connections are dropped as they fail
		if err = st.Probe(); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, _, _, err := st.Next("x", 0, 10)
	if err != nil || titles(got) != "[1]" {
		t.Fatalf("after restart: %s, %v", titles(got), err)
	}
	d, err := st.Durability()
	if err != nil || d.AppendOnly != "yes" || d.AppendFsync != "always" || d.MaxmemoryPolicy != "noeviction" {
		t.Fatalf("Durability = %+v, %v", d, err)
	}
}

// An import cut short and run again adds only what is missing.
func TestImportIsIdempotent(t *testing.T) {
	srv := redistest.Start(t)
	st := open(t, srv, redis.Options{})
	items := []*store.Item{item("x", "1"), item("x", "2"), item("y", "3")}
	if n, err := st.Import(items[:2], false); err != nil || n != 2 {
		t.Fatalf("Import = %d, %v", n, err)
	}
	if n, err := st.Import(items, false); err != nil || n != 1 {
		t.Fatalf("Import again = %d, %v; want only the missing one", n, err)
	}
	if n, err := st.Import([]*store.Item{item("z", "dead")}, true); err != nil || n != 1 {
		t.Fatalf("Import dead = %d, %v", n, err)
	}
	_, pending, _ := st.List(10)
	_, dead, _ := st.Dead(10)
	if pending != 3 || dead != 1 {
		t.Fatalf("pending %d dead %d, want 3 and 1", pending, dead)
	}
}

// A renamed robot's backlog moves to its new lane; the old lane is then
// forgotten.
func TestMoveAndForget(t *testing.T) {
	srv := redistest.Start(t)
	st := open(t, srv, redis.Options{})
	add(t, st, "d1", item("old", "1"))
	add(t, st, "d2", item("new", "2"))
	items, _, _, _ := st.Next("old", 0, 10)
	if n, err := st.Move(items, "old", "new"); err != nil || n != 1 {
		t.Fatalf("Move = %d, %v", n, err)
	}
	got, _, _, _ := st.Next("new", 0, 10)
	if titles(got) != "[2 1]" {
		t.Fatalf("new lane = %s", titles(got))
	}
	if ok, err := st.Forget("old"); err != nil || !ok {
		t.Fatalf("Forget(old) = %v, %v", ok, err)
	}
	if ok, _ := st.Forget("new"); ok {
		t.Fatal("Forget dropped a lane that holds items")
	}
	if lanes, _ := st.Lanes(); fmt.Sprint(lanes) != "[new]" {
		t.Fatalf("Lanes = %v", lanes)
	}
}

// A URL that does not parse is refused without quoting it (it may hold a
// password).
func TestOpenNeverShowsThePassword(t *testing.T) {
	for _, u := range []string{"redis://user:s3cret@[::1:6379/0", "http://user:s3cret@host/0", "redis://user:s3cret@host/notadb"} {
		_, err := redis.Open(u, redis.Options{})
		if err == nil {
			t.Fatalf("%s opened", u)
		}
		if msg := err.Error(); strings.Contains(msg, "s3cret") {
			t.Fatalf("error shows the password: %s", msg)
		}
	}
	if got := redis.Redact("rediss://user:s3cret@host:6380/2"); got != "rediss://host:6380/2" {
		t.Fatalf("Redact = %s", got)
	}
}

// A message fanned out to 200 robots is stored once; every robot's lane
// reads it back, a dead letter keeps it for replay, and it goes with the
// last item that refers to it.
func TestFanOutStoresTheMessageOnce(t *testing.T) {
	srv := redistest.Start(t)
	st := open(t, srv, redis.Options{})
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr})
	defer c.Close()
	memory := func() int {
		info, _ := c.Info(context.Background(), "memory").Result()
		for _, line := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
				n, _ := strconv.Atoi(v)
				return n
			}
		}
		return 0
	}
	// Until Hold has seen no lease of an earlier version, which reads
	// only messages stored inline, messages are stored inline.
	if _, err := st.Hold([]string{"0"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("x", 20<<10)
	var items []*store.Item
	for i := range 200 {
		it := item(fmt.Sprint(i), "shared")
		it.Message.Text = text
		items = append(items, it)
	}
	before := memory()
	add(t, st, "d", items...)
	if grew := memory() - before; grew > 1<<20 {
		t.Fatalf("Redis grew by %d KB for 200 robots' 20 KB message; want it stored once", grew>>10)
	}
	var got []*store.Item
	for i := range items {
		next, _, _, err := st.Next(fmt.Sprint(i), 0, 10)
		if err != nil || len(next) != 1 || next[0].Message.Text != text {
			t.Fatalf("lane %d reads %v, %v; want the shared message", i, titles(next), err)
		}
		got = append(got, next[0])
	}
	if err := st.Bury(got[:1], "", nil); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	st.Done(got[1:], "", nil, func(err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var revived *store.Item
	err := st.Revive(got[0].ID, func(*store.Item) error { return nil }, func(it *store.Item) { revived = it })
	if err != nil || revived == nil || revived.Message.Text != text {
		t.Fatalf("the dead letter revived: %v; want its message", err)
	}
	st.Done([]*store.Item{revived}, "", nil, func(err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"coding-relay:bodies", "coding-relay:bodyrefs", "coding-relay:items"} {
		if n, err := c.HLen(context.Background(), key).Result(); err != nil || n != 0 {
			t.Errorf("%s holds %d entries once every item was delivered (%v)", key, n, err)
		}
	}
	if _, err := srv.Do("SET", "coding-relay:lease:1", "earlier-replica", "PX", "60000"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Hold([]string{"0", "1"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	add(t, st, "d2", items[:2]...)
	if n, err := c.HLen(context.Background(), "coding-relay:bodies").Result(); err != nil || n != 0 {
		t.Errorf("with an earlier version's lease about, %d messages were stored to share (%v); want them inline", n, err)
	}
	if next, _, _, err := st.Next("0", 0, 10); err != nil || len(next) != 1 || next[0].Message.Text != text {
		t.Errorf("an inline message read back as %s, %v", titles(next), err)
	}
}
