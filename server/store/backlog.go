package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketLanes indexes the pending items by lane (Item.Lane), so that a
// start-up learns every lane's backlog from a few bytes an item instead of
// reading the whole queue: key lane, 0, ID (big-endian), value the arrival
// time (Unix ns). Its sequence follows the pending bucket's, so that a
// file an earlier version wrote (or added to) is indexed anew at Open,
// reading each item once; items stored before lanes were recorded are
// listed under the lane "" (read the item to find its robot).
var bucketLanes = []byte("lanes")

func laneKey(lane string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(lane), 0), id)
}

// index lists items, their IDs assigned, in the lanes index.
func index(tx *bolt.Tx, items []*Item) error {
	idx := tx.Bucket(bucketLanes)
	for _, it := range items {
		if err := idx.Put(laneKey(it.Lane, it.ID), binary.BigEndian.AppendUint64(nil, uint64(it.Created.UnixNano()))); err != nil {
			return err
		}
	}
	return idx.SetSequence(tx.Bucket(bucketPending).Sequence())
}

// reindex indexes every pending item afresh unless the index follows the
// pending bucket already.
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
	idx.FillPercent = appendFill
	err = p.ForEach(func(k, v []byte) error {
		it, err := decodeItem(k, v)
		if err != nil {
			it = &Item{ID: binary.BigEndian.Uint64(k)} // unreadable: Load skips it
		}
		return index(tx, []*Item{it})
	})
	if err != nil {
		return err
	}
	return idx.SetSequence(p.Sequence())
}

// Backlog calls fn with the lane, ID and arrival time of every pending
// item, lane by lane and in arrival order within each, without reading the
// items. An item of a lane "" (stored before the index) comes without its
// time: Load it to find its lane.
func (s *Store) Backlog(fn func(lane string, id uint64, created time.Time) error) error {
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLanes).ForEach(func(k, v []byte) error {
			if len(k) < 9 {
				return nil
			}
			var created time.Time
			if len(v) == 8 {
				created = time.Unix(0, int64(binary.BigEndian.Uint64(v)))
			}
			return fn(string(k[:len(k)-9]), binary.BigEndian.Uint64(k[len(k)-8:]), created)
		})
	})
	if err != nil {
		return fmt.Errorf("store: read the backlog: %w", err)
	}
	return nil
}
