package redis

import (
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// A lease is a key per lane holding the token of the replica that may send
// for it, with a TTL: the holder renews it every second or so, and when it
// dies the key expires and another replica takes the lane over. Sends of a
// paced lane are fenced too: the pacing script records a send only while
// the key still holds this replica's token.

// holdScript takes or renews the leases of several lanes in one round trip.
//
// KEYS: lease keys. ARGV: token, TTL (ms). Answer: 1 held, 0 another's.
var holdScript = goredis.NewScript(`
local out = {}
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if v == ARGV[1] then
    redis.call('PEXPIRE', k, ARGV[2])
    out[i] = 1
  elseif not v then
    redis.call('SET', k, ARGV[1], 'PX', ARGV[2])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`)

// releaseScript deletes the leases this replica holds.
//
// KEYS: lease keys. ARGV: token.
var releaseScript = goredis.NewScript(`
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k) end
end
return 0
`)

// Hold takes or renews this replica's lease on each lane for ttl; held[i]
// tells whether it holds lanes[i] now.
func (s *Store) Hold(lanes []string, ttl time.Duration) ([]bool, error) {
	held := make([]bool, len(lanes))
	if len(lanes) == 0 {
		return held, nil
	}
	res, err := holdScript.Run(ctx(), s.c, leaseKeys(lanes), s.token, ttl.Milliseconds()).Int64Slice()
	if err != nil {
		return held, unavailable("renew leases", err)
	}
	for i := range held {
		held[i] = i < len(res) && res[i] == 1
	}
	return held, nil
}

// Release gives up this replica's leases on lanes, after the removals of
// what it delivered are in (for up to two seconds): whoever takes a lane
// next must not find those messages still pending.
func (s *Store) Release(lanes []string) error {
	s.rm.flush(2 * time.Second)
	if len(lanes) == 0 {
		return nil
	}
	if err := releaseScript.Run(ctx(), s.c, leaseKeys(lanes), s.token).Err(); err != nil {
		return unavailable("release leases", err)
	}
	return nil
}

func leaseKeys(lanes []string) []string {
	keys := make([]string, len(lanes))
	for i, l := range lanes {
		keys[i] = pfxLease + l
	}
	return keys
}
