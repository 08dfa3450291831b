package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/coding-relay/coding-relay/translate"
)

// bucketSent has a bucket per robot keyed by sequence (oldest first, only the
// front is removed). A value is 8-byte Unix ns, 4-byte JSON length, the Sent
// JSON without body, then the body: age pruning decodes nothing.

const (
	defaultHistoryMax = 1000
	defaultHistoryAge = 7 * 24 * time.Hour
)

// pruneBatch bounds one Record's pruning, so lowering RELAY_HISTORY_MAX
// makes no long commit.
const pruneBatch = 1000

// Sent is a message a robot accepted, for the console: the wire body as posted,
// without the signature (derived from the robot's secret).
type Sent struct {
	ID    uint64    `json:"id"`
	Robot string    `json:"robot"`
	At    time.Time `json:"at"`
	// Created is when the oldest message it carries was accepted.
	Created  time.Time        `json:"created"`
	Attempts int              `json:"attempts"`
	Target   translate.Target `json:"target"`
	Title    string           `json:"title"`
	// Items are the deliveries it carried (several for a digest).
	Items []SentItem      `json:"items"`
	Body  json.RawMessage `json:"body"`
}

// SentItem is one delivery a sent message carried.
type SentItem struct {
	Delivery string `json:"delivery"`
	Event    string `json:"event"`
	Action   string `json:"action,omitempty"`
}

// Record adds s to its robot's history, pruning by HistoryMax and HistoryAge.
// It does not wait for the commit (history is for people); done must not block.
func (s *Store) Record(e Sent, done func(error)) {
	body := e.Body
	e.Body = nil
	meta, err := json.Marshal(&e)
	if err != nil {
		done(wrapErr("record sent message", err))
		return
	}
	val := make([]byte, 12, 12+len(meta)+len(body))
	binary.BigEndian.PutUint64(val, uint64(e.At.UnixNano()))
	binary.BigEndian.PutUint32(val[8:], uint32(len(meta)))
	val = append(append(val, meta...), body...)
	cutoff := e.At.Add(-s.o.HistoryAge).UnixNano()
	s.ops <- &op{fn: func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketSent).CreateBucketIfNotExists([]byte(e.Robot))
		if err != nil {
			return err
		}
		b.FillPercent = appendFill
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		if err := b.Put(key(id), val); err != nil {
			return err
		}
		c := b.Cursor()
		for range pruneBatch {
			k, v := c.First() // after a Delete, Next could skip one
			if k == nil {
				break
			}
			old := binary.BigEndian.Uint64(k)+uint64(s.o.HistoryMax) <= id
			stale := len(v) >= 8 && int64(binary.BigEndian.Uint64(v)) < cutoff
			if !old && !stale {
				break
			}
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	}, done: func(err error) { done(wrapErr("record sent message", err)) }, lazy: true}
}

func decodeSent(v []byte) (Sent, error) {
	var e Sent
	if len(v) < 12 || int(binary.BigEndian.Uint32(v[8:])) > len(v)-12 {
		return e, errors.New("truncated")
	}
	n := int(binary.BigEndian.Uint32(v[8:]))
	if err := json.Unmarshal(v[12:12+n], &e); err != nil {
		return e, err
	}
	e.Body = append(json.RawMessage(nil), v[12+n:]...) // v is bbolt's, valid only in the transaction
	return e, nil
}

// History lists up to limit sent messages of robot ("" for all), newest
// first, leaving out those older than HistoryAge.
func (s *Store) History(robot string, limit int, now time.Time) ([]Sent, error) {
	cutoff := now.Add(-s.o.HistoryAge).UnixNano()
	var out []Sent
	err := s.db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bucketSent)
		read := func(name []byte) error {
			if root.Bucket(name) == nil {
				return nil
			}
			c, n := root.Bucket(name).Cursor(), 0
			for k, v := c.Last(); k != nil && n < limit; k, v = c.Prev() {
				if len(v) < 8 || int64(binary.BigEndian.Uint64(v)) < cutoff {
					break // older ones are older still
				}
				e, err := decodeSent(v)
				if err != nil {
					return fmt.Errorf("sent message %s/%x: %w", name, k, err)
				}
				e.ID, e.Robot = binary.BigEndian.Uint64(k), string(name)
				out = append(out, e)
				n++
			}
			return nil
		}
		if robot != "" {
			return read([]byte(robot))
		}
		return root.ForEachBucket(read)
	})
	if err != nil {
		return nil, fmt.Errorf("store: read history: %w", err)
	}
	slices.SortStableFunc(out, func(a, b Sent) int { return b.At.Compare(a.At) })
	return out[:min(limit, len(out))], nil
}
