package redis

import (
	"context"
	"time"
)

// Watch calls fn with a lane's name whenever items were added to it (by
// any replica), until ctx ends. Pub/sub delivers at most once and nothing
// while disconnected, so this only makes senders quick: they also look for
// new items on their own every second.
func (s *Store) Watch(ctx context.Context, fn func(lane string)) {
	for ctx.Err() == nil {
		sub := s.c.Subscribe(ctx, keyWake)
		ch := sub.Channel()
	read:
		for {
			select {
			case <-ctx.Done():
				break read
			case m, ok := <-ch:
				if !ok {
					break read
				}
				fn(m.Payload)
			}
		}
		_ = sub.Close()
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
