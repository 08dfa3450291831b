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

// Item is one message for one robot, stored before the webhook is answered
// until the robot accepts it or it is dead-lettered.
type Item struct {
	ID    uint64 `json:"id"`
	Robot string `json:"robot"`
	// Dest is the robot's Fingerprint: its credential, whatever its name now.
	Dest string `json:"dest,omitempty"`
	// Lane is the item's queue in Redis; empty in bbolt.
	Lane      string            `json:"lane,omitempty"`
	Delivery  string            `json:"delivery"`
	Event     string            `json:"event"`
	Action    string            `json:"action,omitempty"`
	Message   translate.Message `json:"message,omitzero"`
	Created   time.Time         `json:"created"`
	Attempts  int               `json:"attempts"`
	LastError string            `json:"last_error,omitempty"`
	// ErrCode is the robot's errcode of the last failed attempt, or 0.
	ErrCode int `json:"errcode,omitempty"`
	// Reason is why a dead letter was given up on: permanent, expired or
	// orphaned (as in relay_dead_letters_total).
	Reason string `json:"reason,omitempty"`
	// UUID is DingTalk's msgUuid, fixed across retries: a timed-out send that
	// arrived is not shown twice.
	UUID   string    `json:"uuid"`
	DeadAt time.Time `json:"dead_at,omitzero"`
	// NotBefore is the next attempt's earliest start, so a restart or takeover
	// still waits out a retry (DingTalk's 10-minute throttle among them).
	NotBefore time.Time `json:"not_before,omitzero"`
	// Body names the message shared within its delivery (body.go); "" if own.
	Body string `json:"body,omitempty"`
}

// key is an item's key: its ID big-endian, so keys sort in arrival order.
func key(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

// DecodeItem decodes stored item id (encoding/json's) with go-json-experiment:
// a third of v1's time (BenchmarkUnmarshalItem), on every Redis send. The
// options keep v1's leniency: any-case names, duplicates, invalid UTF-8.
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
