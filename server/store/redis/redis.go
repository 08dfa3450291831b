// Package redis is the bbolt store's state on Redis (or Valkey), shared by
// replicas, plus the leases giving one replica a robot (queue.Shared).
//
// Every all-or-nothing change is one Lua script (items with dedup mark; a send
// time only within the window and lease). IDs come from one counter, so a
// queue's order is Redis's acceptance order, whichever replica took it.
package redis

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	goredis "github.com/redis/go-redis/v9"

	"github.com/coding-relay/coding-relay/server/store"
)

// prefix starts every key; a shared Redis should give the relay its own /N database.
const prefix = "coding-relay:"

// Keys. Lane names are the queue's (name:… or dest:…).
const (
	keySeq      = prefix + "seq"      // string: the last item ID
	keyItems    = prefix + "items"    // hash: pending item ID → JSON
	keyLanes    = prefix + "lanes"    // set: lanes that have held items
	keyDead     = prefix + "dead"     // hash: dead letter ID → JSON
	keyDeadQ    = prefix + "deadq"    // sorted set: dead letter IDs
	keyDedupQ   = prefix + "dedupq"   // sorted set: delivery ID by time seen (ms)
	keyImported = prefix + "imported" // hash: UUIDs moved in from a bbolt file
	keyWake     = prefix + "wake"     // pub/sub channel: a lane got items
	keyBodies   = prefix + "bodies"   // hash: shared message name → JSON (store.ShareBodies)
	keyBodyRefs = prefix + "bodyrefs" // hash: shared message name → items referring to it
	pfxPending  = prefix + "pending:" // sorted set per lane: item IDs (score = ID)
	pfxPace     = prefix + "pace:"    // list per lane: send times (ms), oldest first
	pfxLease    = prefix + "lease:"   // string per lane: the holding replica's token
	pfxReplica  = prefix + "replica:" // string per replica, with a TTL: it is alive
	pfxDedup    = prefix + "dedup:"   // string per delivery ID, 24 h TTL
	pfxProbe    = prefix + "probe:"   // string per replica: its last probe
)

const dedupTTL = 24 * time.Hour

// Options tune the store. Zero values take the defaults.
type Options struct {
	// Password is used when the URL has none (RELAY_REDIS_PASSWORD).
	Password string
	// DedupMax, HistoryMax and HistoryAge are as in store.Options.
	DedupMax, HistoryMax int
	HistoryAge           time.Duration
}

// Store is the shared delivery state in one Redis database.
type Store struct {
	c *goredis.Client
	// token names this process (a new replica, even on the same host) in leases.
	token string
	rm    *remover
	o     store.Options
	// records feeds the recorder (history.go); recordStop stops it, recorded closes.
	records              chan recordOp
	recordStop, recorded chan struct{}
	closeMu              sync.Once
	// earlier is set while Hold sees old-version leases (store inline; lease.go).
	earlier atomic.Bool
	widest  atomic.Int64
}

// Open connects to rawURL (redis:// or rediss://) and checks that it answers.
func Open(rawURL string, o Options) (*Store, error) {
	opt, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if opt.Password == "" && o.Password != "" {
		opt.Password = o.Password
	}
	// No go-redis retries: a lost answer's retry could store an event twice, and
	// intake must fail within CODING's 5 s; callers retry where safe.
	opt.MaxRetries = -1
	opt.DialTimeout = 2 * time.Second
	opt.ReadTimeout = 2 * time.Second
	opt.WriteTimeout = 2 * time.Second
	opt.PoolTimeout = 2 * time.Second
	s := &Store{c: goredis.NewClient(opt), token: uuid.NewString(),
		o: store.Options{DedupMax: o.DedupMax, HistoryMax: o.HistoryMax, HistoryAge: o.HistoryAge}.Defaults()}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.c.Ping(ctx).Err(); err != nil {
		_ = s.c.Close()
		return nil, unavailable("connect to "+Redact(rawURL), err)
	}
	s.rm = newRemover(s)
	s.records, s.recordStop, s.recorded = make(chan recordOp, recordQueue), make(chan struct{}), make(chan struct{})
	go s.recorder()
	s.earlier.Store(true)
	return s, nil
}

