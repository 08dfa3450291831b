package server

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/coding-relay/coding-relay/translate"
)

// Item is one message for one robot. It lives in the store from before the
// webhook is answered until the robot accepted it or it was dead-lettered.
type Item struct {
	ID    uint64 `json:"id"`
	Robot string `json:"robot"`
	// Dest is the robot's Fingerprint: after a restart the message goes to
	// the robot with that credential, whatever its name is now.
	Dest      string            `json:"dest,omitempty"`
	Delivery  string            `json:"delivery"`
	Event     string            `json:"event"`
	Action    string            `json:"action,omitempty"`
	Message   translate.Message `json:"message"`
	Created   time.Time         `json:"created"`
	Attempts  int               `json:"attempts"`
	LastError string            `json:"last_error,omitempty"`
	// UUID is sent as DingTalk's msgUuid and stays the same across retries,
	// so a send that timed out but arrived is not shown twice.
	UUID   string    `json:"uuid"`
	DeadAt time.Time `json:"dead_at,omitzero"`
}

var (
	bucketPending   = []byte("pending")
	bucketDead      = []byte("dead")
	bucketDedup     = []byte("dedup")
	bucketDedupTime = []byte("dedup_by_time")
	bucketPace      = []byte("pace")
)

// Store is the durable queue: a bbolt file in the data directory. Writes from
// every goroutine go through one writer that commits whatever has piled up
// in a single transaction, so an fsync is shared by all concurrent webhooks
// (group commit) instead of capping intake at one event per fsync.
type Store struct {
	db  *bolt.DB
	ops chan *op
	// done is closed when the writer has exited.
	done chan struct{}
}

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

// OpenStore opens (creating if needed) the store in dir.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("RELAY_DATA_DIR: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, "queue.db"), 0o600, &bolt.Options{
		Timeout:        2 * time.Second,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		// Reserve address space up front: growing the map blocks every
		// writer while it is remapped. Untouched pages cost no memory.
		InitialMmapSize: 64 << 20,
	})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("RELAY_DATA_DIR: %s is locked by another running relay", dir)
		}
		return nil, fmt.Errorf("RELAY_DATA_DIR: opening queue: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketPending, bucketDead, bucketDedup, bucketDedupTime, bucketPace} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("RELAY_DATA_DIR: preparing queue: %w", err)
	}
	s := &Store{db: db, ops: make(chan *op, 4096), done: make(chan struct{})}
	go s.writer()
	return s, nil
}

