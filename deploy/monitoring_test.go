package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

// The chart's Grafana dashboard (dashboards/coding-relay.json, shipped in a
// ConfigMap for Grafana's sidecar) and its PrometheusRule.

const dashboardFile = chartDir + "/dashboards/coding-relay.json"

// promqlParser parses as Prometheus does by default.
var promqlParser = parser.NewParser(parser.Options{})

// dashboard is the part of Grafana's dashboard model the tests read.
type dashboard struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []dashboardVar `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

type dashboardVar struct {
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Query      any         `json:"query"`
	Datasource *datasource `json:"datasource"`
	IncludeAll bool        `json:"includeAll"`
	AllValue   string      `json:"allValue"`
	Multi      bool        `json:"multi"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID          int         `json:"id"`
	Type        string      `json:"type"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Datasource  *datasource `json:"datasource"`
	GridPos     struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		Datasource *datasource `json:"datasource"`
		Expr       string      `json:"expr"`
		RefID      string      `json:"refId"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's
}

func loadDashboard(tb testing.TB) (*dashboard, []byte) {
	tb.Helper()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		tb.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		tb.Fatalf("%s: %v", dashboardFile, err)
	}
	return &d, raw
}

// allPanels flattens rows, collapsed or not.
func (d *dashboard) allPanels() []panel {
	var out []panel
	for _, p := range d.Panels {
		out = append(out, p)
		out = append(out, p.Panels...)
	}
	return out
}

// grafanaVars stands in for what Grafana substitutes before a query reaches
// Prometheus; $namespace, $job and $robot sit inside quoted regexes and
// parse as they are.
var grafanaVars = strings.NewReplacer("$__rate_interval", "2m", "$__interval", "1m", "$__range", "6h")

// expressions is every PromQL expression of the dashboard, named by panel,
// with the variables' label_values queries.
func (d *dashboard) expressions(tb testing.TB) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for _, p := range d.allPanels() {
		for _, t := range p.Targets {
			out[fmt.Sprintf("panel %q target %s", p.Title, t.RefID)] = grafanaVars.Replace(t.Expr)
		}
	}
	labelValues := regexp.MustCompile(`^label_values\((.+), *[a-zA-Z_]+\)$`)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(map[string]any)["query"].(string)
		m := labelValues.FindStringSubmatch(q)
		if m == nil {
			tb.Errorf("variable %s: query %q is not label_values(selector, label)", v.Name, q)
			continue
		}
		out["variable "+v.Name] = m[1]
	}
	return out
}

func TestDashboardConfigMap(t *testing.T) {
	_, raw := loadDashboard(t)
	name := fullname + "-dashboard"
	if cm := mustRender(t, valueSet{}).ConfigMaps[name]; cm != nil {
		t.Error("dashboard ConfigMap rendered by default")
	}

	m := mustRender(t, valueSet{set: []string{"dashboard.enabled=true"}})
	cm := m.ConfigMaps[name]
	if cm == nil {
		t.Fatalf("no ConfigMap %s; have %v", name, keys(m.ConfigMaps))
	}
	if cm.Namespace != namespace || cm.Labels["grafana_dashboard"] != "1" || len(cm.Annotations) != 0 {
		t.Errorf("ConfigMap namespace %q labels %v annotations %v, want %s, grafana_dashboard: \"1\", none",
			cm.Namespace, cm.Labels, cm.Annotations, namespace)
	}
	if got := cm.Data["coding-relay.json"]; got != string(raw) {
		t.Errorf("ConfigMap holds %d bytes, not %s as it is (%d bytes)", len(got), dashboardFile, len(raw))
	}
	checkNames(t, m)

	cm = mustRender(t, valueSet{set: []string{"dashboard.enabled=true", "dashboard.label=team_dashboards",
		"dashboard.labelValue=relay", "dashboard.folder=Chat relays", "dashboard.folderAnnotation=k8s-sidecar-target-directory",
		"dashboard.namespace=monitoring", "dashboard.annotations.owner=platform"}}).ConfigMaps[name]
	if cm.Namespace != "monitoring" || cm.Labels["team_dashboards"] != "relay" || cm.Labels["grafana_dashboard"] != "" ||
		cm.Annotations["k8s-sidecar-target-directory"] != "Chat relays" || cm.Annotations["owner"] != "platform" {
		t.Errorf("ConfigMap namespace %q labels %v annotations %v, want the values' label, folder and namespace",
			cm.Namespace, cm.Labels, cm.Annotations)
	}
}

