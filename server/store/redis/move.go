package redis

import (
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/coding-relay/coding-relay/server/store"
)

// moveScript moves items still in one lane to the end of another under new
// IDs (a robot renamed, or given a name=, keeps its backlog).
//
// KEYS: seq, items, from pending, to pending, lanes. ARGV: to lane, wake
// channel, then n old IDs and n JSON bodies.
var moveScript = goredis.NewScript(`
local n = (#ARGV - 2) / 2
local moved = 0
for i = 1, n do
  local old = ARGV[2 + i]
  if redis.call('ZREM', KEYS[3], old) == 1 then
    redis.call('HDEL', KEYS[2], old)
    local id = redis.call('INCR', KEYS[1])
    redis.call('HSET', KEYS[2], id, ARGV[2 + n + i])
    redis.call('ZADD', KEYS[4], id, id)
    moved = moved + 1
  end
end
if moved > 0 then
  redis.call('SADD', KEYS[5], ARGV[1])
  redis.call('PUBLISH', ARGV[2], ARGV[1])
end
return moved
`)

// Move moves items of lane from to the end of lane to (setting their Lane;
// the caller sets Robot), skipping any no longer pending, and says how many
// it moved.
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

// forgetScript drops a lane from the set of lanes once it is empty.
var forgetScript = goredis.NewScript(`
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) return 1 end
return 0
`)

// Forget drops lane from Lanes if it holds nothing, and says whether it did.
func (s *Store) Forget(lane string) (bool, error) {
	n, err := forgetScript.Run(ctx(), s.c, []string{pending(lane), keyLanes}, lane).Int()
	if err != nil {
		return false, unavailable("forget lane", err)
	}
	return n == 1, nil
}
