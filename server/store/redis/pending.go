package redis

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/coding-relay/coding-relay/server/store"
)

// Add atomically stores a delivery's items in their lanes with its dedup mark
// (store.ErrDuplicate if seen). post runs after Redis acks, in any order: a
// lane's order is its IDs'.
func (s *Store) Add(delivery string, dedup bool, now time.Time, items []*store.Item, post func()) error {
	n := len(items)
	keys := append(make([]string, 0, 7+n), keySeq, keyItems, keyLanes, pfxDedup+delivery, keyDedupQ, keyBodies, keyBodyRefs)
	args := append(make([]any, 0, 8+2*n), dedup, now.UnixMilli(), int(dedupTTL/time.Second), s.o.DedupMax, keyWake, delivery, pfxDedup, n)
	bodies, err := store.ShareBodies(items)
	if err != nil {
		return fmt.Errorf("redis: add delivery: %w", err)
	}
	if s.earlier.Load() {
		for _, it := range items {
			it.Body = ""
		}
		bodies = nil
	}
	for _, it := range items {
		if it.Lane == "" {
			return fmt.Errorf("redis: add delivery: item for %s has no lane", it.Robot)
		}
		keys = append(keys, pending(it.Lane))
		args = append(args, it.Lane)
	}
	for _, it := range items {
		v, err := store.MarshalItem(it)
		if err != nil {
			return fmt.Errorf("redis: add delivery: %w", err)
		}
		args = append(args, v)
	}
	for _, b := range bodies {
		args = append(args, b.Name, b.JSON, b.Refs)
	}
	first, err := addScript.Run(ctx(), s.c, keys, args...).Int64()
	switch {
	case err != nil:
		return unavailable("add delivery", err)
	case first < 0:
		return fmt.Errorf("redis: add delivery: %w", store.ErrDuplicate)
	}
	for i, it := range items {
		it.ID = uint64(first) + uint64(i)
	}
	if post != nil {
		post()
	}
	return nil
}

// Next reads up to n pending items of lane above after, oldest first; last is
// the cursor, rest how many follow. Items being removed are left out.
func (s *Store) Next(lane string, after uint64, n int) (items []*store.Item, last uint64, rest int, err error) {
	// A removal finishing meanwhile must keep its IDs until checked below.
	s.rm.gate.RLock()
	defer s.rm.gate.RUnlock()
	res, err := nextScript.Run(ctx(), s.c, []string{pending(lane), keyItems}, after, n).Slice()
	if err != nil {
		return nil, after, 0, unavailable("read pending", err)
	}
	if len(res) != 3 {
		return nil, after, 0, errors.New("redis: read pending: unexpected answer")
	}
	restN, _ := res[0].(int64)
	ids, _ := res[1].([]any)
	vals, _ := res[2].([]any)
	last = after
	for i, raw := range ids {
		id, err := strconv.ParseUint(fmt.Sprint(raw), 10, 64)
		if err != nil {
			continue
		}
		last = id
		v, ok := vals[i].(string)
		if !ok || s.rm.removing(id) {
			continue
		}
		it, err := store.DecodeItem(id, []byte(v))
		if err != nil {
			continue // one damaged record must not stop the lane
		}
		it.Lane = lane
		items = append(items, it)
	}
	if err := s.fillBodies(items); err != nil {
		return nil, after, 0, err
	}
	return slices.DeleteFunc(items, func(it *store.Item) bool { return it == nil }), last, int(restN), nil
}

// Load reads pending items by ID; a missing or undecodable one is nil.
func (s *Store) Load(ids []uint64) ([]*store.Item, error) {
	return s.load(keyItems, "load pending", ids)
}

func (s *Store) load(hash, op string, ids []uint64) ([]*store.Item, error) {
	out := make([]*store.Item, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	fields := make([]string, len(ids))
	for i, id := range ids {
		fields[i] = strconv.FormatUint(id, 10)
	}
	vals, err := s.c.HMGet(ctx(), hash, fields...).Result()
	if err != nil {
		return nil, unavailable(op, err)
	}
	for i, v := range vals {
		if str, ok := v.(string); ok {
			out[i], _ = store.DecodeItem(ids[i], []byte(str))
		}
	}
	return out, s.fillBodies(out)
}

func (s *Store) fillBodies(items []*store.Item) error {
	return store.FillBodies(items, func(names []string) ([][]byte, error) {
		vals, err := s.c.HMGet(ctx(), keyBodies, names...).Result()
		if err != nil {
			return nil, unavailable("read shared messages", err)
		}
		out := make([][]byte, len(vals))
		for i, v := range vals {
			if str, ok := v.(string); ok {
				out[i] = []byte(str)
			}
		}
		return out, nil
	})
}

// Update rewrites still-pending items after a failed attempt; robot and pace
// are bbolt's (send times are in Redis already).
func (s *Store) Update(items []*store.Item, robot string, pace []int64) error {
	keys, args, err := itemArgs(items, keyItems)
	if err != nil {
		return fmt.Errorf("redis: record attempt: %w", err)
	}
	return unavailable("record attempt", updateScript.Run(ctx(), s.c, keys, args...).Err())
}

// itemArgs are the KEYS and ARGV (IDs, then JSON) of item scripts.
func itemArgs(items []*store.Item, first ...string) ([]string, []any, error) {
	keys := first
	args := make([]any, 0, 2*len(items))
	for _, it := range items {
		keys = append(keys, pending(it.Lane))
		args = append(args, it.ID)
	}
	for _, it := range items {
		v, err := store.MarshalItem(it)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, v)
	}
	return keys, args, nil
}

// Lanes lists every lane that has held items.
func (s *Store) Lanes() ([]string, error) {
	lanes, err := s.c.SMembers(ctx(), keyLanes).Result()
	if err != nil {
		return nil, unavailable("list lanes", err)
	}
	slices.Sort(lanes)
	return lanes, nil
}
