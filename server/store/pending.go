package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Add stores a delivery's items, assigning IDs; with dedup it returns
// ErrDuplicate for a known delivery ID. post runs after the commit and before
// any later commit's post, which keeps per-robot order.
func (s *Store) Add(delivery string, dedup bool, now time.Time, items []*Item, post func()) error {
	// Encode outside the transaction: the single writer's time delays every
	// webhook's answer.
	bodies, err := ShareBodies(items)
	if err != nil {
		return fmt.Errorf("store: add delivery: %w", err)
	}
	vals := make([][]byte, len(items))
	for i, it := range items {
		v, err := MarshalItem(it)
		if err != nil {
			return fmt.Errorf("store: add delivery: %w", err)
		}
		vals[i] = v
	}
	err = s.write(func(tx *bolt.Tx) error {
		if dedup {
			if err := s.remember(tx, delivery, now); err != nil {
				return err
			}
		}
		p := tx.Bucket(bucketPending)
		p.FillPercent = appendFill
		for i, it := range items {
			id, err := p.NextSequence()
			if err != nil {
				return err
			}
			it.ID = id
			if err := p.Put(key(id), vals[i]); err != nil {
				return err
			}
		}
		if err := index(tx, items); err != nil {
			return err
		}
		for _, b := range bodies {
			if err := errors.Join(tx.Bucket(bucketBodies).Put([]byte(b.Name), b.JSON), putRefs(tx, b.Name, uint64(b.Refs))); err != nil {
				return err
			}
		}
		return nil
	}, post)
	return wrapErr("add delivery", err)
}

// Done removes delivered items and records send times without waiting for the
// commit: a crash before it only resends (at-least-once). done must not block.
func (s *Store) Done(items []*Item, robot string, pace []int64, done func(error)) {
	// Copy the IDs now: the caller reuses the items' slice once we return.
	gone := make([]Item, len(items))
	for i, it := range items {
		gone[i] = Item{ID: it.ID, Lane: it.Lane, Body: it.Body}
	}
	s.ops <- &op{fn: func(tx *bolt.Tx) error {
		for _, it := range gone {
			if err := remove(tx, &it); err != nil {
				return err
			}
		}
		return putPace(tx, robot, pace)
	}, done: func(err error) { done(wrapErr("remove delivered", err)) },
		// Send times survive a crash, or a restart could get the robot throttled.
		lazy: pace == nil}
}

// Update rewrites items after a failed attempt (attempts, last error).
func (s *Store) Update(items []*Item, robot string, pace []int64) error {
	err := s.write(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		for _, it := range items {
			v, err := MarshalItem(it)
			if err != nil {
				return err
			}
			if err := p.Put(key(it.ID), v); err != nil {
				return err
			}
		}
		return putPace(tx, robot, pace)
	}, nil)
	return wrapErr("record attempt", err)
}

// Pending calls fn with each pending item in arrival order, one at a time.
func (s *Store) Pending(fn func(*Item) error) error {
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPending).ForEach(func(k, v []byte) error {
			it, err := DecodeItem(binary.BigEndian.Uint64(k), v)
			if its := []*Item{it}; err == nil && fillBodies(tx, its) == nil && its[0] == nil {
				err = fmt.Errorf("item %d: its message %s is missing", it.ID, it.Body)
			}
			if err != nil {
				return err
			}
			return fn(it)
		})
	})
	return wrapErr("read pending", err)
}

// Load reads pending items by ID; one gone or undecodable is nil, so one
// damaged record does not stop its robot's queue.
func (s *Store) Load(ids []uint64) ([]*Item, error) {
	out := make([]*Item, len(ids))
	err := s.db.View(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		for i, id := range ids {
			if v := p.Get(key(id)); v != nil {
				out[i], _ = DecodeItem(id, v)
			}
		}
		return fillBodies(tx, out)
	})
	if err != nil {
		return nil, fmt.Errorf("store: load pending: %w", err)
	}
	return out, nil
}

func fillBodies(tx *bolt.Tx, items []*Item) error {
	return FillBodies(items, func(names []string) ([][]byte, error) {
		out := make([][]byte, len(names))
		for i, n := range names {
			out[i] = tx.Bucket(bucketBodies).Get([]byte(n))
		}
		return out, nil
	})
}

func putRefs(tx *bolt.Tx, body string, n uint64) error {
	return tx.Bucket(bucketBodyRefs).Put([]byte(body), binary.BigEndian.AppendUint64(nil, n))
}

// remove takes an item out of the queue, its index and its body's count.
func remove(tx *bolt.Tx, it *Item) error {
	p := tx.Bucket(bucketPending)
	if p.Get(key(it.ID)) == nil {
		return nil
	}
	if err := p.Delete(key(it.ID)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketLanes).Delete(key(it.ID)); err != nil {
		return err
	}
	return unref(tx, it.Body)
}

func unref(tx *bolt.Tx, body string) error {
	if body == "" {
		return nil
	}
	v := tx.Bucket(bucketBodyRefs).Get([]byte(body))
	if len(v) == 8 && binary.BigEndian.Uint64(v) > 1 {
		return putRefs(tx, body, binary.BigEndian.Uint64(v)-1)
	}
	if err := tx.Bucket(bucketBodyRefs).Delete([]byte(body)); err != nil {
		return err
	}
	return tx.Bucket(bucketBodies).Delete([]byte(body))
}
