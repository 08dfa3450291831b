package redis

import "time"

// A replica holds its lanes with one key of its own, renewed every second
// or so with a TTL, whatever the number of lanes: a lane's lease is a key
// holding the token of the replica that may send for it, valid while that
// replica's key lives. When a replica dies its key expires and another
// replica takes its lanes over; idle, a replica costs Redis a handful of
// commands a second, not some per lane. Sends of a paced lane are fenced
// too: the pacing script records a send only while the lane's key holds
// this replica's token and this replica's key lives.
//
// Earlier versions kept a lane's lease as its own key with a TTL, renewed
// one by one. During a rolling upgrade such a lease is respected until it
// expires, and they do not take a lease of this version (they see a key
// that is not theirs). While one is seen, Add stores every message inline,
// as earlier versions read them.

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
	// The call that looks at the most lanes (the replica's own) decides;
	// one for a single lane of another's (a sweep) only reports one seen.
	seen := len(res) != len(lanes)+1 || res[len(lanes)] == 1
	if seen || int64(len(lanes)) >= s.widest.Load() {
		s.earlier.Store(seen)
	}
	s.widest.Store(max(s.widest.Load(), int64(len(lanes))))
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
	return unavailable("release leases", releaseScript.Run(ctx(), s.c, leaseKeys(lanes), s.token).Err())
}

func leaseKeys(lanes []string) []string {
	keys := make([]string, len(lanes))
	for i, l := range lanes {
		keys[i] = pfxLease + l
	}
	return keys
}
