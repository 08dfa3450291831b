package redis

import "strconv"

// SendTimes returns the send times (Unix ms) recorded for a lane.
func (s *Store) SendTimes(lane string) ([]int64, error) {
	vals, err := s.c.LRange(ctx(), pfxPace+lane, 0, -1).Result()
	if err != nil {
		return nil, unavailable("read pace", err)
	}
	out := make([]int64, 0, len(vals))
	for _, v := range vals {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			out = append(out, ms)
		}
	}
	return out, nil
}
