package server

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the relay's Prometheus series. Labels carry robot names
// (chosen by the operator, never URLs or tokens), event names and outcomes.
type Metrics struct {
	Events         *prometheus.CounterVec
	Sends          *prometheus.CounterVec
	SendDuration   *prometheus.HistogramVec
	QueueDepth     *prometheus.GaugeVec
	OldestAge      *prometheus.GaugeVec
	Retries        *prometheus.CounterVec
	DeadLetters    *prometheus.CounterVec
	ThrottleWaits  *prometheus.CounterVec
	Digests        *prometheus.CounterVec
	DigestItems    *prometheus.CounterVec
	TemplateLoads  *prometheus.CounterVec
	TemplateBroken prometheus.Gauge
	// RenderFallbacks counts messages a robot got from the default
	// templates because its own failed on the event.
	RenderFallbacks *prometheus.CounterVec
	// BodyBytes is the memory webhook bodies being read hold now, of
	// RELAY_BODY_BUDGET.
	BodyBytes prometheus.Gauge
}

// NewMetrics registers the relay's series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_events_received_total",
			Help: "Webhooks received, by event and outcome (accepted, duplicate, ping, dry_run, filtered, or the rejection reason).",
		}, []string{"event", "outcome"}),
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
		TemplateLoads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_template_loads_total",
			Help: "Template (re)loads by result (ok, error).",
		}, []string{"result"}),
		TemplateBroken: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "relay_templates_broken",
			Help: "1 while the last template reload failed and the previous set is still in use.",
		}),
		RenderFallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_render_fallbacks_total",
			Help: "Messages rendered with the default templates because the robot's own templates failed on the event.",
		}, []string{"robot"}),
		BodyBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "relay_intake_body_bytes",
			Help: "Memory held by webhook bodies being read now (bounded by RELAY_BODY_BUDGET).",
		}),
	}
	reg.MustRegister(m.BodyBytes, m.Events, m.Sends, m.SendDuration, m.QueueDepth, m.OldestAge, m.Retries,
		m.DeadLetters, m.ThrottleWaits, m.Digests, m.DigestItems, m.TemplateLoads, m.TemplateBroken, m.RenderFallbacks)
	return m
}
