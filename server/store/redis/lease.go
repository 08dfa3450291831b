package redis

import "time"

// A lane's lease holds a replica's token, valid while that replica's own TTL
// key lives (one renewal per replica, not per lane); when it dies another takes
// over. The pacing script records a send only under a live lease (fencing).
//
// Old per-lane TTL leases are respected until they expire during a rolling
// upgrade; while one is seen, Add stores messages inline as old versions read them.

// Hold takes or renews this replica's lease on each lane for ttl; held[i]
// tells whether it holds lanes[i] now.
func (s *Store) Hold(lanes []string, ttl time.Duration) ([]bool, error) {
	held := make([]bool, len(lanes))
	if len(lanes) == 0 {
		return held, nil
	}
	keys := append([]string{pfxReplica + s.token}, leaseKeys(lanes)...)
	res, err := holdScript.Run(ctx(), s.c, keys, s.token, ttl.Milliseconds(), pfxReplica).Int64Slice()
	if err != nil {
		return held, unavailable("renew leases", err)
	}
	for i := range held {
		held[i] = i < len(res) && res[i] == 1
	}
	// The replica's own (largest) call decides; a sweep only reports one seen.
	seen := len(res) != len(lanes)+1 || res[len(lanes)] == 1
	if seen || int64(len(lanes)) >= s.widest.Load() {
		s.earlier.Store(seen)
	}
	s.widest.Store(max(s.widest.Load(), int64(len(lanes))))
	return held, nil
}

// Release gives up leases after its removals land (up to 2 s), so the next
// holder does not resend them.
func (s *Store) Release(lanes []string) error {
	s.rm.flush(2 * time.Second)
	if len(lanes) == 0 {
		return nil
	}
	return unavailable("release leases", releaseScript.Run(ctx(), s.c, leaseKeys(lanes), s.token).Err())
}

func leaseKeys(lanes []string) []string {
	keys := make([]string, len(lanes))
	for i, l := range lanes {
		keys[i] = pfxLease + l
	}
	return keys
}