// The dashboard is well formed for Grafana: unique ids, panels on the
// 24-column grid without overlaps, every query on the datasource variable,
// every panel explained, every expression valid PromQL, and every selector
// of a relay metric scoped to the namespace and job variables.
func TestDashboardJSON(t *testing.T) {
	d, _ := loadDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q title %q", d.UID, d.Title)
	}
	vars := map[string]dashboardVar{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	if ds := vars["datasource"]; ds.Type != "datasource" || ds.Query != "prometheus" {
		t.Errorf("datasource variable = %+v, want a Prometheus datasource variable", ds)
	}
	for _, name := range []string{"namespace", "job", "robot"} {
		v := vars[name]
		if v.Type != "query" || !v.IncludeAll || v.AllValue != ".*" || v.Datasource == nil || v.Datasource.UID != "${datasource}" {
			t.Errorf("variable %s = %+v, want a query on ${datasource} with All as .*", name, v)
		}
	}
	if !vars["robot"].Multi {
		t.Error("robot variable does not take several robots")
	}

	ids := map[int]string{}
	titles := map[string]bool{}
	var cells [][24]bool // occupied grid cells by row
	graphs := 0
	for _, p := range d.allPanels() {
		if other, ok := ids[p.ID]; ok || p.ID <= 0 {
			t.Errorf("panel %q: id %d (also %q)", p.Title, p.ID, other)
		}
		ids[p.ID] = p.Title
		g := p.GridPos
		if g.W < 1 || g.H < 1 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v off the 24-column grid", p.Title, g)
			continue
		}
		for len(cells) < g.Y+g.H {
			cells = append(cells, [24]bool{})
		}
		for y := g.Y; y < g.Y+g.H; y++ {
			for x := g.X; x < g.X+g.W; x++ {
				if cells[y][x] {
					t.Errorf("panel %q overlaps another at %d,%d", p.Title, x, y)
				}
				cells[y][x] = true
			}
		}
		if p.Type == "row" {
			continue
		}
		graphs++
		if titles[p.Title] {
			t.Errorf("two panels titled %q", p.Title)
		}
		titles[p.Title] = true
		if q := strings.Index(p.Description, "? "); q < 0 || q > 100 || len(p.Description) < 80 {
			t.Errorf("panel %q: description %q does not say what question it answers", p.Title, p.Description)
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" || len(p.Targets) == 0 {
			t.Errorf("panel %q: datasource %+v, %d targets; want ${datasource}", p.Title, p.Datasource, len(p.Targets))
		}
		for _, tg := range p.Targets {
			if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q target %s: datasource %+v, want ${datasource}", p.Title, tg.RefID, tg.Datasource)
			}
		}
	}
	if graphs < 8 {
		t.Errorf("%d panels, want at least 8", graphs)
	}

	for where, expr := range d.expressions(t) {
		e, err := promqlParser.ParseExpr(expr)
		if err != nil {
			t.Errorf("%s: %v\n%s", where, err, expr)
			continue
		}
		for _, vs := range selectors(e) {
			if !strings.HasPrefix(vs.Name, "relay_") && vs.Name != "up" {
				continue
			}
			for _, want := range []string{`namespace=~"$namespace"`, `job=~"$job"`} {
				if !strings.HasPrefix(where, "variable namespace") && !hasMatcher(vs, want) &&
					!(strings.HasPrefix(where, "variable job") && strings.HasPrefix(want, "job")) {
					t.Errorf("%s: %s lacks %s", where, vs, want)
				}
			}
		}
	}
}

func selectors(e parser.Node) []*parser.VectorSelector {
	var out []*parser.VectorSelector
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}

func hasMatcher(vs *parser.VectorSelector, m string) bool {
	return slices.ContainsFunc(vs.LabelMatchers, func(lm *labels.Matcher) bool { return lm.String() == m })
}

