package redis

import (
	"fmt"

	"github.com/coding-relay/coding-relay/server/store"
)

// Move appends lane from's pending items to lane to (setting Lane; the caller
// sets Robot) and returns how many moved.
func (s *Store) Move(items []*store.Item, from, to string) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	args := []any{to, keyWake}
	for _, it := range items {
		args = append(args, it.ID)
	}
	for _, it := range items {
		it.Lane = to
		v, err := store.MarshalItem(it)
		if err != nil {
			return 0, fmt.Errorf("redis: move to %s: %w", to, err)
		}
		args = append(args, v)
	}
	n, err := moveScript.Run(ctx(), s.c, []string{keySeq, keyItems, pending(from), pending(to), keyLanes}, args...).Int()
	if err != nil {
		return 0, unavailable("move to "+to, err)
	}
	return n, nil
}

// Forget drops lane from Lanes if it holds nothing, and says whether it did.
func (s *Store) Forget(lane string) (bool, error) {
	n, err := forgetScript.Run(ctx(), s.c, []string{pending(lane), keyLanes}, lane).Int()
	if err != nil {
		return false, unavailable("forget lane", err)
	}
	return n == 1, nil
}
