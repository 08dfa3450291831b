package store

import (
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Probe commits a small write of its own, the like of what storing an event
// takes (a changed page, an fsync), and reports whether it succeeded: after
// writes failed (a full disk), it tells when the store can take events
// again without waiting for one.
func (s *Store) Probe() error {
	err := s.write(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketProbe).Put([]byte("last"), binary.BigEndian.AppendUint64(nil, uint64(time.Now().UnixNano())))
	}, nil)
	return wrapErr("probe", err)
}
