package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Dedup IDs are in bucketDedup (ID → time) and bucketDedupTime (ns+ID, to forget
// oldest first), whose sequence is the count: same transaction, crash-exact.

// defaultDedupMax costs about 150 MB of file (random IDs half-fill pages).
const defaultDedupMax = 1_000_000

// trimBatch bounds one transaction's forgetting, so no write waits long.
const trimBatch = 10_000

// remember records id or returns ErrDuplicate; at the bound the oldest goes.
func (s *Store) remember(tx *bolt.Tx, delivery string, now time.Time) error {
	d := tx.Bucket(bucketDedup)
	if d.Get([]byte(delivery)) != nil {
		return ErrDuplicate
	}
	byTime := tx.Bucket(bucketDedupTime)
	byTime.FillPercent = appendFill
	n := byTime.Sequence()
	if n >= uint64(s.o.DedupMax) {
		if _, err := forgetOldest(tx, n-uint64(s.o.DedupMax)+1); err != nil {
			return err
		}
		n = byTime.Sequence()
	}
	ts := binary.BigEndian.AppendUint64(nil, uint64(now.UnixNano()))
	return errors.Join(d.Put([]byte(delivery), ts),
		byTime.Put(append(slices.Clip(ts), delivery...), nil), byTime.SetSequence(n+1))
}

// forgetWhile forgets IDs oldest first, up to limit and until keep holds.
func forgetWhile(tx *bolt.Tx, limit uint64, keep func(k []byte) bool) (uint64, error) {
	d, t := tx.Bucket(bucketDedup), tx.Bucket(bucketDedupTime)
	c := t.Cursor()
	var n uint64
	for k, _ := c.First(); k != nil && n < limit && !keep(k); k, _ = c.Next() {
		if len(k) >= 8 {
			if err := d.Delete(k[8:]); err != nil {
				return n, err
			}
		}
		if err := c.Delete(); err != nil {
			return n, err
		}
		n++
	}
	left := t.Sequence() - min(n, t.Sequence())
	if k, _ := c.First(); k == nil {
		left = 0 // a count gone wrong (an older relay wrote the file) heals here
	}
	return n, t.SetSequence(left)
}

func forgetOldest(tx *bolt.Tx, n uint64) (uint64, error) {
	return forgetWhile(tx, n, func([]byte) bool { return false })
}

// countDedup, at Open, counts an older file's IDs and trims beyond max (after
// RELAY_DEDUP_MAX was lowered), a batch per transaction.
func countDedup(db *bolt.DB, max uint64) error {
	err := db.Update(func(tx *bolt.Tx) error {
		t := tx.Bucket(bucketDedupTime)
		if t.Sequence() != 0 {
			return nil
		}
		return t.SetSequence(uint64(t.Stats().KeyN))
	})
	for more := true; err == nil && more; {
		err = db.Update(func(tx *bolt.Tx) error {
			n := tx.Bucket(bucketDedupTime).Sequence()
			if n <= max {
				more = false
				return nil
			}
			_, err := forgetOldest(tx, min(n-max, trimBatch))
			return err
		})
	}
	return err
}

// Expire forgets up to 10,000 delivery IDs seen before cutoff; it returns how many.
func (s *Store) Expire(cutoff time.Time) (int, error) {
	limit := uint64(cutoff.UnixNano())
	var n uint64
	err := s.write(func(tx *bolt.Tx) error {
		var err error
		n, err = forgetWhile(tx, trimBatch, func(k []byte) bool {
			return len(k) >= 8 && binary.BigEndian.Uint64(k[:8]) >= limit
		})
		return err
	}, nil)
	if err != nil {
		return 0, fmt.Errorf("store: expire delivery ids: %w", err)
	}
	return int(n), nil
}

// Seen calls fn with each dedup ID and its time, oldest first, for moving to a
// shared store (a redelivery stays a duplicate).
func (s *Store) Seen(fn func(delivery string, at time.Time) error) error {
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDedupTime).ForEach(func(k, _ []byte) error {
			if len(k) < 8 {
				return nil
			}
			return fn(string(k[8:]), time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))))
		})
	})
	return wrapErr("read delivery ids", err)
}
