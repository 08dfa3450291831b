package server

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the intake's and templates' series (delivery's: queue.Metrics).
// Labels are robot names (never URLs or tokens), events and outcomes.
type Metrics struct {
	Events         *prometheus.CounterVec
	TemplateLoads  *prometheus.CounterVec
	TemplateBroken prometheus.Gauge
	// RenderFallbacks counts messages rendered by defaults as a robot's failed.
	RenderFallbacks *prometheus.CounterVec
	// BodyBytes is the memory bodies being read hold now.
	BodyBytes prometheus.Gauge
	// BodyBudget is RELAY_BODY_BUDGET, BodyBytes' ceiling.
	BodyBudget prometheus.Gauge
	// Connections is the HTTP connections open now (at most maxConns).
	Connections prometheus.Gauge
}

// NewMetrics registers the intake's and the templates' series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_events_received_total",
			Help: "Webhooks received, by source, event and outcome (accepted, duplicate, ping, dry_run, filtered, ignored, or the rejection reason).",
		}, []string{"source", "event", "outcome"}),
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
		BodyBudget: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "relay_intake_body_budget_bytes",
			Help: "RELAY_BODY_BUDGET: the most memory webhook bodies being read may hold at once.",
		}),
		Connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "relay_http_connections",
			Help: "HTTP connections open now (at most 1,024: the longest idle is closed to make room).",
		}),
	}
	reg.MustRegister(m.Connections, m.BodyBytes, m.BodyBudget, m.Events, m.TemplateLoads, m.TemplateBroken, m.RenderFallbacks)
	return m
}
