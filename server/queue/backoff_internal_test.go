package queue

import (
	"testing"
	"time"
)

// The schedule README documents: 2 s doubling to RELAY_RETRY_MAX_WAIT
// (default 1 min), each shortened by up to a quarter.
func TestRetryWaitDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.firstWait != 2*time.Second || o.RetryMaxWait != time.Minute {
		t.Fatalf("defaults: first %v, cap %v; want 2s and 1m", o.firstWait, o.RetryMaxWait)
	}
	want := []time.Duration{2, 4, 8, 16, 32, 60, 60, 60}
	for i, w := range want {
		n := i + 1
		w *= time.Second
		if got := retryWait(n, o.firstWait, o.RetryMaxWait, 0); got != w {
			t.Errorf("wait %d without jitter = %v, want %v", n, got, w)
		}
		if got := retryWait(n, o.firstWait, o.RetryMaxWait, 0.999); got < w*3/4 || got > w {
			t.Errorf("wait %d with the most jitter = %v, want within [%v, %v]", n, got, w*3/4, w)
		}
	}
	if got := retryWait(10_000, o.firstWait, o.RetryMaxWait, 0); got != time.Minute {
		t.Errorf("wait after 10000 failures = %v, want the cap", got)
	}
}