// Close stops the writer after the writes already submitted and closes the
// file. Nothing still pending is touched: the next start resumes it.
func (s *Store) Close() error {
	close(s.ops)
	<-s.done
	return s.db.Close()
}

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
	fill:
		for len(batch) < maxGroup {
			if !lazy {
				// Someone is waiting: take what is queued and commit now.
				select {
				case o, ok := <-s.ops:
					if !ok {
						break fill
					}
					batch = append(batch, o)
				default:
					break fill
				}
				continue
			}
			select {
			case o, ok := <-s.ops:
				if !ok {
					break fill
				}
				batch = append(batch, o)
				lazy = o.lazy
			case <-wait.C:
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

func key(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

// appendFill packs the pages of buckets whose keys only ever grow (IDs,
// times): bbolt's default of half-full pages suits random inserts and would
// double the file, and the memory its pages take when read, for nothing.
const appendFill = 0.95

// ErrDuplicate marks a delivery already accepted within the dedup window.
var ErrDuplicate = errors.New("duplicate delivery")

// Add stores items for a new delivery, assigning their IDs, unless the
// delivery ID was seen since dedupSince. post runs after the commit and
// before any later commit's post, which keeps per-robot order.
func (s *Store) Add(delivery string, dedup bool, now time.Time, items []*Item, post func()) error {
	// Encode outside the transaction: the writer is single-threaded and
	// every microsecond it spends is added to every webhook's answer. The
	// ID is the key, so the value does not need it.
	vals := make([][]byte, len(items))
	for i, it := range items {
		v, err := json.Marshal(it)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	return s.write(func(tx *bolt.Tx) error {
		if dedup {
			d := tx.Bucket(bucketDedup)
			if d.Get([]byte(delivery)) != nil {
				return ErrDuplicate
			}
			var ts [8]byte
			binary.BigEndian.PutUint64(ts[:], uint64(now.UnixNano()))
			if err := d.Put([]byte(delivery), ts[:]); err != nil {
				return err
			}
			byTime := tx.Bucket(bucketDedupTime)
			byTime.FillPercent = appendFill
			if err := byTime.Put(append(ts[:], delivery...), nil); err != nil {
				return err
			}
		}
		p := tx.Bucket(bucketPending)
		p.FillPercent = appendFill
		for i, it := range items {
			id, err := p.NextSequence()
			if err != nil {
				return err
			}
			it.ID = id
			if err := p.Put(key(id), vals[i]); err != nil {
				return err
			}
		}
		return nil
	}, post)
}

// Done removes delivered items and records the robot's recent send times.
// It does not wait for the commit: the next send need not pay an fsync, and
// a crash before the commit only means the message is sent once more
// (at-least-once). errs is called on the writer if the commit fails.
func (s *Store) Done(items []*Item, robot string, pace []int64, errs func(error)) {
	// Copy the IDs now: the caller reuses the items' slice once we return.
	ids := make([]uint64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	s.ops <- &op{fn: func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		for _, id := range ids {
			if err := p.Delete(key(id)); err != nil {
				return err
			}
		}
		return putPace(tx, robot, pace)
	}, done: func(err error) {
		if err != nil {
			errs(err)
		}
		// A paced robot's send times must survive a crash, or a restart
		// could let it exceed its window and be throttled for ten minutes.
	}, lazy: pace == nil}
}

// Update rewrites items after a failed attempt (attempts, last error).
func (s *Store) Update(items []*Item, robot string, pace []int64) error {
	return s.write(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		for _, it := range items {
			v, err := json.Marshal(it)
			if err != nil {
				return err
			}
			if err := p.Put(key(it.ID), v); err != nil {
				return err
			}
		}
		return putPace(tx, robot, pace)
	}, nil)
}

// Bury moves items from pending to the dead letters.
func (s *Store) Bury(items []*Item, robot string, pace []int64) error {
	return s.write(func(tx *bolt.Tx) error {
		p, d := tx.Bucket(bucketPending), tx.Bucket(bucketDead)
		for _, it := range items {
			v, err := json.Marshal(it)
			if err != nil {
				return err
			}
			if err := p.Delete(key(it.ID)); err != nil {
				return err
			}
			if err := d.Put(key(it.ID), v); err != nil {
				return err
			}
		}
		return putPace(tx, robot, pace)
	}, nil)
}

// errNotFound is a dead letter that does not exist.
var errNotFound = errors.New("not found")

// Revive moves a dead letter back to pending under a new ID (it joins the
// end of its robot's queue) and hands it to post after the commit.
func (s *Store) Revive(id uint64, accept func(*Item) error, post func(*Item)) error {
	var it Item
	return s.write(func(tx *bolt.Tx) error {
		d := tx.Bucket(bucketDead)
		v := d.Get(key(id))
		if v == nil {
			return errNotFound
		}
		if err := json.Unmarshal(v, &it); err != nil {
			return err
		}
		if err := accept(&it); err != nil {
			return err
		}
		if err := d.Delete(key(id)); err != nil {
			return err
		}
		p := tx.Bucket(bucketPending)
		nid, err := p.NextSequence()
		if err != nil {
			return err
		}
		it.ID, it.Attempts, it.LastError, it.DeadAt = nid, 0, "", time.Time{}
		buf, err := json.Marshal(&it)
		if err != nil {
			return err
		}
		return p.Put(key(nid), buf)
	}, func() { post(&it) })
}

// Expire forgets delivery IDs seen before cutoff.
func (s *Store) Expire(cutoff time.Time) (int, error) {
	n := 0
	err := s.write(func(tx *bolt.Tx) error {
		n = 0
		d, t := tx.Bucket(bucketDedup), tx.Bucket(bucketDedupTime)
		c := t.Cursor()
		limit := uint64(cutoff.UnixNano())
		for k, _ := c.First(); k != nil && len(k) >= 8 && binary.BigEndian.Uint64(k[:8]) < limit; k, _ = c.Next() {
			if err := d.Delete(k[8:]); err != nil {
				return err
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
			if n >= 10000 { // keep one transaction short; the next sweep continues
				break
			}
		}
		return nil
	}, nil)
	return n, err
}

func putPace(tx *bolt.Tx, robot string, pace []int64) error {
	if pace == nil {
		return nil
	}
	v, err := json.Marshal(pace)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketPace).Put([]byte(robot), v)
}

// Pending calls fn with every pending item in ID order (arrival order),
// one at a time, so a large backlog is never all in memory at once.
func (s *Store) Pending(fn func(*Item) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPending).ForEach(func(k, v []byte) error {
			it, err := decodeItem(k, v)
			if err != nil {
				return err
			}
			return fn(it)
		})
	})
}

// Load reads pending items by ID, in the order given. An ID that is no
// longer pending, or whose record cannot be decoded, gives a nil entry: one
// damaged record must not stop its robot's whole queue.
func (s *Store) Load(ids []uint64) ([]*Item, error) {
	out := make([]*Item, len(ids))
	err := s.db.View(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		for i, id := range ids {
			k := key(id)
			if v := p.Get(k); v != nil {
				out[i], _ = decodeItem(k, v)
			}
		}
		return nil
	})
	return out, err
}

func decodeItem(k, v []byte) (*Item, error) {
	it := new(Item)
	if err := json.Unmarshal(v, it); err != nil {
		return nil, fmt.Errorf("item %x: %w", k, err)
	}
	it.ID = binary.BigEndian.Uint64(k)
	return it, nil
}

// Dead returns the first limit dead letters in ID order and how many there
// are.
func (s *Store) Dead(limit int) ([]*Item, int, error) {
	var out []*Item
	total := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDead)
		total = b.Stats().KeyN
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			it, err := decodeItem(k, v)
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return nil
	})
	return out, total, err
}

// Pace returns the recorded send times (Unix ms) of a robot.
func (s *Store) Pace(robot string) ([]int64, error) {
	var out []int64
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPace).Get([]byte(robot))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &out)
	})
	return out, err
}
