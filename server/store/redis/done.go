package redis

import (
	"sync"
	"time"

	"github.com/coding-relay/coding-relay/server/store"
)

// Removals are batched (a round trip each would bound an unpaced robot's rate),
// waiting up to removeDelay; a crash only resends (at-least-once). A failed
// batch is retried, and Next leaves its items out so they are not resent.
const (
	removeDelay = 2 * time.Millisecond
	removeBatch = 512
	removeRetry = 200 * time.Millisecond
)

type removal struct {
	items []store.Item
	done  func(error)
}

type remover struct {
	s    *Store
	mu   sync.Mutex
	cond *sync.Cond
	// queue is what waits to be sent; ids every ID queued or being removed.
	queue []removal
	ids   map[uint64]struct{}
	// gate keeps an ID in ids until reads that saw it pending checked ids.
	gate    sync.RWMutex
	busy    bool
	closing bool
	stopped chan struct{}
}

func newRemover(s *Store) *remover {
	r := &remover{s: s, ids: map[uint64]struct{}{}, stopped: make(chan struct{})}
	r.cond = sync.NewCond(&r.mu)
	go r.run()
	return r
}

// Done removes delivered items in the background, retrying; done hears the
// first outcome and must not block.
func (s *Store) Done(items []*store.Item, robot string, pace []int64, done func(error)) {
	rm := removal{items: make([]store.Item, len(items)), done: done}
	r := s.rm
	r.mu.Lock()
	for i, it := range items {
		rm.items[i] = store.Item{ID: it.ID, Lane: it.Lane, Body: it.Body}
		r.ids[it.ID] = struct{}{}
	}
	r.queue = append(r.queue, rm)
	r.cond.Broadcast()
	r.mu.Unlock()
}

// removing reports whether id is delivered but not yet removed.
func (r *remover) removing(id uint64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.ids[id]
	return ok
}

func (r *remover) run() {
	defer close(r.stopped)
	for {
		r.mu.Lock()
		for len(r.queue) == 0 && !r.closing {
			r.cond.Wait()
		}
		if len(r.queue) == 0 {
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		time.Sleep(removeDelay) // let more removals join
		r.mu.Lock()
		n, count := 0, 0
		for n < len(r.queue) && count < removeBatch {
			count += len(r.queue[n].items)
			n++
		}
		batch := append([]removal(nil), r.queue[:n]...)
		r.busy = true
		r.mu.Unlock()

		err := r.remove(batch)

		if err == nil {
			r.gate.Lock()
		}
		r.mu.Lock()
		r.busy = false
		if err == nil {
			r.queue = r.queue[n:]
			for _, rm := range batch {
				for _, it := range rm.items {
					delete(r.ids, it.ID)
				}
			}
		} else {
			// Tell each waiter once; the batch stays queued for a retry.
			for i := range batch {
				r.queue[i].done = nil
			}
		}
		closing := r.closing
		r.cond.Broadcast()
		r.mu.Unlock()
		if err == nil {
			r.gate.Unlock()
		}
		for _, rm := range batch {
			if rm.done != nil {
				rm.done(err)
			}
		}
		if err != nil {
			if closing {
				return // what is left is sent again by whoever takes the lanes
			}
			time.Sleep(removeRetry)
		}
	}
}

func (r *remover) remove(batch []removal) error {
	keys := []string{keyItems, keyBodies, keyBodyRefs}
	var ids, bodies []any
	for _, rm := range batch {
		for _, it := range rm.items {
			keys, ids, bodies = append(keys, pending(it.Lane)), append(ids, it.ID), append(bodies, it.Body)
		}
	}
	return unavailable("remove delivered", removeScript.Run(ctx(), r.s.c, keys, append(ids, bodies...)...).Err())
}

// flush waits until every removal queued so far is done or d has passed.
func (r *remover) flush(d time.Duration) {
	deadline := time.Now().Add(d)
	t := time.AfterFunc(d, func() { r.mu.Lock(); r.cond.Broadcast(); r.mu.Unlock() })
	defer t.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for (len(r.queue) > 0 || r.busy) && time.Now().Before(deadline) {
		r.cond.Wait()
	}
}

func (r *remover) close(d time.Duration) {
	r.flush(d)
	r.mu.Lock()
	r.closing = true
	r.cond.Broadcast()
	r.mu.Unlock()
	<-r.stopped
}
