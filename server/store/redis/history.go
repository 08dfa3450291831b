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

// The console's history of delivered messages, shared by every replica: a
// sorted set per robot whose members are the sent messages as JSON (behind
// a zero-padded ID, so members are unique and equal times keep their
// order) scored by the send time in ms, and a set of the robots that have
// one. Each record prunes its robot's set by age and count in the same
// script, so the history stays within Options.HistoryMax and HistoryAge
// per robot however many replicas write to it.
const (
	keySentRobots = prefix + "sent"     // set: robots with a history
	pfxSent       = prefix + "sent:"    // sorted set per robot: sent messages
	pfxSentSeq    = prefix + "sentseq:" // string per robot: the last history ID
	idWidth       = 20                  // digits of the ID before a member's JSON
)

// recordQueue bounds the sent messages waiting for Redis. The history is
// for people, not for delivery: when Redis is slow or away, an entry that
// finds the queue full is dropped (and its done told so) instead of
// holding up a send.
const recordQueue = 1024

// recordBatch bounds the entries written in one round trip: a robot with
// pacing off can be sent thousands of messages a second, and one round
// trip each would bound the history's rate, as batching does the removals
// of delivered messages (done.go).
const recordBatch = 128

// errHistoryFull is what done hears for a dropped history entry.
var errHistoryFull = errors.New("redis: record sent message: too many waiting for Redis; this one is not kept")

// recordOp is a history entry waiting for Redis.
type recordOp struct {
	e    store.Sent
	done func(error)
}

// recorder writes history entries on one goroutine, in order, a batch at
// a time, until Close, and then what is left.
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

// Record adds a delivered message to its robot's history without waiting
// for Redis; done hears the outcome on the recorder's goroutine and must
// not block.
func (s *Store) Record(e store.Sent, done func(error)) {
	select {
	case s.records <- recordOp{e: e, done: done}:
	default:
		done(errHistoryFull)
	}
}

// record writes a batch of entries in one pipeline and returns each one's
// outcome. Eval sends the script with each entry (a few hundred bytes next
// to the message): EvalSha's fallback on a Redis that lost its script
// cache does not work inside a pipeline.
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

// History lists up to limit delivered messages of robot, newest first (""
// means every robot's, merged by time), leaving out those older than
// Options.HistoryAge even before a new record prunes them.
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

// decodeSent reads a member of a history set: the ID, then the JSON.
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
