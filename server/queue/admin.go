package queue

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/coding-relay/coding-relay/server/store"
)

// Delivery is an item as the admin API shows it: no URL, no message body.
type Delivery struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Robot     string    `json:"robot"`
	Delivery  string    `json:"delivery"`
	Event     string    `json:"event"`
	Action    string    `json:"action,omitempty"`
	Title     string    `json:"title"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	ErrCode   int       `json:"errcode,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Created   time.Time `json:"created"`
	AgeSecond float64   `json:"age_seconds"`
	DeadAt    time.Time `json:"dead_at,omitzero"`
}

func (q *Queue) view(it *store.Item, status string) Delivery {
	return Delivery{
		ID: strconv.FormatUint(it.ID, 10), Status: status, Robot: it.Robot, Delivery: it.Delivery,
		Event: it.Event, Action: it.Action, Title: it.Message.Title, Attempts: it.Attempts,
		LastError: it.LastError, ErrCode: it.ErrCode, Reason: it.Reason, Created: it.Created, AgeSecond: q.opts.now().Sub(it.Created).Seconds(), DeadAt: it.DeadAt,
	}
}

// Pending lists up to limit waiting messages, oldest first, and the total.
// Only each lane's first limit are copied and spilled ones read only if
// listed, so intake's locks are held briefly whatever the backlog.
func (q *Queue) Pending(limit int) ([]Delivery, int, error) {
	if q.shared != nil {
		items, total, err := q.shared.List(limit)
		if err != nil {
			return nil, 0, err
		}
		out := make([]Delivery, len(items))
		for i, it := range items {
			out[i] = q.view(it, "pending")
		}
		return out, total, nil
	}
	type entry struct {
		created time.Time
		id      uint64
		view    *Delivery // nil when spilled
	}
	var all []entry
	total := 0
	for _, l := range q.lanes {
		l.mu.Lock()
		total += len(l.items) + len(l.spilled)
		for i := range min(limit, len(l.items)+len(l.spilled)) {
			if i < len(l.items) {
				v := q.view(l.items[i], "pending")
				all = append(all, entry{v.Created, l.items[i].ID, &v})
			} else {
				sp := l.spilled[i-len(l.items)]
				all = append(all, entry{sp.created, sp.id, nil})
			}
		}
		l.mu.Unlock()
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.id, b.id)) })
	all = all[:min(limit, len(all))]
	var ids []uint64
	for _, e := range all {
		if e.view == nil {
			ids = append(ids, e.id)
		}
	}
	loaded, err := q.store.Load(ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Delivery, 0, len(all))
	for _, e := range all {
		if e.view != nil {
			out = append(out, *e.view)
			continue
		}
		it := loaded[0]
		loaded = loaded[1:]
		if it != nil { // else delivered meanwhile
			out = append(out, q.view(it, "pending"))
		}
	}
	return out, total, nil
}

// Dead lists up to limit dead letters, oldest first, and how many in all.
func (q *Queue) Dead(limit int) ([]Delivery, int, error) {
	items, total, err := q.store.Dead(limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Delivery, len(items))
	for i, it := range items {
		out[i] = q.view(it, "dead")
	}
	return out, total, nil
}

// Retry requeues a dead letter with a fresh RetryMaxAge (store.ErrNotFound,
// ErrUnknownRobot when its robot is gone).
func (q *Queue) Retry(id uint64) (Delivery, error) {
	var d Delivery
	err := q.store.Revive(id, func(it *store.Item) error {
		l := q.laneFor(it)
		if l == nil {
			return ErrUnknownRobot
		}
		it.Created = q.opts.now() // a fresh retry budget
		it.Lane = l.key
		return nil
	}, func(it *store.Item) {
		d = q.view(it, "pending")
		q.hand(q.laneFor(it), it)
	})
	q.noteWrite(err)
	return d, err
}
