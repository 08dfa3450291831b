package queue

import (
	"slices"
	"strings"

	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/translate"
)

// own copies items' strings: decoded fields may view the whole body (600 KB
// for 1,000 commits), which a waiting message must not keep alive; items
// of one delivery rendered alike share one copy of their message.
func own(items []*store.Item) {
	var from, to []translate.Message
	for _, it := range items {
		i := slices.IndexFunc(from, func(m translate.Message) bool { return store.SameMessage(&m, &it.Message) })
		if i < 0 {
			i = len(from)
			from, to = append(from, it.Message), append(to, cloneMessage(it.Message))
		}
		it.Message = to[i]
		it.Delivery, it.Event, it.Action = strings.Clone(it.Delivery), strings.Clone(it.Event), strings.Clone(it.Action)
	}
}

func cloneMessage(m translate.Message) translate.Message {
	for _, s := range []*string{(*string)(&m.Target), &m.Event, &m.Action, &m.Title, &m.Text, &m.Summary, &m.Link, &m.Outcome, &m.Lang} {
		*s = strings.Clone(*s)
	}
	for _, ss := range []*[]string{&m.AtMobiles, &m.AtUserIDs} {
		*ss = slices.Clone(*ss)
		for i := range *ss {
			(*ss)[i] = strings.Clone((*ss)[i])
		}
	}
	return m
}
