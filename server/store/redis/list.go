package redis

import (
	"slices"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/coding-relay/coding-relay/server/store"
)

// List returns up to limit pending items across lanes and replicas, oldest
// first, and the total pending (the admin view).
func (s *Store) List(limit int) ([]*store.Item, int, error) {
	lanes, err := s.Lanes()
	if err != nil {
		return nil, 0, err
	}
	heads := make([]*goredis.StringSliceCmd, len(lanes))
	sizes := make([]*goredis.IntCmd, len(lanes))
	_, err = s.c.Pipelined(ctx(), func(p goredis.Pipeliner) error {
		for i, l := range lanes {
			heads[i] = p.ZRange(ctx(), pending(l), 0, int64(max(limit, 1))-1) // 0, -1 would be all
			sizes[i] = p.ZCard(ctx(), pending(l))
		}
		return nil
	})
	if err != nil {
		return nil, 0, unavailable("list pending", err)
	}
	total := 0
	var ids []uint64
	lane := map[uint64]string{}
	for i := range lanes {
		total += int(sizes[i].Val())
		for _, m := range heads[i].Val() {
			if id, err := strconv.ParseUint(m, 10, 64); err == nil {
				ids = append(ids, id)
				lane[id] = lanes[i]
			}
		}
	}
	slices.Sort(ids)
	ids = ids[:min(len(ids), max(limit, 0))]
	items, err := s.Load(ids)
	if err != nil {
		return nil, 0, err
	}
	items = slices.DeleteFunc(items, func(it *store.Item) bool { return it == nil }) // delivered meanwhile
	for _, it := range items {
		it.Lane = lane[it.ID]
	}
	return items, total, nil
}
