package redis

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/coding-relay/coding-relay/server/store"
)

// History: a sorted set per robot of padded-ID+JSON members (unique, ordered)
// scored by send ms; each record's script prunes by age and count, whatever
// the number of replicas.
const (
	keySentRobots = prefix + "sent"     // set: robots with a history
	pfxSent       = prefix + "sent:"    // sorted set per robot: sent messages
	pfxSentSeq    = prefix + "sentseq:" // string per robot: the last history ID
	idWidth       = 20                  // digits of the ID before a member's JSON
)

// recordQueue bounds entries waiting for Redis; when full an entry is dropped
// (history is for people) rather than hold up a send.
const recordQueue = 1024

// recordBatch bounds one round trip's entries (batched as done.go's removals).
const recordBatch = 128

// errHistoryFull is what done hears for a dropped history entry.
var errHistoryFull = errors.New("redis: record sent message: too many waiting for Redis; this one is not kept")

type recordOp struct {
	e    store.Sent
	done func(error)
}

// recorder writes entries in order, a batch at a time, until Close drains it.
func (s *Store) recorder() {
	defer close(s.recorded)
	batch := make([]recordOp, 0, recordBatch)
	for {
		select {
		case op := <-s.records:
			batch = append(batch[:0], op)
		case <-s.recordStop:
			if len(s.records) == 0 {
				return
			}
			continue
		}
		for len(batch) < recordBatch && len(s.records) > 0 {
			batch = append(batch, <-s.records)
		}
		errs := s.record(batch)
		for i, op := range batch {
			op.done(errs[i])
		}
	}
}

// Record queues e for its robot's history; done must not block.
func (s *Store) Record(e store.Sent, done func(error)) {
	select {
	case s.records <- recordOp{e: e, done: done}:
	default:
		done(errHistoryFull)
	}
}

// record writes a batch in one pipeline with Eval: EvalSha's fallback for a
// lost script cache does not work inside a pipeline.
func (s *Store) record(batch []recordOp) []error {
	errs := make([]error, len(batch))
	cmds := make([]*goredis.Cmd, len(batch))
	_, _ = s.c.Pipelined(ctx(), func(p goredis.Pipeliner) error {
		for i, op := range batch {
			e := op.e
			e.ID = 0
			b, err := json.Marshal(&e)
			if err != nil {
				errs[i] = fmt.Errorf("redis: record sent message: %w", err)
				continue
			}
			keys := []string{pfxSent + e.Robot, pfxSentSeq + e.Robot, keySentRobots}
			cmds[i] = recordScript.Eval(ctx(), p, keys, e.At.UnixMilli(), b, e.At.Add(-s.o.HistoryAge).UnixMilli(), s.o.HistoryMax, e.Robot)
		}
		return nil
	})
	for i, cmd := range cmds {
		if cmd != nil && cmd.Err() != nil {
			errs[i] = unavailable("record sent message", cmd.Err())
		}
	}
	return errs
}

// History lists up to limit sent messages of robot ("" for all), newest
// first, leaving out those older than HistoryAge.
func (s *Store) History(robot string, limit int, now time.Time) ([]store.Sent, error) {
	if limit <= 0 {
		return nil, nil
	}
	robots := []string{robot}
	if robot == "" {
		var err error
		if robots, err = s.c.SMembers(ctx(), keySentRobots).Result(); err != nil {
			return nil, unavailable("read history", err)
		}
	}
	cutoff := strconv.FormatInt(now.Add(-s.o.HistoryAge).UnixMilli(), 10)
	cmds := make([]*goredis.StringSliceCmd, len(robots))
	_, err := s.c.Pipelined(ctx(), func(p goredis.Pipeliner) error {
		for i, name := range robots {
			cmds[i] = p.ZRevRangeByScore(ctx(), pfxSent+name, &goredis.ZRangeBy{Min: cutoff, Max: "+inf", Count: int64(limit)})
		}
		return nil
	})
	if err != nil {
		return nil, unavailable("read history", err)
	}
	var out []store.Sent
	for i, cmd := range cmds {
		for _, m := range cmd.Val() {
			e, err := decodeSent(m)
			if err != nil {
				return nil, fmt.Errorf("redis: read history of %s: %w", robots[i], err)
			}
			e.Robot = robots[i]
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b store.Sent) int { return cmp.Or(b.At.Compare(a.At), cmp.Compare(b.ID, a.ID)) })
	return out[:min(limit, len(out))], nil
}

func decodeSent(m string) (store.Sent, error) {
	var e store.Sent
	if len(m) < idWidth {
		return e, errors.New("truncated entry")
	}
	id, err := strconv.ParseUint(m[:idWidth], 10, 64)
	if err != nil {
		return e, fmt.Errorf("entry ID: %w", err)
	}
	if err := json.Unmarshal([]byte(m[idWidth:]), &e); err != nil {
		return e, fmt.Errorf("entry: %w", err)
	}
	e.ID = id
	return e, nil
}
