package redis

import "time"

// Dedup: each delivery ID is a key of its own set with NX and a 24 h TTL
// (the lookup, and forgetting by age, cost Redis nothing more), and a
// member of one sorted set by the time it was seen, which is what bounds
// their number: at RELAY_DEDUP_MAX the oldest are forgotten first, whatever
// their age, as in the bbolt store. Both are written by the intake script.
// An ID costs about 150-200 bytes of Redis memory, some 200 MB at the
// default bound of 1,000,000.

// expireBatch bounds the entries one call drops, so no write waits long
// behind it.
const expireBatch = 5_000

// Expire forgets the count-bound entries of delivery IDs seen before
// cutoff, at most ten thousand per call, and says how many it forgot.
func (s *Store) Expire(cutoff time.Time) (int, error) {
	total := 0
	for range 2 {
		n, err := expireScript.Run(ctx(), s.c, []string{keyDedupQ}, cutoff.UnixMilli(), expireBatch).Int()
		if err != nil {
			return total, unavailable("expire delivery ids", err)
		}
		total += n
		if n < expireBatch {
			break
		}
	}
	return total, nil
}
