package queue

import "time"

// WithResident is o keeping resident messages per robot in memory and
// merging at most maxDigest into one digest, so tests reach the spill and
// refill paths with a few messages.
func WithResident(o Options, resident, maxDigest int) Options {
	o.resident, o.maxDigestItems = resident, maxDigest
	return o
}

// WithFirstWait is o waiting d after a first failure.
func WithFirstWait(o Options, d time.Duration) Options {
	o.firstWait = d
	return o
}

// WithClock is o reading the time from now.
func WithClock(o Options, now func() time.Time) Options {
	o.now = now
	return o
}
