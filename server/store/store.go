// Package store is the relay's durable state: the messages waiting for
// robots, the dead letters, the delivery IDs seen recently (dedup), each
// paced robot's recent send times and, for the console, the messages each
// robot was sent lately (bounded by count and age). It is a bbolt file in
// the data directory; every write goes through one group committer. The
// same state shared by several replicas lives in Redis: package
// server/store/redis.
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

// ErrUnavailable marks a failure to reach a store that lives elsewhere
// (Redis): nothing was decided, the same call may succeed once it is back.
// The bbolt store never returns it.
var ErrUnavailable = errors.New("the store is unavailable")

// ErrLeaseLost is a shared store refusing a send for a robot whose lease
// another replica holds now. The bbolt store never returns it.
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
	// DedupMax bounds how many delivery IDs are remembered (default
	// 1,000,000); beyond it the oldest are forgotten first, whatever their
	// age.
	DedupMax int
	// HistoryMax bounds the delivered messages kept per robot for the
	// console (default 1,000) and HistoryAge their age (default 7 days).
	HistoryMax int
	HistoryAge time.Duration
}

// Defaults is o with its zero values set to the defaults, the Redis
// store's too.
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

// Store is the durable queue: a bbolt file in the data directory. Writes from
// every goroutine go through one writer that commits whatever has piled up
// in a single transaction, so an fsync is shared by all concurrent webhooks
// (group commit) instead of capping intake at one event per fsync.
type Store struct {
	db  *bolt.DB
	ops chan *op
	o   Options // with the defaults set
	// done is closed when the writer has exited.
	done chan struct{}
}

// Open opens (creating if needed) the store in dir.
func Open(dir string, o Options) (*Store, error) {
	o = o.Defaults()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, "queue.db"), 0o600, &bolt.Options{
		Timeout: 2 * time.Second,
		// The free pages are written with each commit: without them, Open
		// walks every page of the file to find them, which maps a large
		// backlog's whole file into memory at start-up (some 75 MB for
		// 1,000 robots with 150 messages each); writing them cost no
		// measurable intake (cmd/loadgen, 3 interleaved runs each).
		FreelistType: bolt.FreelistMapType,
		// Reserve address space up front: growing the map blocks every
		// writer while it is remapped. Untouched pages cost no memory.
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

// Close stops the writer after the writes already submitted and closes the
// file. Nothing still pending is touched: the next start resumes it.
func (s *Store) Close() error {
	close(s.ops)
	<-s.done
	return wrapErr("close", s.db.Close())
}

// wrapErr names the store and the operation in err, if there is one.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
