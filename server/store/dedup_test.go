package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/store"
)

// seen adds delivery id at t with dedup and reports whether the store knew
// it already.
func seen(tb testing.TB, st *store.Store, id string, t time.Time) bool {
	tb.Helper()
	switch err := st.Add(id, true, t, nil, nil); {
	case errors.Is(err, store.ErrDuplicate):
		return true
	case err != nil:
		tb.Fatal(err)
	}
	return false
}

// Once: the dedup index was bounded by age only, so it grew with traffic
// (about 100 bytes per event for 24 h). Now it keeps at most DedupMax IDs,
// forgetting the oldest first, across restarts.
func TestDedupKeepsTheNewestIDs(t *testing.T) {
	dir := t.TempDir()
	base := time.Unix(1_700_000_000, 0)
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) }
	st := openStoreWith(t, dir, store.Options{DedupMax: 3})
	for i := 1; i <= 5; i++ {
		if seen(t, st, fmt.Sprint("d", i), at(i)) {
			t.Fatalf("d%d reported seen on its first add", i)
		}
	}
	type check struct {
		id   string
		seen bool
	}
	run := func(step int, checks []check) {
		t.Helper()
		for i, c := range checks {
			if got := seen(t, st, c.id, at(step+i)); got != c.seen {
				t.Errorf("%s seen = %v, want %v", c.id, got, c.seen)
			}
		}
	}
	// Kept: d3 d4 d5. d1 and d2 are forgotten and accepted again; each
	// accepted ID makes room by forgetting the oldest kept one.
	run(10, []check{{"d5", true}, {"d4", true}, {"d1", false}, {"d3", false}, {"d1", true}})
	// Kept: d5 d1 d3, also after a restart; d6 makes room by forgetting d5.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStoreWith(t, dir, store.Options{DedupMax: 3})
	run(20, []check{{"d5", true}, {"d6", false}, {"d5", false}, {"d3", true}})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// A lower bound at start-up forgets the oldest beyond it at once.
	st = openStoreWith(t, dir, store.Options{DedupMax: 1})
	defer st.Close()
	run(30, []check{{"d5", true}, {"d6", false}})
}

func TestExpireForgetsIDsByAge(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	base := time.Unix(1_700_000_000, 0)
	for i := range 5 {
		seen(t, st, fmt.Sprint("d", i), base.Add(time.Duration(i)*time.Hour))
	}
	n, err := st.Expire(base.Add(150 * time.Minute)) // before d3
	if err != nil || n != 3 {
		t.Fatalf("Expire = %d, %v; want 3", n, err)
	}
	for i := range 5 {
		if got, want := seen(t, st, fmt.Sprint("d", i), base), i >= 3; got != want {
			t.Errorf("d%d seen = %v after expiry, want %v", i, got, want)
		}
	}
}

// Seen lists what dedup remembers, oldest first, with its time: what a
// move to Redis carries over.
func TestSeenListsRememberedIDsOldestFirst(t *testing.T) {
	st := openStoreWith(t, t.TempDir(), store.Options{DedupMax: 2})
	base := time.Unix(1_700_000_000, 0)
	for i := 1; i <= 3; i++ {
		seen(t, st, fmt.Sprint("d", i), base.Add(time.Duration(i)*time.Second))
	}
	var got []string
	if err := st.Seen(func(id string, at time.Time) error {
		got = append(got, fmt.Sprintf("%s@%d", id, at.Unix()-base.Unix()))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := "[d2@2 d3@3]"; fmt.Sprint(got) != want {
		t.Fatalf("Seen = %v, want %s", got, want)
	}
}