// renderedRules renders the PrometheusRule with the given settings.
func renderedRules(tb testing.TB, set ...string) *monitoringv1.PrometheusRule {
	tb.Helper()
	m := mustRender(tb, valueSet{set: append([]string{"prometheusRule.enabled=true"}, set...)})
	if m.PrometheusRule == nil {
		tb.Fatalf("no PrometheusRule with %v; kinds %v", set, m.kinds)
	}
	return m.PrometheusRule
}

func alertNames(pr *monitoringv1.PrometheusRule) []string {
	var names []string
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			names = append(names, r.Alert)
		}
	}
	return names
}

var (
	bboltAlerts = []string{"CodingRelayDeadLetters", "CodingRelayRobotStuck", "CodingRelayRobotSendsFailing",
		"CodingRelayTemplatesBroken", "CodingRelayRobotTemplateFailing", "CodingRelayDown", "CodingRelayNotScraped",
		"CodingRelayNotReady", "CodingRelayWebhookErrors", "CodingRelayWebhooksUnauthorized"}
	redisSet = []string{"redis.url=redis://valkey:6379/0", "persistence.enabled=false", "replicaCount=2"}
)

// checkRules is what `promtool check rules` checks, with Prometheus's own
// rule file parser: the rule file the PrometheusRule's spec is, every
// expression, duration and label, and the annotations as alert templates.
func checkRules(tb testing.TB, pr *monitoringv1.PrometheusRule) {
	tb.Helper()
	spec, err := yaml.Marshal(pr.Spec)
	if err != nil {
		tb.Fatal(err)
	}
	if _, errs := rulefmt.Parse(spec, false, model.UTF8Validation, promqlParser, slog.New(slog.DiscardHandler)); len(errs) > 0 {
		tb.Errorf("rules do not pass Prometheus's checks: %v\n%s", errs, spec)
	}
}

