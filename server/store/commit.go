package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// op is one write submitted to the group committer.
type op struct {
	fn   func(tx *bolt.Tx) error
	post func() // runs on the writer after a successful commit, in op order
	// done receives the outcome on the writer; it must not block.
	done func(error)
	// lazy ops (removing delivered messages) nobody waits for: they wait up
	// to lazyDelay for a write that someone does wait for and share its
	// commit, instead of paying two fsyncs of their own.
	lazy bool
}

// lazyDelay bounds how long a lazy op waits for company. A crash inside it
// only means a delivered message is sent once more (at-least-once).
const lazyDelay = 20 * time.Millisecond

// maxGroup bounds one group commit; beyond it latency grows for nothing.
const maxGroup = 512

func (s *Store) writer() {
	defer close(s.done)
	batch := make([]*op, 0, maxGroup)
	wait := time.NewTimer(lazyDelay)
	wait.Stop()
	for first := range s.ops {
		batch = append(batch[:0], first)
		// A lazy op waits for one that someone waits for; then, or at
		// once, what is queued joins the commit.
		lazy := first.lazy
		if lazy {
			wait.Reset(lazyDelay)
		}
		for len(batch) < maxGroup && (lazy || len(s.ops) > 0) {
			var timeout <-chan time.Time
			if lazy {
				timeout = wait.C
			}
			select {
			case o, ok := <-s.ops:
				if !ok {
					lazy = false // closed: commit what there is
					continue
				}
				batch = append(batch, o)
				lazy = lazy && o.lazy
			case <-timeout:
				lazy = false
			}
		}
		wait.Stop()
		s.commit(batch)
	}
}

// commit runs the batch in one transaction; if any op fails, the batch is
// rolled back and every op is run on its own so one bad op fails alone.
func (s *Store) commit(batch []*op) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, o := range batch {
			if err := o.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, o := range batch {
			if err == nil && o.post != nil {
				o.post()
			}
			o.done(err)
		}
		return
	}
	for _, o := range batch {
		s.commit([]*op{o})
	}
}

// write submits fn to the group committer and waits for its commit.
func (s *Store) write(fn func(tx *bolt.Tx) error, post func()) error {
	errc := make(chan error, 1)
	s.ops <- &op{fn: fn, post: post, done: func(err error) { errc <- err }}
	return <-errc
}

// appendFill packs the pages of buckets whose keys only ever grow (IDs,
// times): bbolt's default of half-full pages suits random inserts and would
// double the file, and the memory its pages take when read, for nothing.
const appendFill = 0.95
