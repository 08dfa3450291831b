package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"
)

// bodyBudget bounds the total memory of bodies being read: a signature needs
// the whole body, so unsigned clients could otherwise outgrow the pod's limit.
// Bytes are reserved as they arrive, and each client address gets only a
// share, so its stalled or unsigned bodies cannot starve the others.
type bodyBudget struct {
	sem   *semaphore.Weighted
	total int64
	share int64
	wait  time.Duration
	inUse prometheus.Gauge

	mu      sync.Mutex
	clients map[string]*clientShare // by console.ClientAddr

	// held/peak track reservations for shrink; lastShrink is UnixNano.
	held, peak, lastShrink atomic.Int64
	shrinking              atomic.Bool
}

// budgetChunk is the step in which a body is read and reserved.
// budgetWait rides out a burst yet stays short of CODING's 5 s timeout.
// bodyDeadline: GitLab and GitHub give up after 10 s (CODING 5 s), so a body
// still arriving later serves nobody and only holds memory.
const (
	budgetChunk  = 32 << 10
	budgetWait   = time.Second
	bodyDeadline = 10 * time.Second
)

// Answers to a body that missed the budget or deadline, or failed (logged).
var (
	errBusy       = echo.NewHTTPError(http.StatusServiceUnavailable, "too many webhook bodies are being received at once; try again in a moment")
	errSlowBody   = echo.NewHTTPError(http.StatusRequestTimeout, "request body not received in time")
	errUnreadable = echo.NewHTTPError(http.StatusBadRequest, "request body could not be read")
)

// clientShare is what one client address holds, while it has requests.
type clientShare struct {
	sem  *semaphore.Weighted
	refs int
}

func newBodyBudget(total, maxBody int64, inUse prometheus.Gauge) *bodyBudget {
	// A body holds its chunks and its final buffer at once.
	share := max(total/4, min(total, 2*maxBody+budgetChunk))
	return &bodyBudget{sem: semaphore.NewWeighted(total), total: total, share: share, wait: budgetWait, inUse: inUse,
		clients: map[string]*clientShare{}}
}

// client is addr's share, held until leave.
func (b *bodyBudget) client(addr string) *clientShare {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.clients[addr]
	if c == nil {
		c = &clientShare{sem: semaphore.NewWeighted(b.share)}
		b.clients[addr] = c
	}
	c.refs++
	return c
}

func (b *bodyBudget) leave(addr string, c *clientShare) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c.refs--; c.refs == 0 {
		delete(b.clients, addr)
	}
}

// chunks are reused read buffers, so a burst leaves no doubled garbage.
var chunks = sync.Pool{New: func() any { return new([budgetChunk]byte) }}

// take reserves n bytes of the client's share and the budget, within b.wait.
func (b *bodyBudget) take(ctx context.Context, c *clientShare, n int64) error {
	if n > b.share {
		return errBusy
	}
	held := c.sem.TryAcquire(n) // usually free: no timer, no context
	if !held || !b.sem.TryAcquire(n) {
		wctx, cancel := context.WithTimeout(ctx, b.wait)
		defer cancel()
		if !held && c.sem.Acquire(wctx, n) != nil {
			return errBusy
		}
		if b.sem.Acquire(wctx, n) != nil {
			c.sem.Release(n)
			return errBusy
		}
	}
	b.inUse.Add(float64(n))
	if h := b.held.Add(n); h > b.peak.Load() {
		b.peak.Store(h)
	}
	return nil
}

// give returns n bytes, scheduling shrink after a large burst.
func (b *bodyBudget) give(c *clientShare, n int64) {
	if n <= 0 {
		return
	}
	c.sem.Release(n)
	b.sem.Release(n)
	b.inUse.Sub(float64(n))
	if b.held.Add(-n) == 0 && b.peak.Load() >= shrinkAfter {
		b.shrink()
	}
}

// shrinkAfter is the peak bytes that make a burst worth shrinking after;
// shrinkDelay lets a burst in waves end first; shrinkEvery spaces shrinks.
const (
	shrinkAfter = 4 << 20
	shrinkDelay = time.Second
	shrinkEvery = 5 * time.Second
)

// shrink returns idle heap to the OS after a burst: at GOGC=400 the collector
// is slow to, and the pod's limit counts RSS. It runs only when no body is held.
func (b *bodyBudget) shrink() {
	if !b.shrinking.CompareAndSwap(false, true) {
		return
	}
	wait := shrinkDelay
	if since := time.Since(time.Unix(0, b.lastShrink.Load())); since < shrinkEvery {
		wait = max(wait, shrinkEvery-since)
	}
	time.AfterFunc(wait, func() {
		defer b.shrinking.Store(false)
		if b.held.Load() != 0 {
			return // busy again: the next time it is quiet
		}
		b.peak.Store(0)
		b.lastShrink.Store(time.Now().UnixNano())
		debug.FreeOSMemory()
	})
}

// read reads r into budgeted chunks, then one buffer of the body's size. A
// multi-chunk body goes to check (if set) first, so a refused one is never
// assembled. Call release once the body is unused, also after an error.
func (b *bodyBudget) read(ctx context.Context, addr string, r io.Reader, check func(io.Reader) error) (body []byte, release func(), err error) {
	client := b.client(addr)
	var kept int64 // the returned buffer's reservation
	release = func() {
		if client != nil {
			b.give(client, kept)
			b.leave(addr, client)
			client = nil
		}
	}
	var parts []*[budgetChunk]byte
	var reserved, n int64 // the chunks' reservation, bytes read
	defer func() {
		for _, c := range parts {
			chunks.Put(c)
		}
		b.give(client, reserved)
	}()
	for {
		if n == int64(len(parts))*budgetChunk {
			if err := b.take(ctx, client, budgetChunk); err != nil {
				return nil, release, err
			}
			reserved += budgetChunk
			parts = append(parts, chunks.Get().(*[budgetChunk]byte))
		}
		c := parts[len(parts)-1]
		off := n % budgetChunk
		m, err := r.Read(c[off:])
		n += int64(m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, release, err
		}
	}
	// A one-chunk body is cheap to assemble; Decode verifies it once.
	if check != nil && len(parts) > 1 {
		readers := make([]io.Reader, len(parts))
		for i, c := range parts {
			readers[i] = bytes.NewReader(c[:min(budgetChunk, n-int64(i)*budgetChunk)])
		}
		if err := check(io.MultiReader(readers...)); err != nil {
			return nil, release, err
		}
	}
	if err := b.take(ctx, client, n); err != nil {
		return nil, release, err
	}
	kept = n
	body = make([]byte, n)
	for i, c := range parts {
		copy(body[int64(i)*budgetChunk:], c[:])
	}
	return body, release, nil
}

func classifyReadError(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errSlowBody
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errSlowBody
	}
	return errUnreadable
}