// parseURL accepts redis(s):// only; errors never quote the URL (a password).
func parseURL(rawURL string) (*goredis.Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("redis: the URL does not parse (expected redis://[user:password@]host:port/db or rediss://…)")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, fmt.Errorf("redis: URL scheme %q is not redis or rediss", u.Scheme)
	}
	opt, err := goredis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis: %s: the URL is not valid (expected redis://[user:password@]host:port/db)", Redact(rawURL))
	}
	return opt, nil
}

// Redact shows a Redis URL without its user and password, for logs.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "redis://…"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

// Token is this process's name in leases.
func (s *Store) Token() string { return s.token }

// Close briefly waits for queued removals and history entries, then disconnects.
func (s *Store) Close() error {
	var err error
	s.closeMu.Do(func() {
		s.rm.close(2 * time.Second)
		// Past two seconds the client's Close fails what is left at once.
		close(s.recordStop)
		select {
		case <-s.recorded:
		case <-time.After(2 * time.Second):
		}
		if e := s.c.Close(); e != nil {
			err = fmt.Errorf("redis: close: %w", e)
		}
	})
	return err
}

// Probe makes a small write of its own and reports whether it succeeded.
func (s *Store) Probe() error {
	return unavailable("probe", s.c.Set(context.Background(), pfxProbe+s.token, time.Now().UnixMilli(), time.Minute).Err())
}

// Durability is what the server says about keeping what it acknowledged.
type Durability struct {
	AppendOnly  string // "yes" or "no"
	AppendFsync string // "always", "everysec" or "no"
	// MaxmemoryPolicy other than noeviction lets Redis evict queued messages.
	MaxmemoryPolicy string
}

// Durability reads them with CONFIG GET; a disabled CONFIG (managed services)
// is an error, not a verdict.
func (s *Store) Durability() (Durability, error) {
	m := map[string]string{}
	for _, pattern := range []string{"append*", "maxmemory-policy"} {
		got, err := s.c.ConfigGet(context.Background(), pattern).Result()
		if err != nil {
			return Durability{}, fmt.Errorf("redis: CONFIG GET %s: %w", pattern, err)
		}
		maps.Copy(m, got)
	}
	d := Durability{AppendOnly: m["appendonly"], AppendFsync: m["appendfsync"], MaxmemoryPolicy: m["maxmemory-policy"]}
	if d.AppendOnly == "" {
		return d, errors.New("redis: CONFIG GET appendonly: no answer")
	}
	return d, nil
}

// unavailable marks a failed round trip as store.ErrUnavailable, unlike a refusal.
func unavailable(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redis: %s: %w: %w", op, store.ErrUnavailable, err)
}

func ctx() context.Context { return context.Background() }

func pending(lane string) string { return pfxPending + lane }

// The scripts, each in lua/ with what it does, its KEYS and ARGV.
var (
	addScript     = script("add")
	buryScript    = script("bury")
	expireScript  = script("expire")
	forgetScript  = script("forget")
	holdScript    = script("hold")
	importScript  = script("import")
	moveScript    = script("move")
	nextScript    = script("next")
	paceScript    = script("pace")
	recordScript  = script("record")
	releaseScript = script("release")
	removeScript  = script("remove")
	reviveScript  = script("revive")
	updateScript  = script("update")
)

//go:embed lua
var luaFS embed.FS

// script loads lua/name.lua without its opening comment.
func script(name string) *goredis.Script {
	src, err := luaFS.ReadFile("lua/" + name + ".lua")
	if err != nil {
		panic(err)
	}
	for bytes.HasPrefix(src, []byte("--")) {
		_, src, _ = bytes.Cut(src, []byte("\n"))
	}
	return goredis.NewScript(string(src))
}
