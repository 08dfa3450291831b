package queue

import (
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/store"
)

// ErrStoreFailing is Ready's answer while the store's last write failed.
var ErrStoreFailing = errors.New("the store cannot write")

// Ready reports whether the queue accepts an event now; a failing store is
// probed each second, so readiness returns without waiting for an event.
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

// noteWrite records a write's outcome; data answers are not store failures.
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
