package redis

import (
	"context"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// Watch calls fn with a lane that got items (any replica), and with "" on each
// (re)subscription, as pub/sub drops what comes while away. It runs until ctx ends.
func (s *Store) Watch(ctx context.Context, fn func(lane string)) {
	sub := s.c.Subscribe(ctx, keyWake)
	defer context.AfterFunc(ctx, func() { _ = sub.Close() })()
	// The channel closes with sub, and only then.
	for m := range sub.ChannelWithSubscriptions() {
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
