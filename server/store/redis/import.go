package redis

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/coding-relay/coding-relay/server/store"
)

// Moving a bbolt queue in is idempotent: every item is marked by its UUID
// in one hash as it is added, in the same script, so an import cut short
// (a crash, Redis going away) and run again adds only what is missing.

// Import adds items moved from a bbolt file, in the order given, to their
// lanes (it.Lane) or, with dead, to the dead letters; an item imported
// before (same UUID) is skipped. It says how many it added.
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

// ImportPace sets a lane's send times (Unix ms, oldest first) unless Redis
// has some already, so a robot paced by the bbolt file keeps its window.
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

// ImportSeen remembers delivery IDs seen by a bbolt file for what is left
// of their 24 hours (older ones are skipped); the count bound applies at
// the next intake.
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
