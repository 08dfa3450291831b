package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"
)

// bodyBudget bounds the memory that webhook bodies being read may hold in
// total. The signature can only be checked over the whole body, so an
// unauthenticated client gets to send one before it is refused; without a
// bound, a few dozen clients sending large bodies at once grow the heap
// past the pod's memory limit. Memory is reserved as the bytes arrive
// (not as announced), so a slow client holds only what it has sent, and is
// given back when the request is answered.
type bodyBudget struct {
	sem   *semaphore.Weighted
	total int64
	wait  time.Duration
	inUse prometheus.Gauge
}

// budgetChunk is the step in which a body's buffer grows and is reserved.
const budgetChunk = 32 << 10

// budgetWait is how long a request waits for budget before it is refused:
// long enough to ride out a burst, short against CODING's 5-second wait.
const budgetWait = time.Second

// errBusy answers a body that did not fit the budget in time.
var errBusy = &apiError{status: http.StatusServiceUnavailable, msg: "too many webhook bodies are being received at once; try again in a moment"}

// errSlowBody answers a body that did not arrive before the read deadline.
var errSlowBody = &apiError{status: http.StatusRequestTimeout, msg: "request body not received in time"}

// errUnreadable answers a body that could not be read for another reason
// (the client went away, a malformed chunk); the details go to the log.
var errUnreadable = &apiError{status: http.StatusBadRequest, msg: "request body could not be read"}

func newBodyBudget(total int64, inUse prometheus.Gauge) *bodyBudget {
	return &bodyBudget{sem: semaphore.NewWeighted(total), total: total, wait: budgetWait, inUse: inUse}
}

// read reads r (at most limit bytes, which fail with
// *http.MaxBytesError) into a buffer whose capacity is reserved from the
// budget. release gives the reservation back; call it once the body is no
// longer used, also after an error.
func (b *bodyBudget) read(ctx context.Context, r io.Reader, sizeHint, limit int64) (body []byte, release func(), err error) {
	var held int64
	release = func() {
		if held > 0 {
			b.sem.Release(held)
			b.inUse.Sub(float64(held))
			held = 0
		}
	}
	grow := func(n int64) error {
		wctx, cancel := context.WithTimeout(ctx, b.wait)
		defer cancel()
		if n > b.total || b.sem.Acquire(wctx, n) != nil {
			return errBusy
		}
		held += n
		b.inUse.Add(float64(n))
		return nil
	}
	// The first chunk is the announced size when it is small, so a typical
	// payload is read into one allocation.
	first := int64(budgetChunk)
	if sizeHint > 0 && sizeHint < first {
		first = sizeHint + 1 // +1 to see the end without growing
	}
	if err := grow(first); err != nil {
		return nil, release, err
	}
	buf := make([]byte, 0, first)
	for {
		if len(buf) == cap(buf) {
			step := max(int64(cap(buf)), budgetChunk) // doubling, in chunks
			if int64(cap(buf))+step > limit+1 {
				step = max(limit+1-int64(cap(buf)), 1)
			}
			if err := grow(step); err != nil {
				return nil, release, err
			}
			next := make([]byte, len(buf), int64(cap(buf))+step)
			copy(next, buf)
			// held is now the new buffer's capacity. The old one is garbage
			// the collector takes (GOMEMLIMIT makes it hurry near the
			// limit); it is not counted, so live buffers stay within the
			// budget and garbage within as much again.
			buf = next
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, release, nil
		}
		if err != nil {
			return nil, release, err
		}
	}
}

// classifyReadError maps a body read failure to its answer.
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
