package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/console"
	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/server/store/redis"
)

// openStore opens bbolt in RELAY_DATA_DIR, or RELAY_REDIS_URL's Redis (also
// returned typed, for migrating a local queue into it).
func openStore(ctx context.Context, cfg *server.Config, log *zap.Logger) (queue.Store, *redis.Store, error) {
	if cfg.RedisURL == "" {
		st, err := store.Open(cfg.DataDir, store.Options{DedupMax: cfg.DedupMax, HistoryMax: cfg.HistoryMax, HistoryAge: cfg.HistoryMaxAge})
		if err != nil {
			return nil, nil, fmt.Errorf("RELAY_DATA_DIR: %w", err)
		}
		return st, nil, nil
	}
	goredis.SetLogger(redisLog{log.Named("redis")})
	// Wait a while for a Redis restarting with us; the startup probe allows 1m.
	var rs *redis.Store
	var err error
	for deadline := time.Now().Add(redisWait); ; {
		rs, err = redis.Open(cfg.RedisURL, redis.Options{DedupMax: cfg.DedupMax, Password: cfg.RedisPassword,
			HistoryMax: cfg.HistoryMax, HistoryAge: cfg.HistoryMaxAge})
		if err == nil || !errors.Is(err, store.ErrUnavailable) || time.Now().After(deadline) {
			break
		}
		log.Warn("Redis does not answer yet; trying again", zap.String("redis", redis.Redact(cfg.RedisURL)), zap.Error(err))
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("RELAY_REDIS_URL: %w", err)
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("RELAY_REDIS_URL: %w", err)
	}
	log.Info("delivery state in Redis, shared by every replica", zap.String("redis", redis.Redact(cfg.RedisURL)), zap.String("replica", rs.Token()))
	checkDurability(rs, log)
	return rs, rs, nil
}

const redisWait = 30 * time.Second

// checkDurability warns if Redis persistence could lose events already 202'd.
func checkDurability(rs *redis.Store, log *zap.Logger) {
	d, err := rs.Durability()
	switch {
	case err != nil:
		log.Info("could not read Redis's persistence settings (CONFIG GET may be disabled, as on managed services): make sure it runs with appendonly yes", zap.Error(err))
	case d.AppendOnly != "yes":
		log.Warn("Redis runs without AOF (appendonly no): a Redis restart loses queued messages and dedup; set appendonly yes and appendfsync always or everysec (docs/deploy.md)")
	case d.AppendFsync != "always":
		log.Info("Redis AOF is on with appendfsync "+d.AppendFsync+": a crash of Redis itself can lose about the last second of accepted events; appendfsync always loses none", zap.String("appendfsync", d.AppendFsync))
	}
	if err == nil && d.MaxmemoryPolicy != "" && d.MaxmemoryPolicy != "noeviction" {
		log.Warn("Redis may evict keys when its memory is full (maxmemory-policy "+d.MaxmemoryPolicy+"): queued messages would be lost; set maxmemory-policy noeviction (docs/deploy.md)",
			zap.String("maxmemory_policy", d.MaxmemoryPolicy))
	}
}

// migrate moves a bbolt queue in RELAY_DATA_DIR into Redis once: pending (after
// Redis's own), dead letters, send times, delivery IDs. Items are marked as
// added so a cut-short move resumes without duplicates; the file is then
// renamed. A file another relay holds stops start-up.
func migrate(cfg *server.Config, rs *redis.Store, q *queue.Queue, log *zap.Logger) error {
	path := filepath.Join(cfg.DataDir, "queue.db")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("RELAY_DATA_DIR: %w", err)
	}
	src, err := store.Open(cfg.DataDir, store.Options{DedupMax: cfg.DedupMax, HistoryMax: cfg.HistoryMax, HistoryAge: cfg.HistoryMaxAge})
	if err != nil {
		return fmt.Errorf("RELAY_DATA_DIR holds a local queue (%s) to move into Redis, but it cannot be opened: %w. "+
			"Stop the relay that uses it and start this one again, or drain it first: run that relay without RELAY_REDIS_URL "+
			"until GET /api/deliveries shows nothing pending, then remove the file", path, err)
	}
	n, err := copyQueue(src, rs, q, cfg)
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("moving the local queue %s into Redis (start again to finish; nothing is added twice): %w", path, err)
	}
	moved := path + ".moved-to-redis-" + time.Now().UTC().Format("20060102T150405Z")
	if err := os.Rename(path, moved); err != nil {
		log.Warn("the local queue was moved into Redis but could not be renamed; the next start checks it again (nothing is added twice)", zap.String("file", path), zap.Error(err))
		moved = path
	}
	log.Info("moved the local queue into Redis", zap.Int("pending", n.pending), zap.Int("dead_letters", n.dead),
		zap.Int("delivery_ids", n.seen), zap.String("file", moved))
	return nil
}

type moveCounts struct{ pending, dead, seen int }

// copyQueue copies src into rs in batches, in arrival order.
func copyQueue(src *store.Store, rs *redis.Store, q *queue.Queue, cfg *server.Config) (moveCounts, error) {
	var n moveCounts
	var batch []*store.Item
	flush := func(dead bool) error {
		added, err := rs.Import(batch, dead)
		if dead {
			n.dead += added
		} else {
			n.pending += added
		}
		batch = batch[:0]
		return err
	}
	add := func(it *store.Item, dead bool) error {
		it.Lane = q.LaneOf(it)
		if batch = append(batch, it); len(batch) == 200 {
			return flush(dead)
		}
		return nil
	}
	err := src.Pending(func(it *store.Item) error { return add(it, false) })
	if err == nil {
		err = flush(false)
	}
	if err != nil {
		return n, err
	}
	dead, _, err := src.Dead(1 << 30)
	if err != nil {
		return n, err
	}
	for _, it := range dead {
		if err := add(it, true); err != nil {
			return n, err
		}
	}
	if err := flush(true); err != nil {
		return n, err
	}
	for _, r := range cfg.RobotList {
		if err := copyPace(src, rs, q, r, cfg.RateOf(r)); err != nil {
			return n, err
		}
	}
	var seen []redis.Seen
	now := time.Now()
	err = src.Seen(func(delivery string, at time.Time) error {
		if seen = append(seen, redis.Seen{Delivery: delivery, At: at}); len(seen) == 1000 {
			n.seen += len(seen)
			err := rs.ImportSeen(seen, now)
			seen = seen[:0]
			return err
		}
		return nil
	})
	if err == nil {
		n.seen += len(seen)
		err = rs.ImportSeen(seen, now)
	}
	return n, err
}

// copyPace carries recent send times over, so an open window is still honoured.
func copyPace(src *store.Store, rs *redis.Store, q *queue.Queue, r robot.Robot, limits robot.Limits) error {
	if !limits.Enabled() {
		return nil
	}
	hist, err := src.Pace(r.Name)
	if err != nil || len(hist) == 0 {
		return err
	}
	longest := time.Duration(0)
	for _, l := range limits {
		longest = max(longest, l.Per)
	}
	lane := q.LaneOf(&store.Item{Robot: r.Name, Dest: r.Fingerprint})
	return rs.ImportPace(lane, hist, longest+5*time.Second)
}

// redisLog routes go-redis's messages (reconnects, pool trouble) to our log.
type redisLog struct{ log *zap.Logger }

func (l redisLog) Printf(_ context.Context, format string, v ...any) {
	l.log.Warn(fmt.Sprintf(format, v...))
}

// Both stores keep console logouts, for restarts and other replicas.
var _, _ console.Revocations = (*store.Store)(nil), (*redis.Store)(nil)
