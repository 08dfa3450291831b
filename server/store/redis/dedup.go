package redis

import "time"

// Dedup: each ID is a key (SET NX, 24 h TTL) and a member of a by-time sorted
// set that bounds the count (oldest first at RELAY_DEDUP_MAX), both set by the
// intake script; ~200 MB of Redis at the default 1,000,000.

const expireBatch = 5_000

// Expire drops up to 10,000 by-time entries seen before cutoff; it returns how many.
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
