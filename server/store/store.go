// Package store is the relay's durable state in a bbolt file: pending messages,
// dead letters, dedup IDs, paced robots' send times and the console's history.
// Every write goes through one group committer; server/store/redis keeps the
// same state for several replicas.
package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrDuplicate marks a delivery already accepted within the dedup window.
var ErrDuplicate = errors.New("duplicate delivery")

// ErrNotFound is a dead letter that does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnavailable marks an unreachable remote store (Redis): nothing was
// decided, the call may succeed later. bbolt never returns it.
var ErrUnavailable = errors.New("the store is unavailable")

// ErrLeaseLost refuses a send for a robot another replica now leases (Redis).
var ErrLeaseLost = errors.New("the robot's lease is held by another replica")

var (
	bucketPending   = []byte("pending")
	bucketDead      = []byte("dead")
	bucketDedup     = []byte("dedup")
	bucketDedupTime = []byte("dedup_by_time")
	bucketPace      = []byte("pace")
	bucketProbe     = []byte("probe")
	bucketSent      = []byte("sent")
	bucketBodies    = []byte("bodies")    // body name → message JSON (see body.go)
	bucketBodyRefs  = []byte("body_refs") // body name → how many items refer to it
)

// Options tune the store. Zero values take the defaults.
type Options struct {
	// DedupMax bounds the delivery IDs kept (default 1,000,000), oldest go first.
	DedupMax int
	// HistoryMax (default 1,000) and HistoryAge (7 days) bound each robot's history.
	HistoryMax int
	HistoryAge time.Duration
}

// Defaults is o with zero values set to the defaults (Redis's too).
func (o Options) Defaults() Options {
	if o.DedupMax <= 0 {
		o.DedupMax = defaultDedupMax
	}
	if o.HistoryMax <= 0 {
		o.HistoryMax = defaultHistoryMax
	}
	if o.HistoryAge <= 0 {
		o.HistoryAge = defaultHistoryAge
	}
	return o
}

// Store is the durable bbolt queue. One writer commits whatever has piled up in
// one transaction, so concurrent webhooks share an fsync (group commit).
type Store struct {
	db   *bolt.DB
	ops  chan *op
	o    Options       // with the defaults set
	done chan struct{} // closed when the writer has exited
}

// Open opens (creating if needed) the store in dir.
func Open(dir string, o Options) (*Store, error) {
	o = o.Defaults()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, "queue.db"), 0o600, &bolt.Options{
		Timeout: 2 * time.Second,
		// Keep the freelist: else Open maps the whole file to find free pages
		// (~75 MB for a large backlog); it costs no measurable intake (loadgen).
		FreelistType: bolt.FreelistMapType,
		// Reserve address space: a remap blocks every writer; untouched pages are free.
		InitialMmapSize: 64 << 20,
	})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("store: open: %s is locked by another running relay", dir)
		}
		return nil, fmt.Errorf("store: open: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketPending, bucketDead, bucketDedup, bucketDedupTime, bucketPace, bucketProbe, bucketSent, bucketBodies, bucketBodyRefs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return reindex(tx)
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open: preparing buckets: %w", err)
	}
	if err := countDedup(db, uint64(o.DedupMax)); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open: counting delivery ids: %w", err)
	}
	s := &Store{db: db, ops: make(chan *op, 4096), done: make(chan struct{}), o: o}
	go s.writer()
	return s, nil
}

// Close stops the writer after submitted writes and closes the file; pending
// items stay for the next start.
func (s *Store) Close() error {
	close(s.ops)
	<-s.done
	return wrapErr("close", s.db.Close())
}

func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
