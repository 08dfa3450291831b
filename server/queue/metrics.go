package queue

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the delivery engine's Prometheus series. Labels carry robot
// names (chosen by the operator, never URLs or tokens), kinds and outcomes.
type Metrics struct {
	Sends, Retries, DeadLetters, ThrottleWaits, Digests, DigestItems *prometheus.CounterVec
	SendDuration                                                     *prometheus.HistogramVec
	QueueDepth, OldestAge, LeaseHeld                                 *prometheus.GaugeVec
}

// NewMetrics registers the delivery engine's series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		reg.MustRegister(c)
		return c
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{"robot"})
		reg.MustRegister(g)
		return g
	}
	m := &Metrics{
		Sends:         counter("relay_sends_total", "Sends to robots by robot name, kind, result (ok, retry, failed) and errcode.", "robot", "kind", "result", "errcode"),
		QueueDepth:    gauge("relay_queue_depth", "Messages waiting for a robot."),
		OldestAge:     gauge("relay_queue_oldest_age_seconds", "Age of the oldest message waiting for a robot."),
		Retries:       counter("relay_retries_total", "Sends scheduled again after a retryable failure.", "robot"),
		DeadLetters:   counter("relay_dead_letters_total", "Messages given up on, by robot and reason (permanent, expired, orphaned: its robot was removed for longer than RELAY_RETRY_MAX_AGE).", "robot", "reason"),
		ThrottleWaits: counter("relay_throttle_waits_total", "Times a send waited for the robot's rate window.", "robot"),
		Digests:       counter("relay_digests_total", "Digest messages sent in place of a backlog.", "robot"),
		DigestItems:   counter("relay_digest_items_total", "Messages merged into digests.", "robot"),
		LeaseHeld:     gauge("relay_lease_held", "With a shared store (Redis): 1 while this replica holds the robot's lease and sends for it, else 0."),
		SendDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "relay_send_duration_seconds",
			Help:    "Duration of one send to a robot.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"robot", "kind"}),
	}
	reg.MustRegister(m.SendDuration)
	return m
}
