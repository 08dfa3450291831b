package store

import (
	"encoding/json"
	"slices"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/coding-relay/coding-relay/translate"
)

// A message fanned out to many robots is stored once. Items of one delivery
// that carry the same rendering (robots of one target and template variant)
// refer to one body, named after the first of them (its UUID), which goes
// when the last of them is delivered; dead letters keep theirs, for replay.
// An item whose message is its own keeps it inline, as items always did.

// SameMessage reports whether a and b are the same rendering; strings that
// share their bytes compare at once.
func SameMessage(a, b *translate.Message) bool {
	return a.Target == b.Target && a.Event == b.Event && a.Action == b.Action && a.Title == b.Title &&
		a.Text == b.Text && a.Summary == b.Summary && a.Link == b.Link && a.Outcome == b.Outcome &&
		a.Lang == b.Lang && slices.Equal(a.AtMobiles, b.AtMobiles) && slices.Equal(a.AtUserIDs, b.AtUserIDs)
}

// Body is a message several items of a delivery refer to.
type Body struct {
	Name string
	JSON []byte
	// Refs is how many items refer to it.
	Refs int
}

// ShareBodies sets Body on the items that carry the same rendering as
// another item of theirs, and returns the bodies to store with them.
func ShareBodies(items []*Item) ([]Body, error) {
	var groups [][]*Item
	for _, it := range items {
		it.Body = ""
		i := slices.IndexFunc(groups, func(g []*Item) bool { return SameMessage(&g[0].Message, &it.Message) })
		if i < 0 {
			i, groups = len(groups), append(groups, nil)
		}
		groups[i] = append(groups[i], it)
	}
	var bodies []Body
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		v, err := json.Marshal(&g[0].Message)
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, Body{Name: g[0].UUID, JSON: v, Refs: len(g)})
		for _, it := range g {
			it.Body = g[0].UUID
		}
	}
	return bodies, nil
}

// MarshalItem is the JSON an item is stored as: without its message when
// it refers to a body.
func MarshalItem(it *Item) ([]byte, error) {
	if it.Body == "" {
		return json.Marshal(it)
	}
	c := *it
	c.Message = translate.Message{}
	return json.Marshal(&c)
}

// FillBodies gives each item that refers to a body its message; get reads
// the named bodies' JSON (nil for one that is missing), each name once. An
// item whose body is missing or unreadable becomes nil.
func FillBodies(items []*Item, get func(names []string) ([][]byte, error)) error {
	msgs := map[string]*translate.Message{}
	var names []string
	for _, it := range items {
		if it != nil && it.Body != "" && !slices.Contains(names, it.Body) {
			names = append(names, it.Body)
		}
	}
	if len(names) == 0 {
		return nil
	}
	vals, err := get(names)
	if err != nil {
		return err
	}
	for i, v := range vals {
		if m := new(translate.Message); v != nil && jsonv2.Unmarshal(v, m, itemJSON) == nil {
			msgs[names[i]] = m
		}
	}
	for i, it := range items {
		if it != nil && it.Body != "" {
			if m := msgs[it.Body]; m != nil {
				it.Message = *m
			} else {
				items[i] = nil
			}
		}
	}
	return nil
}
