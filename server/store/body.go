package store

import (
	"encoding/json"
	"slices"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/coding-relay/coding-relay/translate"
)

// Items of a delivery with the same rendering share one body, named by the
// first's UUID and removed with the last; dead letters keep theirs for replay.

// SameMessage reports whether a and b are the same rendering.
func SameMessage(a, b *translate.Message) bool {
	return a.Target == b.Target && a.Event == b.Event && a.Action == b.Action && a.Title == b.Title &&
		a.Text == b.Text && a.Summary == b.Summary && a.Link == b.Link && a.Outcome == b.Outcome &&
		a.Lang == b.Lang && slices.Equal(a.AtMobiles, b.AtMobiles) && slices.Equal(a.AtUserIDs, b.AtUserIDs)
}

// Body is a message several items of a delivery refer to.
type Body struct {
	Name string
	JSON []byte
	Refs int
}

// ShareBodies sets Body on items sharing a rendering and returns the bodies.
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

// MarshalItem is an item's stored JSON, without the message if it has a Body.
func MarshalItem(it *Item) ([]byte, error) {
	if it.Body == "" {
		return json.Marshal(it)
	}
	c := *it
	c.Message = translate.Message{}
	return json.Marshal(&c)
}

// FillBodies fills items' messages from get (each name once); an item whose
// body is missing or unreadable becomes nil.
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
