package redis_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/server/store/redis"
	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
)

// record adds a sent message and waits until Redis has it.
func record(tb testing.TB, st *redis.Store, robot, title string, at time.Time) {
	tb.Helper()
	errc := make(chan error, 1)
	st.Record(store.Sent{Robot: robot, At: at, Title: title, Attempts: 1,
		Body:  json.RawMessage(`{"msgtype":"markdown","t":"` + title + `"}`),
		Items: []store.SentItem{{Delivery: "d-" + title, Event: "push"}}}, func(err error) { errc <- err })
	if err := <-errc; err != nil {
		tb.Fatal(err)
	}
}

func sentTitles(list []store.Sent) string {
	var out []string
	for _, e := range list {
		out = append(out, e.Robot+"/"+e.Title)
	}
	return fmt.Sprint(out)
}

// Every replica writes to and reads the one history: the last HistoryMax
// per robot, newest first, merged by time across robots, with the body as
// sent.
func TestHistorySharedAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, srv, redis.Options{HistoryMax: 3})
	b := open(t, srv, redis.Options{HistoryMax: 3})
	now := time.Now().Truncate(time.Millisecond)
	for i := range 5 {
		st := a
		if i%2 == 1 {
			st = b
		}
		record(t, st, "a", fmt.Sprint(i), now.Add(time.Duration(i)*time.Second))
	}
	record(t, b, "b", "x", now.Add(2500*time.Millisecond))

	got, err := b.History("a", 10, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if want := "[a/4 a/3 a/2]"; sentTitles(got) != want {
		t.Fatalf("history of a = %s, want %s (the last 3, newest first)", sentTitles(got), want)
	}
	e := got[0]
	if string(e.Body) != `{"msgtype":"markdown","t":"4"}` || e.Items[0].Delivery != "d-4" || e.ID != 5 || e.Attempts != 1 || !e.At.Equal(now.Add(4*time.Second)) {
		t.Fatalf("entry = %+v, want the body, delivery, attempts and time as recorded and ID 5", e)
	}
	all, err := a.History("", 3, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if want := "[a/4 a/3 b/x]"; sentTitles(all) != want {
		t.Fatalf("history of all = %s, want %s (merged by time)", sentTitles(all), want)
	}
	if none, err := a.History("nobody", 10, now); err != nil || len(none) != 0 {
		t.Fatalf("history of an unknown robot = %v, %v; want none", none, err)
	}
}

// Entries older than HistoryAge are left out at once and pruned by the next
// record.
func TestHistoryForgetsByAge(t *testing.T) {
	srv := redistest.Start(t)
	st := open(t, srv, redis.Options{HistoryAge: time.Hour})
	now := time.Now()
	record(t, st, "a", "old", now.Add(-2*time.Hour))
	record(t, st, "a", "recent", now.Add(-30*time.Minute))
	got, err := st.History("a", 10, now)
	if err != nil {
		t.Fatal(err)
	}
	if sentTitles(got) != "[a/recent]" {
		t.Fatalf("history = %s, want only the entry within the hour", sentTitles(got))
	}
	// Read as if an hour later: the recent one is now too old as well,
	// though no record pruned it.
	if later, err := st.History("a", 10, now.Add(time.Hour)); err != nil || len(later) != 0 {
		t.Fatalf("history an hour later = %s, %v; want none", sentTitles(later), err)
	}
	record(t, st, "a", "new", now)
	if got, _ := st.History("a", 10, now.Add(-3*time.Hour)); sentTitles(got) != "[a/new a/recent]" {
		t.Fatalf("after a record, every stored entry = %s, want the old one pruned", sentTitles(got))
	}
}

// Without Redis a record is told it failed and a read is an unavailable
// error; neither hangs.
func TestHistoryWithoutRedis(t *testing.T) {
	srv := redistest.Start(t)
	st := open(t, srv, redis.Options{})
	srv.Stop()
	errc := make(chan error, 1)
	st.Record(store.Sent{Robot: "a", At: time.Now(), Body: json.RawMessage(`{}`)}, func(err error) { errc <- err })
	if err := <-errc; err == nil {
		t.Fatal("record with Redis down: no error")
	}
	if _, err := st.History("", 10, time.Now()); err == nil {
		t.Fatal("history with Redis down: no error")
	}
}
