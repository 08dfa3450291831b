package store

import (
	"encoding/binary"
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketLanes (ID → arrival ns + Item.Lane) lets start-up learn backlogs without
// reading items; a sequence behind pending's (an older file) reindexes at Open.
var bucketLanes = []byte("lanes")

func index(tx *bolt.Tx, items []*Item) error {
	idx := tx.Bucket(bucketLanes)
	idx.FillPercent = appendFill
	for _, it := range items {
		if err := idx.Put(key(it.ID), append(binary.BigEndian.AppendUint64(nil, uint64(it.Created.UnixNano())), it.Lane...)); err != nil {
			return err
		}
	}
	return idx.SetSequence(tx.Bucket(bucketPending).Sequence())
}

func reindex(tx *bolt.Tx) error {
	p := tx.Bucket(bucketPending)
	if idx := tx.Bucket(bucketLanes); idx != nil && idx.Sequence() == p.Sequence() {
		return nil
	}
	if err := tx.DeleteBucket(bucketLanes); err != nil && err != bolt.ErrBucketNotFound {
		return err
	}
	idx, err := tx.CreateBucket(bucketLanes)
	if err != nil {
		return err
	}
	err = p.ForEach(func(k, v []byte) error {
		it, err := DecodeItem(binary.BigEndian.Uint64(k), v)
		if err != nil {
			it = &Item{ID: binary.BigEndian.Uint64(k)} // unreadable: Load skips it
		}
		return index(tx, []*Item{it})
	})
	return errors.Join(err, idx.SetSequence(p.Sequence())) // for an empty queue too
}

// Backlog calls fn with each pending item's lane, ID and arrival, in order.
func (s *Store) Backlog(fn func(lane string, id uint64, created time.Time) error) error {
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLanes).ForEach(func(k, v []byte) error {
			if len(k) != 8 || len(v) < 8 {
				return nil
			}
			return fn(string(v[8:]), binary.BigEndian.Uint64(k), time.Unix(0, int64(binary.BigEndian.Uint64(v))))
		})
	})
	return wrapErr("read the backlog", err)
}