func TestPrometheusRule(t *testing.T) {
	if m := mustRender(t, valueSet{}); m.PrometheusRule != nil {
		t.Error("PrometheusRule rendered by default")
	}
	docs, err := os.ReadFile("../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	if got := alertNames(renderedRules(t)); !slices.Equal(got, bboltAlerts) {
		t.Errorf("alerts without Redis = %v, want %v", got, bboltAlerts)
	}
	pr := renderedRules(t, append(slices.Clone(redisSet), "prometheusRule.labels.release=kube-prometheus-stack")...)
	if pr.Labels["release"] != "kube-prometheus-stack" || pr.Namespace != "" && pr.Namespace != namespace {
		t.Errorf("PrometheusRule labels %v namespace %q", pr.Labels, pr.Namespace)
	}
	if got := alertNames(pr); !slices.Equal(got, append(slices.Clone(bboltAlerts), "CodingRelayNoLeaseHolder")) {
		t.Errorf("alerts with Redis = %v, want CodingRelayNoLeaseHolder too", got)
	}
	checkRules(t, pr)
	for _, r := range pr.Spec.Groups[0].Rules {
		if r.For == nil || *r.For == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" || len(r.Annotations["description"]) < 150 {
			t.Errorf("%s: for %v, labels %v, annotations %v; want for, severity, a summary and a description saying what to do",
				r.Alert, r.For, r.Labels, r.Annotations)
		}
		anchor := strings.TrimPrefix(r.Annotations["runbook_url"], "https://github.com/coding-relay/coding-relay/blob/main/docs/deploy.md#")
		if anchor != strings.ToLower(r.Alert) || !bytes.Contains(docs, []byte("\n##### "+r.Alert+"\n")) {
			t.Errorf("%s: runbook_url %q, want one to its section in docs/deploy.md (##### %s)", r.Alert, r.Annotations["runbook_url"], r.Alert)
		}
		e, err := promqlParser.ParseExpr(r.Expr.StrVal)
		if err != nil {
			t.Errorf("%s: %v", r.Alert, err)
			continue
		}
		for _, vs := range selectors(e) {
			want := []string{`job="` + fullname + `"`, `namespace="` + namespace + `"`}
			if strings.HasPrefix(vs.Name, "kube_") {
				want = []string{`deployment="` + fullname + `"`, `namespace="` + namespace + `"`}
			}
			for _, w := range want {
				if !hasMatcher(vs, w) {
					t.Errorf("%s: %s lacks %s: it would see other relays", r.Alert, vs, w)
				}
			}
		}
	}

	if got := alertNames(renderedRules(t, "replicaCount=0")); slices.Contains(got, "CodingRelayNotScraped") {
		t.Error("CodingRelayNotScraped with replicaCount 0: it would fire for a relay stopped on purpose")
	}

	// Settings reach the rules. (A fraction needs a values file: --set
	// makes 0.25 a string.)
	ratio := writeValues(t, "prometheusRule:\n  alerts:\n    sendsFailing:\n      failureRatio: 0.25\n")
	m := mustRender(t, valueSet{files: []string{ratio}, set: append(slices.Clone(redisSet), "prometheusRule.enabled=true",
		`prometheusRule.selector=job="kubernetes-pods"\, app_kubernetes_io_instance="relay"`,
		"prometheusRule.alertLabels.team=platform", "prometheusRule.runbookUrl=",
		"prometheusRule.alerts.robotStuck.oldestAgeSeconds=600", "prometheusRule.alerts.deadLetters.severity=critical",
		"prometheusRule.alerts.sendsFailing.window=15m",
		"prometheusRule.alerts.unauthorized.threshold=50", "prometheusRule.alerts.notReady.enabled=false",
		"prometheusRule.alerts.down.for=15m")})
	pr = m.PrometheusRule
	checkRules(t, pr)
	rules := map[string]monitoringv1.Rule{}
	for _, r := range pr.Spec.Groups[0].Rules {
		rules[r.Alert] = r
		if r.Labels["team"] != "platform" || r.Annotations["runbook_url"] != "" {
			t.Errorf("%s: labels %v, runbook_url %q; want team: platform and no runbook", r.Alert, r.Labels, r.Annotations["runbook_url"])
		}
		if e := r.Expr.StrVal; strings.HasPrefix(e, "relay_") && !strings.Contains(e, `job="kubernetes-pods", app_kubernetes_io_instance="relay"`) {
			t.Errorf("%s does not use prometheusRule.selector: %s", r.Alert, e)
		}
	}
	for alert, want := range map[string]string{
		"CodingRelayRobotStuck":           "> 600",
		"CodingRelayRobotSendsFailing":    "[15m]",
		"CodingRelayWebhooksUnauthorized": "> 50",
	} {
		if !strings.Contains(rules[alert].Expr.StrVal, want) {
			t.Errorf("%s: expr %s lacks %q", alert, rules[alert].Expr.StrVal, want)
		}
	}
	if !strings.Contains(rules["CodingRelayRobotSendsFailing"].Expr.StrVal, "> 0.25") {
		t.Errorf("failureRatio not in %s", rules["CodingRelayRobotSendsFailing"].Expr.StrVal)
	}
	if rules["CodingRelayDeadLetters"].Labels["severity"] != "critical" || *rules["CodingRelayDown"].For != "15m" {
		t.Errorf("severity %q, for %q", rules["CodingRelayDeadLetters"].Labels["severity"], *rules["CodingRelayDown"].For)
	}
	if _, ok := rules["CodingRelayNotReady"]; ok {
		t.Error("CodingRelayNotReady rendered with alerts.notReady.enabled false")
	}
}

func TestMonitoringSchemaRejects(t *testing.T) {
	for _, tt := range []struct{ set, want string }{
		{"prometheusRule.alerts.down.for=5 minutes", "for"},
		{"prometheusRule.alerts.down.severity=very bad", "severity"},
		{"prometheusRule.alerts.sendsFailing.failureRatio=2", "failureRatio"},
		{"prometheusRule.alerts.robotStuck.oldestAgeSeconds=0", "oldestAgeSeconds"},
		{"prometheusRule.alerts.deadLetters.window=1x", "window"},
		{"prometheusRule.alerts.stuck.for=5m", "stuck"},
		{"prometheusRule.selector={job=\"x\"}", "selector"},
		{"dashboard.namespace=Monitoring", "namespace"},
		{"dashboard.labels.x=y", "labels"},
	} {
		_, err := render(t, valueSet{set: []string{tt.set}})
		if err == nil || !strings.Contains(err.Error(), "schema") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("--set %s: error %v, want a schema error naming %s", tt.set, err, tt.want)
		}
	}
}
