package queue

import (
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/store"
)

// ErrStoreFailing is Ready's answer while the store's last write failed (a
// full disk, say): an event sent now would be answered 500.
var ErrStoreFailing = errors.New("the store cannot write")

// Ready reports whether the queue can accept an event now: ErrShuttingDown
// once Close has begun, ErrStoreFailing (wrapping the failure) from a
// failed store write until a write succeeds. While writes fail, the
// housekeeping loop probes the store every second, so readiness comes back
// without waiting for an event that a not-ready relay would not be sent.
func (q *Queue) Ready() error {
	if !q.Accepting() {
		return ErrShuttingDown
	}
	q.healthMu.Lock()
	defer q.healthMu.Unlock()
	if q.writeErr != nil {
		return fmt.Errorf("%w: %w", ErrStoreFailing, q.writeErr)
	}
	return nil
}

// noteWrite records the outcome of a store write. An answer about the data
// (a duplicate delivery, a missing or refused dead letter) is no failure of
// the store and changes nothing.
func (q *Queue) noteWrite(err error) {
	if errors.Is(err, store.ErrDuplicate) || errors.Is(err, store.ErrNotFound) || errors.Is(err, ErrUnknownRobot) {
		return
	}
	q.healthMu.Lock()
	was := q.writeErr
	q.writeErr = err
	q.healthMu.Unlock()
	switch {
	case was == nil && err != nil:
		q.log.Error("the store cannot write: not ready until a write succeeds", zap.Error(err))
	case was != nil && err == nil:
		q.log.Info("the store writes again: ready")
	}
}

// probe tries a write while the last one failed.
func (q *Queue) probe() {
	q.healthMu.Lock()
	failing := q.writeErr != nil
	q.healthMu.Unlock()
	if failing {
		q.noteWrite(q.store.Probe())
	}
}
