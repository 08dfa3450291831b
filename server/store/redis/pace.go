package redis

import (
	"errors"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/store"
)

// Slot checks lane's windows (margins added by the caller) and, with take,
// records a send they allow while this replica holds the lease, else
// store.ErrLeaseLost. wait is until a send may start, free how many may now.
func (s *Store) Slot(lane string, windows robot.Limits, take bool) (wait time.Duration, free int, err error) {
	keep, longest := 0, time.Duration(0)
	args := []any{s.token, take, 0, 0}
	for _, r := range windows {
		keep, longest = max(keep, r.N), max(longest, r.Per)
		args = append(args, r.N, r.Per.Milliseconds())
	}
	args[2], args[3] = keep, longest.Milliseconds()
	res, err := paceScript.Run(ctx(), s.c, []string{pfxPace + lane, pfxLease + lane, pfxReplica + s.token}, args...).Int64Slice()
	if err != nil {
		return 0, 0, unavailable("pace", err)
	}
	if len(res) != 2 {
		return 0, 0, errors.New("redis: pace: unexpected answer")
	}
	if res[0] < 0 {
		return 0, 0, store.ErrLeaseLost
	}
	return time.Duration(res[0]) * time.Millisecond, int(res[1]), nil
}

// Pace returns nothing: lanes are paced through Slot, at Redis's clock.
func (s *Store) Pace(robot string) ([]int64, error) { return nil, nil }
