package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// remember records a delivery ID seen at now, or returns ErrDuplicate when
// it is already known. The IDs are indexed twice: by ID for the lookup and
// by time (8-byte big-endian nanoseconds, then the ID) for expiry.
func remember(tx *bolt.Tx, delivery string, now time.Time) error {
	d := tx.Bucket(bucketDedup)
	if d.Get([]byte(delivery)) != nil {
		return ErrDuplicate
	}
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(now.UnixNano()))
	if err := d.Put([]byte(delivery), ts[:]); err != nil {
		return err
	}
	byTime := tx.Bucket(bucketDedupTime)
	byTime.FillPercent = appendFill
	return byTime.Put(append(ts[:], delivery...), nil)
}

// Expire forgets delivery IDs seen before cutoff, at most ten thousand per
// call, and says how many it forgot.
func (s *Store) Expire(cutoff time.Time) (int, error) {
	n := 0
	err := s.write(func(tx *bolt.Tx) error {
		n = 0
		d, t := tx.Bucket(bucketDedup), tx.Bucket(bucketDedupTime)
		c := t.Cursor()
		limit := uint64(cutoff.UnixNano())
		for k, _ := c.First(); k != nil && len(k) >= 8 && binary.BigEndian.Uint64(k[:8]) < limit; k, _ = c.Next() {
			if err := d.Delete(k[8:]); err != nil {
				return err
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
			if n >= 10000 { // keep one transaction short; the next sweep continues
				break
			}
		}
		return nil
	}, nil)
	if err != nil {
		return 0, fmt.Errorf("store: expire delivery ids: %w", err)
	}
	return n, nil
}
