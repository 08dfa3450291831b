package redis

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/coding-relay/coding-relay/server/store"
)

// Import is idempotent: the script marks each UUID as it adds the item, so a
// rerun after a cut adds only what is missing.

// Import adds bbolt items in order to their lanes or, with dead, the dead
// letters, skipping known UUIDs; it returns how many it added.
func (s *Store) Import(items []*store.Item, dead bool) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	n := len(items)
	keys := []string{keySeq, keyItems, keyDead, keyDeadQ, keyLanes, keyImported}
	uuids, lanes, vals := make([]any, n), make([]any, n), make([]any, n)
	for i, it := range items {
		it.Body = "" // a message shared in the bbolt file is the item's own here
		v, err := json.Marshal(it)
		if err != nil {
			return 0, fmt.Errorf("redis: import: %w", err)
		}
		uuids[i], lanes[i], vals[i] = it.UUID, it.Lane, v
		keys = append(keys, pending(it.Lane))
	}
	args := slices.Concat([]any{dead, n}, uuids, lanes, vals)
	added, err := importScript.Run(ctx(), s.c, keys, args...).Int()
	if err != nil {
		return 0, unavailable("import", err)
	}
	return added, nil
}

// ImportPace sets a lane's send times (Unix ms, oldest first) unless it has some.
func (s *Store) ImportPace(lane string, history []int64, keepFor time.Duration) error {
	if len(history) == 0 {
		return nil
	}
	vals := make([]any, len(history))
	for i, t := range history {
		vals[i] = t
	}
	key := pfxPace + lane
	if n, err := s.c.Exists(ctx(), key).Result(); err != nil {
		return unavailable("import pace", err)
	} else if n > 0 {
		return nil
	}
	_, err := s.c.TxPipelined(ctx(), func(p goredis.Pipeliner) error {
		p.Del(ctx(), key)
		p.RPush(ctx(), key, vals...)
		p.PExpire(ctx(), key, keepFor)
		return nil
	})
	return unavailable("import pace", err)
}

// Seen is a delivery ID and when it was seen.
type Seen struct {
	Delivery string
	At       time.Time
}

// ImportSeen remembers bbolt's delivery IDs for the rest of their 24 hours.
func (s *Store) ImportSeen(ids []Seen, now time.Time) error {
	_, err := s.c.Pipelined(ctx(), func(p goredis.Pipeliner) error {
		for _, d := range ids {
			left := dedupTTL - now.Sub(d.At)
			if left < time.Second {
				continue
			}
			p.SetNX(ctx(), pfxDedup+d.Delivery, d.At.UnixMilli(), left)
			p.ZAddNX(ctx(), keyDedupQ, goredis.Z{Score: float64(d.At.UnixMilli()), Member: d.Delivery})
		}
		return nil
	})
	return unavailable("import delivery ids", err)
}
