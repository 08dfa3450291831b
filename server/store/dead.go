package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bury moves items from pending to the dead letters.
func (s *Store) Bury(items []*Item, robot string, pace []int64) error {
	err := s.write(func(tx *bolt.Tx) error {
		p, d := tx.Bucket(bucketPending), tx.Bucket(bucketDead)
		for _, it := range items {
			v, err := MarshalItem(it)
			if err != nil {
				return err
			}
			k := key(it.ID)
			if err := errors.Join(p.Delete(k), tx.Bucket(bucketLanes).Delete(k), d.Put(k, v)); err != nil {
				return err
			}
		}
		return putPace(tx, robot, pace)
	}, nil)
	return wrapErr("dead-letter", err)
}

// Revive requeues a dead letter under a new ID, then calls post; accept may
// refuse it (its error is returned). A missing one is ErrNotFound.
func (s *Store) Revive(id uint64, accept func(*Item) error, post func(*Item)) error {
	var it *Item
	var refused error
	err := s.write(func(tx *bolt.Tx) error {
		refused = nil
		d := tx.Bucket(bucketDead)
		v := d.Get(key(id))
		if v == nil {
			return ErrNotFound
		}
		var err error
		if it, err = DecodeItem(id, v); err != nil {
			return err
		}
		if refused = accept(it); refused != nil {
			return refused
		}
		if err := d.Delete(key(id)); err != nil {
			return err
		}
		p := tx.Bucket(bucketPending)
		nid, err := p.NextSequence()
		if err != nil {
			return err
		}
		it.ID, it.Attempts, it.LastError, it.ErrCode, it.Reason, it.DeadAt = nid, 0, "", 0, "", time.Time{}
		buf, err := MarshalItem(it)
		if err != nil {
			return err
		}
		if its := []*Item{it}; fillBodies(tx, its) != nil || its[0] == nil {
			return fmt.Errorf("its message %s is missing", it.Body)
		}
		return errors.Join(p.Put(key(nid), buf), index(tx, []*Item{it}))
	}, func() { post(it) })
	switch {
	case refused != nil:
		return refused
	case err != nil:
		return fmt.Errorf("store: revive dead letter %d: %w", id, err)
	}
	return nil
}

// Dead returns the first limit dead letters in ID order and their total.
func (s *Store) Dead(limit int) ([]*Item, int, error) {
	var out []*Item
	total := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDead)
		total = b.Stats().KeyN
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			it, err := DecodeItem(binary.BigEndian.Uint64(k), v)
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return fillBodies(tx, out)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: list dead letters: %w", err)
	}
	return slices.DeleteFunc(out, func(it *Item) bool { return it == nil }), total, nil // a body gone: unreadable
}
