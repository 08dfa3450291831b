package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketRevoked: logged-out session ID → expiry (Unix s, big-endian).
var bucketRevoked = []byte("revoked")

// RevokeSession remembers a logged-out console session until its expiry.
func (s *Store) RevokeSession(id string, until time.Time) error {
	now := time.Now().Unix()
	err := s.write(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketRevoked)
		if err != nil {
			return err
		}
		var expired [][]byte
		_ = b.ForEach(func(k, v []byte) error {
			if len(v) != 8 || int64(binary.BigEndian.Uint64(v)) <= now {
				expired = append(expired, k)
			}
			return nil
		})
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return b.Put([]byte(id), binary.BigEndian.AppendUint64(nil, uint64(until.Unix())))
	}, nil)
	return wrapErr("revoke session", err)
}

// SessionRevoked reports whether the console session id was logged out.
func (s *Store) SessionRevoked(id string) (bool, error) {
	var out bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketRevoked); b != nil {
			out = b.Get([]byte(id)) != nil
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: read revoked sessions: %w", err)
	}
	return out, nil
}
