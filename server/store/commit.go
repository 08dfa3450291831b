package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// op is one write submitted to the group committer.
type op struct {
	fn   func(tx *bolt.Tx) error
	post func() // runs on the writer after a successful commit, in op order
	done func(error)
	// lazy ops wait up to lazyDelay to share a waited-for write's fsync.
	lazy bool
}

// lazyDelay bounds a lazy op's wait; a crash in it only resends (at-least-once).
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

// commit runs the batch in one transaction; on failure each op reruns alone.
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

func (s *Store) write(fn func(tx *bolt.Tx) error, post func()) error {
	errc := make(chan error, 1)
	s.ops <- &op{fn: fn, post: post, done: func(err error) { errc <- err }}
	return <-errc
}

// appendFill packs append-only buckets' pages; bbolt's half-full default
// would double the file and its memory.
const appendFill = 0.95
