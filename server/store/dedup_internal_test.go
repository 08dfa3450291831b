package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A file written before the count was kept (its sequence is 0) is counted
// at start-up, then held to the bound like any other.
func TestDedupCountsAnOlderFile(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Unix(1_700_000_000, 0)
	for i, id := range []string{"a", "b", "c"} {
		if err := s.Add(id, true, base.Add(time.Duration(i)*time.Second), nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(dir, "queue.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketDedupTime).SetSequence(0) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{DedupMax: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		id   string
		seen bool
	}{{"c", true}, {"b", true}, {"a", false}} {
		err := s.Add(c.id, true, base.Add(time.Minute), nil, nil)
		if got := errors.Is(err, ErrDuplicate); got != c.seen || (err != nil && !got) {
			t.Errorf("%s: %v, want seen %v", c.id, err, c.seen)
		}
	}
}
