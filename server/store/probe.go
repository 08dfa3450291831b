package store

import (
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Probe commits a small write (a page, an fsync), telling after failures (a
// full disk) when the store takes events again.
func (s *Store) Probe() error {
	err := s.write(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketProbe).Put([]byte("last"), binary.BigEndian.AppendUint64(nil, uint64(time.Now().UnixNano())))
	}, nil)
	return wrapErr("probe", err)
}
