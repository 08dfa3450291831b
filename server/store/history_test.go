package store_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/store"
)

// record adds a sent message and waits for its commit.
func record(tb testing.TB, st *store.Store, robot, title string, at time.Time) {
	tb.Helper()
	errc := make(chan error, 1)
	st.Record(store.Sent{Robot: robot, At: at, Title: title, Body: json.RawMessage(`{"msgtype":"markdown","t":"` + title + `"}`),
		Items: []store.SentItem{{Delivery: "d-" + title, Event: "push"}}}, func(err error) { errc <- err })
	if err := <-errc; err != nil {
		tb.Fatal(err)
	}
}

func titles(list []store.Sent) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Robot+"/"+e.Title)
	}
	return out
}

func TestHistoryKeepsTheLastPerRobotNewestFirst(t *testing.T) {
	st := openStoreWith(t, t.TempDir(), store.Options{HistoryMax: 3})
	defer st.Close()
	now := time.Now()
	for i := range 5 {
		record(t, st, "a", fmt.Sprint(i), now.Add(time.Duration(i)*time.Second))
	}
	record(t, st, "b", "x", now.Add(2500*time.Millisecond))
	got, err := st.History("a", 10, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if want := "[a/4 a/3 a/2]"; fmt.Sprint(titles(got)) != want {
		t.Fatalf("history of a = %v, want %s (the last 3, newest first)", titles(got), want)
	}
	if string(got[0].Body) != `{"msgtype":"markdown","t":"4"}` || got[0].Items[0].Delivery != "d-4" || got[0].ID != 5 {
		t.Fatalf("entry = %+v, want the body as recorded, its delivery and ID 5", got[0])
	}
	all, err := st.History("", 3, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if want := "[a/4 a/3 b/x]"; fmt.Sprint(titles(all)) != want {
		t.Fatalf("history of all = %v, want %s (merged by time)", titles(all), want)
	}
	if none, err := st.History("nobody", 10, now); err != nil || len(none) != 0 {
		t.Fatalf("history of an unknown robot = %v, %v; want none", none, err)
	}
}

func TestHistoryForgetsOldEntries(t *testing.T) {
	st := openStoreWith(t, t.TempDir(), store.Options{HistoryAge: time.Hour})
	defer st.Close()
	now := time.Now()
	record(t, st, "a", "old", now.Add(-2*time.Hour))
	record(t, st, "a", "recent", now.Add(-30*time.Minute))
	got, err := st.History("a", 10, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[a/recent]"; fmt.Sprint(titles(got)) != want {
		t.Fatalf("history = %v, want %s: the entry older than HistoryAge is pruned", titles(got), want)
	}
	// Nothing recorded since: an entry that aged out is hidden all the same.
	if got, _ := st.History("a", 10, now.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("history an hour later = %v, want none", titles(got))
	}
}

func TestHistorySurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	now := time.Now()
	record(t, st, "a", "1", now)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir)
	defer st.Close()
	record(t, st, "a", "2", now.Add(time.Second))
	got, err := st.History("a", 10, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[a/2 a/1]"; fmt.Sprint(titles(got)) != want || got[0].ID != 2 {
		t.Fatalf("history after reopen = %v (first ID %d), want %s with IDs going on", titles(got), got[0].ID, want)
	}
}
