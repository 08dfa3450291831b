package store

import (
	"encoding/binary"
	"fmt"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/coding-relay/coding-relay/translate"
)

// Item is one message for one robot. It lives in the store from before the
// webhook is answered until the robot accepted it or it was dead-lettered.
type Item struct {
	ID    uint64 `json:"id"`
	Robot string `json:"robot"`
	// Dest is the robot's Fingerprint: after a restart the message goes to
	// the robot with that credential, whatever its name is now.
	Dest string `json:"dest,omitempty"`
	// Lane is the queue a shared store (Redis) keeps the item in; the
	// bbolt store does not use it, and it stays empty there.
	Lane      string            `json:"lane,omitempty"`
	Delivery  string            `json:"delivery"`
	Event     string            `json:"event"`
	Action    string            `json:"action,omitempty"`
	Message   translate.Message `json:"message,omitzero"`
	Created   time.Time         `json:"created"`
	Attempts  int               `json:"attempts"`
	LastError string            `json:"last_error,omitempty"`
	// ErrCode is the service's error code of the last failed attempt (0
	// for none, or a failure without one).
	ErrCode int `json:"errcode,omitempty"`
	// Reason is why a dead letter was given up on: permanent, expired or
	// orphaned (as in relay_dead_letters_total).
	Reason string `json:"reason,omitempty"`
	// UUID is sent as DingTalk's msgUuid and stays the same across retries,
	// so a send that timed out but arrived is not shown twice.
	UUID   string    `json:"uuid"`
	DeadAt time.Time `json:"dead_at,omitzero"`
	// NotBefore is when the next attempt may start, kept so that a
	// restarted relay, or a replica taking the robot over, waits out a
	// retry's wait (DingTalk's 10-minute throttle among them).
	NotBefore time.Time `json:"not_before,omitzero"`
	// Body names the stored message the item shares with others of its
	// delivery (see body.go); "" when the message is the item's own.
	Body string `json:"body,omitempty"`
}

// key is an item's key: its ID big-endian, so keys sort in arrival order.
func key(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

// DecodeItem decodes the JSON of the stored item id (encoding/json wrote
// it, in this version and every earlier one). It decodes with
// github.com/go-json-experiment/json, which the payload decoder's jsontext
// comes with, because that takes a third of encoding/json's time for an
// item (BenchmarkUnmarshalItem), and items are read back whenever a
// backlog has spilled to the store, and on every send from Redis. The
// options keep encoding/json's leniency: names in any case, a repeated
// name (the last counts), invalid UTF-8 (read as U+FFFD).
func DecodeItem(id uint64, v []byte) (*Item, error) {
	it := new(Item)
	if err := jsonv2.Unmarshal(v, it, itemJSON); err != nil {
		return nil, fmt.Errorf("item %d: %w", id, err)
	}
	it.ID = id
	return it, nil
}

var itemJSON = jsonv2.JoinOptions(jsonv2.MatchCaseInsensitiveNames(true),
	jsonv1.MatchCaseSensitiveDelimiter(true), // "deadat" is not dead_at, as for encoding/json
	jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
