package redis

import (
	"context"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Watch calls fn with a lane's name whenever items were added to it (by
// any replica), and with "" whenever any lane may have been added to
// unseen: when the subscription starts and after it was lost, since
// pub/sub delivers nothing while disconnected. It runs until ctx ends.
func (s *Store) Watch(ctx context.Context, fn func(lane string)) {
	for ctx.Err() == nil {
		sub := s.c.Subscribe(ctx, keyWake)
		ch := sub.ChannelWithSubscriptions()
	read:
		for {
			select {
			case <-ctx.Done():
				break read
			case m, ok := <-ch:
				if !ok {
					break read
				}
				switch m := m.(type) {
				case *goredis.Subscription:
					fn("") // (re)subscribed: anything may have come meanwhile
				case *goredis.Message:
					for lane := range strings.SplitSeq(m.Payload, "\n") {
						fn(lane)
					}
				}
			}
		}
		_ = sub.Close()
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
