package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/promqltest"
)

// Each alert's expression, evaluated by Prometheus's own engine over series
// loaded a minute apart, fires for the trouble it is about and stays quiet
// for a healthy neighbour. {sel} is the selector the chart renders.
func TestAlertsFire(t *testing.T) {
	exprs := map[string]string{}
	for _, r := range renderedRules(t, redisSet...).Spec.Groups[0].Rules {
		exprs[r.Alert] = strings.ReplaceAll(r.Expr.StrVal, "\n", " ")
	}
	const sel = `job="relay-coding-relay", namespace="chat"`
	tests := []struct {
		alert, load string
		at          string // the eval time
		want        string // the alerts, one a line; empty: none
	}{
		// A robot's first dead letter is a new series: it counts, and
		// stops counting after the window; old dead letters do not.
		{"CodingRelayDeadLetters", `
			relay_dead_letters_total{{sel}, robot="a", reason="permanent"} _x10 1x30
			relay_dead_letters_total{{sel}, robot="b", reason="expired"} 3x40`,
			"15m", `{namespace="chat", robot="a", reason="permanent"} 1`},
		{"CodingRelayDeadLetters", `
			relay_dead_letters_total{{sel}, robot="a", reason="permanent"} _x10 1x30
			relay_dead_letters_total{{sel}, robot="b", reason="expired"} 3x40`,
			"35m", ""},
		{"CodingRelayDeadLetters", `
			relay_dead_letters_total{{sel}, robot="b", reason="expired"} 3x20 5x20`,
			"30m", `{namespace="chat", robot="b", reason="expired"} 2.142857142857143`}, // extrapolated over 15m
		// Oldest age grows a minute a minute for a; b keeps up. Two
		// replicas report a (Redis): max, not sum.
		{"CodingRelayRobotStuck", `
			relay_queue_oldest_age_seconds{{sel}, pod="p1", robot="a"} 0+60x40
			relay_queue_oldest_age_seconds{{sel}, pod="p2", robot="a"} 0x40
			relay_queue_oldest_age_seconds{{sel}, pod="p1", robot="b"} 5x40`,
			"35m", `{namespace="chat", robot="a"} 2100`},
		// a: every send retried; b: one retry in eleven.
		{"CodingRelayRobotSendsFailing", `
			relay_sends_total{{sel}, robot="a", kind="dingtalk", result="ok", errcode="0"} 0x30
			relay_sends_total{{sel}, robot="a", kind="dingtalk", result="retry", errcode="-1"} 0+1x30
			relay_sends_total{{sel}, robot="b", kind="wecom", result="ok", errcode="0"} 0+10x30
			relay_sends_total{{sel}, robot="b", kind="wecom", result="retry", errcode="45009"} 0+1x30`,
			"20m", `{namespace="chat", robot="a"} 1`},
		{"CodingRelayTemplatesBroken", `
			relay_templates_broken{{sel}, instance="10.0.0.1:8080"} 1x10
			relay_templates_broken{{sel}, instance="10.0.0.2:8080"} 0x10`,
			"5m", `relay_templates_broken{{sel}, instance="10.0.0.1:8080"} 1`},
		{"CodingRelayRobotTemplateFailing", `
			relay_render_fallbacks_total{{sel}, robot="a"} _x20 2x20
			relay_render_fallbacks_total{{sel}, robot="b"} 7x40`,
			"30m", `{namespace="chat", robot="a"} 2`},
		{"CodingRelayDown", `
			up{{sel}, instance="10.0.0.1:8080"} 0x10
			up{{sel}, instance="10.0.0.2:8080"} 1x10`,
			"5m", `up{{sel}, instance="10.0.0.1:8080"} 0`},
		// Only another job is scraped.
		{"CodingRelayNotScraped", `
			up{job="other", namespace="chat", instance="10.0.0.3:80"} 1x10`,
			"5m", `{{sel}} 1`},
		{"CodingRelayNotScraped", `
			up{{sel}, instance="10.0.0.1:8080"} 0x10`,
			"5m", ""},
		{"CodingRelayNotReady", `
			kube_deployment_status_replicas_available{namespace="chat", deployment="relay-coding-relay", job="kube-state-metrics"} 1x10
			kube_deployment_spec_replicas{namespace="chat", deployment="relay-coding-relay", job="kube-state-metrics"} 2x10
			kube_deployment_status_replicas_available{namespace="chat", deployment="other", job="kube-state-metrics"} 0x10
			kube_deployment_spec_replicas{namespace="chat", deployment="other", job="kube-state-metrics"} 2x10`,
			"5m", `{namespace="chat", deployment="relay-coding-relay"} 1`},
		{"CodingRelayNotReady", `
			kube_deployment_status_replicas_available{namespace="chat", deployment="relay-coding-relay", job="kube-state-metrics"} 2x10
			kube_deployment_spec_replicas{namespace="chat", deployment="relay-coding-relay", job="kube-state-metrics"} 2x10`,
			"5m", ""},
		// Redis went away at 5m; the accepted ones and the 401s are not
		// server errors.
		{"CodingRelayWebhookErrors", `
			relay_events_received_total{{sel}, source="coding", event="push", outcome="store_unavailable"} _x5 1+1x20
			relay_events_received_total{{sel}, source="coding", event="push", outcome="accepted"} 0+1x30
			relay_events_received_total{{sel}, source="coding", event="push", outcome="rejected_401"} 0+1x30`,
			"10m", `{namespace="chat", source="coding", outcome="store_unavailable"} 6`},
		// Two 401s a minute: 20 in ten minutes, above 10.
		{"CodingRelayWebhooksUnauthorized", `
			relay_events_received_total{{sel}, source="coding", event="push", outcome="rejected_401"} 0+2x30
			relay_events_received_total{{sel}, source="coding", event="push", outcome="accepted"} 0+5x30`,
			"20m", `{namespace="chat", source="coding"} 20`},
		{"CodingRelayWebhooksUnauthorized", `
			relay_events_received_total{{sel}, source="coding", event="push", outcome="rejected_401"} 0+0.5x30`,
			"20m", ""},
		// Nobody holds a; p1 holds b.
		{"CodingRelayNoLeaseHolder", `
			relay_lease_held{{sel}, pod="p1", robot="a"} 0x10
			relay_lease_held{{sel}, pod="p2", robot="a"} 0x10
			relay_lease_held{{sel}, pod="p1", robot="b"} 1x10
			relay_lease_held{{sel}, pod="p2", robot="b"} 0x10`,
			"5m", `{namespace="chat", robot="a"} 0`},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.alert+"@"+tt.at, func(t *testing.T) {
			expr, ok := exprs[tt.alert]
			if !ok {
				t.Fatalf("no alert %s", tt.alert)
			}
			tested[tt.alert] = true
			script := "load 1m" + strings.ReplaceAll(tt.load, "{sel}", sel) + "\n\n"
			if tt.want == "" {
				script += "eval instant at " + tt.at + " " + expr + "\n"
			} else {
				script += "eval instant at " + tt.at + " " + expr + "\n  " + strings.ReplaceAll(tt.want, "{sel}", sel) + "\n"
			}
			promqltest.RunTest(t, script, promql.NewEngine(promql.EngineOpts{MaxSamples: 100000, Timeout: 10 * time.Second, EnableAtModifier: true}))
		})
	}
	for alert := range exprs {
		if !tested[alert] {
			t.Errorf("%s has no case here", alert)
		}
	}
}
