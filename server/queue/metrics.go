package queue

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the delivery engine's Prometheus series. Labels carry robot
// names (chosen by the operator, never URLs or tokens), kinds and outcomes.
type Metrics struct {
	Sends         *prometheus.CounterVec
	SendDuration  *prometheus.HistogramVec
	QueueDepth    *prometheus.GaugeVec
	OldestAge     *prometheus.GaugeVec
	Retries       *prometheus.CounterVec
	DeadLetters   *prometheus.CounterVec
	ThrottleWaits *prometheus.CounterVec
	Digests       *prometheus.CounterVec
	DigestItems   *prometheus.CounterVec
	LeaseHeld     *prometheus.GaugeVec
}

// NewMetrics registers the delivery engine's series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_sends_total",
			Help: "Sends to robots by robot name, kind, result (ok, retry, failed) and errcode.",
		}, []string{"robot", "kind", "result", "errcode"}),
		SendDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "relay_send_duration_seconds",
			Help:    "Duration of one send to a robot.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"robot", "kind"}),
		QueueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "relay_queue_depth",
			Help: "Messages waiting for a robot.",
		}, []string{"robot"}),
		OldestAge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "relay_queue_oldest_age_seconds",
			Help: "Age of the oldest message waiting for a robot.",
		}, []string{"robot"}),
		Retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_retries_total",
			Help: "Sends scheduled again after a retryable failure.",
		}, []string{"robot"}),
		DeadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_dead_letters_total",
			Help: "Messages given up on, by robot and reason (permanent, expired, orphaned: its robot was removed for longer than RELAY_RETRY_MAX_AGE).",
		}, []string{"robot", "reason"}),
		ThrottleWaits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_throttle_waits_total",
			Help: "Times a send waited for the robot's rate window.",
		}, []string{"robot"}),
		Digests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_digests_total",
			Help: "Digest messages sent in place of a backlog.",
		}, []string{"robot"}),
		DigestItems: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_digest_items_total",
			Help: "Messages merged into digests.",
		}, []string{"robot"}),
		LeaseHeld: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "relay_lease_held",
			Help: "With a shared store (Redis): 1 while this replica holds the robot's lease and sends for it, else 0.",
		}, []string{"robot"}),
	}
	reg.MustRegister(m.Sends, m.SendDuration, m.QueueDepth, m.OldestAge, m.Retries,
		m.DeadLetters, m.ThrottleWaits, m.Digests, m.DigestItems, m.LeaseHeld)
	return m
}
