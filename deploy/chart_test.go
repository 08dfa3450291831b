// Package deploy tests what ships the relay: the Helm chart in
// ../helm/coding-relay, the Dockerfile and the static build. It is a module
// of its own so the relay's go.mod never gains Helm's and Kubernetes'
// dependencies.
package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/strvals"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

const (
	chartDir      = "../helm/coding-relay"
	fullValues    = chartDir + "/ci/full-values.yaml"
	minimalValues = chartDir + "/ci/minimal-values.yaml"
	releaseName   = "relay"
	namespace     = "chat"
	// kubeVersion is the cluster version the chart is rendered for. Helm
	// built without release ldflags (go run, tests) assumes v1.20, below the
	// chart's kubeVersion constraint.
	kubeVersion = "v1.31.0"
	// fullname is what coding-relay.fullname makes of releaseName.
	fullname = "relay-coding-relay"
)

// manifests is one render of the chart, decoded into typed objects.
type manifests struct {
	release *release.Release

	Deployment      *appsv1.Deployment
	Service         *corev1.Service
	ServiceAccount  *corev1.ServiceAccount
	Secret          *corev1.Secret            // the chart's own (robots, tokens)
	Secrets         map[string]*corev1.Secret // every Secret by name
	ConfigMaps      map[string]*corev1.ConfigMap
	PVC             *corev1.PersistentVolumeClaim
	Ingress         *networkingv1.Ingress
	PDB             *policyv1.PodDisruptionBudget
	ServiceMonitor  *monitoringv1.ServiceMonitor
	PrometheusRule  *monitoringv1.PrometheusRule
	TestPod         *corev1.Pod // the `helm test` hook
	kinds           []string
	renderedSources []string
}

// valueSet is how a test picks values: files as with -f, then settings as
// with --set, then as with --set-string.
type valueSet struct {
	files     []string
	set       []string
	setString []string
}

// loadValues merges value files and --set style overrides the way the helm
// CLI does.
func loadValues(tb testing.TB, vs valueSet) map[string]any {
	tb.Helper()
	vals := map[string]any{}
	for _, f := range vs.files {
		v, err := chartutil.ReadValuesFile(f)
		if err != nil {
			tb.Fatalf("read %s: %v", f, err)
		}
		vals = chartutil.CoalesceTables(v.AsMap(), vals)
	}
	for _, s := range vs.set {
		if err := strvals.ParseInto(s, vals); err != nil {
			tb.Fatalf("--set %s: %v", s, err)
		}
	}
	for _, s := range vs.setString {
		if err := strvals.ParseIntoString(s, vals); err != nil {
			tb.Fatalf("--set-string %s: %v", s, err)
		}
	}
	return vals
}

// render runs what `helm template` runs: a client-only dry-run install.
func render(tb testing.TB, vs valueSet) (*release.Release, error) {
	tb.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		tb.Fatalf("load chart: %v", err)
	}
	kv, err := chartutil.ParseKubeVersion(kubeVersion)
	if err != nil {
		tb.Fatal(err)
	}
	install := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	install.DryRun = true
	install.ClientOnly = true
	install.Replace = true
	install.ReleaseName = releaseName
	install.Namespace = namespace
	install.KubeVersion = kv
	return install.Run(chrt, loadValues(tb, vs))
}

// mustRender renders and decodes, failing the test on any error.
func mustRender(tb testing.TB, vs valueSet) *manifests {
	tb.Helper()
	rel, err := render(tb, vs)
	if err != nil {
		tb.Fatalf("render: %v", err)
	}
	m := decodeAll(tb, rel.Manifest)
	m.release = rel
	for _, h := range rel.Hooks {
		if h.Kind != "Pod" || len(h.Events) != 1 || h.Events[0] != release.HookTest {
			tb.Fatalf("unexpected hook %s %s for %v", h.Kind, h.Name, h.Events)
		}
		m.TestPod = &corev1.Pod{}
		if err := yaml.UnmarshalStrict([]byte(h.Manifest), m.TestPod); err != nil {
			tb.Fatalf("%s: strict decode of the test Pod: %v\n%s", h.Path, err, h.Manifest)
		}
	}
	return m
}

// decodeAll decodes every document strictly into its typed object: an
// unknown field, a duplicate field or a wrong type fails, as would a kind
// the chart is not expected to produce.
func decodeAll(tb testing.TB, manifest string) *manifests {
	tb.Helper()
	m := &manifests{ConfigMaps: map[string]*corev1.ConfigMap{}, Secrets: map[string]*corev1.Secret{}}
	for _, doc := range splitYAML(manifest) {
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc.body), &tm); err != nil {
			tb.Fatalf("%s: %v", doc.source, err)
		}
		var obj any
		switch tm.APIVersion + "/" + tm.Kind {
		case "apps/v1/Deployment":
			m.Deployment = &appsv1.Deployment{}
			obj = m.Deployment
		case "v1/Service":
			m.Service = &corev1.Service{}
			obj = m.Service
		case "v1/ServiceAccount":
			m.ServiceAccount = &corev1.ServiceAccount{}
			obj = m.ServiceAccount
		case "v1/Secret":
			obj = &corev1.Secret{}
		case "v1/ConfigMap":
			obj = &corev1.ConfigMap{}
		case "v1/PersistentVolumeClaim":
			m.PVC = &corev1.PersistentVolumeClaim{}
			obj = m.PVC
		case "networking.k8s.io/v1/Ingress":
			m.Ingress = &networkingv1.Ingress{}
			obj = m.Ingress
		case "policy/v1/PodDisruptionBudget":
			m.PDB = &policyv1.PodDisruptionBudget{}
			obj = m.PDB
		case "monitoring.coreos.com/v1/ServiceMonitor":
			m.ServiceMonitor = &monitoringv1.ServiceMonitor{}
			obj = m.ServiceMonitor
		case "monitoring.coreos.com/v1/PrometheusRule":
			m.PrometheusRule = &monitoringv1.PrometheusRule{}
			obj = m.PrometheusRule
		default:
			tb.Fatalf("%s: unexpected %s %s", doc.source, tm.APIVersion, tm.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc.body), obj); err != nil {
			tb.Fatalf("%s: strict decode of %s: %v\n%s", doc.source, tm.Kind, err, doc.body)
		}
		if cm, ok := obj.(*corev1.ConfigMap); ok {
			m.ConfigMaps[cm.Name] = cm
		}
		if sec, ok := obj.(*corev1.Secret); ok {
			m.Secrets[sec.Name] = sec
			if sec.Name == fullname {
				m.Secret = sec
			}
		}
		m.kinds = append(m.kinds, tm.Kind)
		m.renderedSources = append(m.renderedSources, doc.source)
	}
	return m
}

type yamlDoc struct{ source, body string }

// splitYAML cuts a rendered manifest into its documents, keeping the
// "# Source:" comment Helm puts on each for error messages.
func splitYAML(manifest string) []yamlDoc {
	var docs []yamlDoc
	for _, part := range regexp.MustCompile(`(?m)^---\s*$`).Split(manifest, -1) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		source := "manifest"
		if m := regexp.MustCompile(`(?m)^# Source: (.*)$`).FindStringSubmatch(part); m != nil {
			source = m[1]
		}
		docs = append(docs, yamlDoc{source: source, body: part})
	}
	return docs
}

func (m *manifests) container(tb testing.TB) *corev1.Container {
	tb.Helper()
	if m.Deployment == nil {
		tb.Fatal("no Deployment rendered")
	}
	cs := m.Deployment.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		tb.Fatalf("Deployment has %d containers, want 1", len(cs))
	}
	return &cs[0]
}

func (m *manifests) env(tb testing.TB, name string) *corev1.EnvVar {
	tb.Helper()
	for i, e := range m.container(tb).Env {
		if e.Name == name {
			return &m.container(tb).Env[i]
		}
	}
	return nil
}

func (m *manifests) volume(tb testing.TB, name string) *corev1.Volume {
	tb.Helper()
	for i, v := range m.Deployment.Spec.Template.Spec.Volumes {
		if v.Name == name {
			return &m.Deployment.Spec.Template.Spec.Volumes[i]
		}
	}
	return nil
}

func (m *manifests) mount(tb testing.TB, name string) *corev1.VolumeMount {
	tb.Helper()
	for i, vm := range m.container(tb).VolumeMounts {
		if vm.Name == name {
			return &m.container(tb).VolumeMounts[i]
		}
	}
	return nil
}

// secretEnv asserts that the variable is read from key of the named Secret
// and returns the reference.
func (m *manifests) secretEnv(tb testing.TB, name, secret, key string) *corev1.SecretKeySelector {
	tb.Helper()
	e := m.env(tb, name)
	if e == nil {
		tb.Fatalf("env %s missing", name)
	}
	if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
		tb.Fatalf("env %s = %+v, want it from a secretKeyRef", name, e)
	}
	ref := e.ValueFrom.SecretKeyRef
	if ref.Name != secret || ref.Key != key {
		tb.Errorf("env %s from secret %s key %s, want secret %s key %s", name, ref.Name, ref.Key, secret, key)
	}
	return ref
}

func TestDefaultValues(t *testing.T) {
	m := mustRender(t, valueSet{})

	want := map[string]bool{"Deployment": true, "Service": true, "ServiceAccount": true, "Secret": true, "ConfigMap": true, "PersistentVolumeClaim": true}
	for _, k := range m.kinds {
		if !want[k] {
			t.Errorf("default values render a %s; optional parts must be off by default", k)
		}
		delete(want, k)
	}
	for k := range want {
		t.Errorf("default values render no %s", k)
	}
	if m.Ingress != nil || m.ServiceMonitor != nil || m.PDB != nil {
		t.Error("Ingress, ServiceMonitor and PodDisruptionBudget must be off by default")
	}

	checkWorkload(t, m)
	checkNames(t, m)

	d := m.Deployment
	if got := *d.Spec.Template.Spec.TerminationGracePeriodSeconds; got != 30 {
		t.Errorf("terminationGracePeriodSeconds = %d, want 30", got)
	}
	// Data on the claim the chart creates.
	if m.PVC == nil || m.PVC.Name != fullname+"-data" {
		t.Fatalf("PVC = %+v, want %s-data", m.PVC, fullname)
	}
	if v := m.volume(t, "data"); v == nil || v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != m.PVC.Name {
		t.Errorf("data volume = %+v, want the PVC %s", v, m.PVC.Name)
	}
	if got := m.PVC.Spec.Resources.Requests.Storage().String(); got != "1Gi" {
		t.Errorf("PVC size = %s, want 1Gi", got)
	}

	// No robots: RELAY_ROBOTS present but empty (dry-run), no tokens.
	m.secretEnv(t, "RELAY_ROBOTS", fullname, "RELAY_ROBOTS")
	if got, ok := m.Secret.Data["RELAY_ROBOTS"]; !ok || len(got) != 0 {
		t.Errorf("Secret RELAY_ROBOTS = %q (present %v), want present and empty", got, ok)
	}
	for _, name := range []string{"RELAY_CODING_TOKEN", "RELAY_GITLAB_TOKEN", "RELAY_GITLAB_SIGNING_KEY", "RELAY_ADMIN_TOKEN", "RELAY_MENTIONS", "RELAY_GITHUB_SECRET"} {
		if m.env(t, name) != nil {
			t.Errorf("env %s set although its value is empty", name)
		}
		if _, ok := m.Secret.Data[name]; ok {
			t.Errorf("Secret has %s although its value is empty", name)
		}
	}

	cfg := m.ConfigMaps[fullname+"-config"]
	if cfg == nil {
		t.Fatalf("no ConfigMap %s-config; have %v", fullname, keys(m.ConfigMaps))
	}
	wantCfg := map[string]string{
		"RELAY_ADDR":             ":8080",
		"RELAY_DATA_DIR":         "/data",
		"RELAY_SEND_TIMEOUT":     "5s",
		"RELAY_MAX_BODY":         "1MiB",
		"RELAY_BODY_BUDGET":      "16MiB",
		"RELAY_TIMEZONE":         "Asia/Shanghai",
		"RELAY_LOG_LEVEL":        "info",
		"RELAY_LOG_FORMAT":       "json",
		"RELAY_RETRY_MAX_AGE":    "12h",
		"RELAY_RETRY_MAX_WAIT":   "1m",
		"RELAY_DEDUP_MAX":        "1000000",
		"RELAY_HISTORY_MAX":      "1000",
		"RELAY_HISTORY_MAX_AGE":  "168h",
		"RELAY_SHUTDOWN_TIMEOUT": "15s",
		"RELAY_LANGUAGE":         "zh",
	}
	if fmt.Sprint(cfg.Data) != fmt.Sprint(wantCfg) {
		t.Errorf("config ConfigMap = %v\nwant %v", cfg.Data, wantCfg)
	}
	// RELAY_RATE_LIMIT unset: each robot kind paces by its own limit (a
	// value here would apply one rate to DingTalk, WeCom and Feishu alike).
	if v, ok := cfg.Data["RELAY_RATE_LIMIT"]; ok {
		t.Errorf("RELAY_RATE_LIMIT = %q by default; want it unset so that each kind's own limit applies", v)
	}
	if len(m.ConfigMaps) != 1 {
		t.Errorf("ConfigMaps %v, want only the config one without templates", keys(m.ConfigMaps))
	}
	if m.mount(t, "templates") != nil || m.volume(t, "templates") != nil {
		t.Error("templates mounted although none are configured")
	}

	notes := m.release.Info.Notes
	for _, want := range []string{
		"ClusterIP only",
		"curl -X POST -H 'X-Coding-Event: ping' -H 'Content-Type: application/json'",
		"http://127.0.0.1:8080/webhook",
		"/webhook/github",
		"dry-run mode",
		"codingToken is empty",
		"Set gitlabToken",
		"Set githubSecret",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("NOTES lack %q:\n%s", want, notes)
		}
	}
}

func TestFullValues(t *testing.T) {
	m := mustRender(t, valueSet{files: []string{fullValues}})
	checkWorkload(t, m)
	checkNames(t, m)
	c := m.container(t)

	// RELAY_ROBOTS: one URL per line, relay settings appended and encoded.
	m.secretEnv(t, "RELAY_ROBOTS", fullname, "RELAY_ROBOTS")
	wantRobots := strings.Join([]string{
		"https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef&secret=SEC0123456789abcdef%2B%2F%3D&keywords=CODING%2C%E9%80%9A%E7%9F%A5&name=backend-dingtalk&events=push%2Cmerge_request%2Cci&branches=main%2Crelease%2F%2A&projects=backend-%2A",
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-0000-0000-0000-000000000000&name=ops-wecom&events=ci%2Cartifact&actions=failed&template=brief&rate=10%2F1m&format=markdown_v2",
		"dingtalk+http://robot-proxy.internal:9400/robot/send?access_token=abc&name=proxy-dingtalk&rate=0&inflight=4",
		"https://open.feishu.cn/open-apis/bot/v2/hook/00000000-0000-0000-0000-00000000feed?secret=feishu-signing-secret&keywords=CODING&name=release-feishu&events=ci%2Cmerge_request&rate=100%2F1m%2C5%2F1s",
	}, "\n")
	gotRobots := string(m.Secret.Data["RELAY_ROBOTS"])
	if gotRobots != wantRobots {
		t.Errorf("RELAY_ROBOTS =\n%s\nwant\n%s", gotRobots, wantRobots)
	}
	// What the relay decodes is what the values said.
	first, err := url.Parse(strings.Split(gotRobots, "\n")[0])
	if err != nil {
		t.Fatal(err)
	}
	q := first.Query()
	for key, want := range map[string]string{
		"access_token": "0123456789abcdef",
		"secret":       "SEC0123456789abcdef+/=",
		"name":         "backend-dingtalk",
		"events":       "push,merge_request,ci",
		"branches":     "main,release/*",
		"projects":     "backend-*",
	} {
		if got := q.Get(key); got != want {
			t.Errorf("first robot %s = %q, want %q", key, got, want)
		}
	}

	m.secretEnv(t, "RELAY_CODING_TOKEN", fullname, "RELAY_CODING_TOKEN")
	m.secretEnv(t, "RELAY_GITLAB_TOKEN", fullname, "RELAY_GITLAB_TOKEN")
	m.secretEnv(t, "RELAY_GITLAB_SIGNING_KEY", fullname, "RELAY_GITLAB_SIGNING_KEY")
	m.secretEnv(t, "RELAY_ADMIN_TOKEN", fullname, "RELAY_ADMIN_TOKEN")
	m.secretEnv(t, "RELAY_MENTIONS", fullname, "RELAY_MENTIONS")
	for key, want := range map[string]string{
		"RELAY_CODING_TOKEN":       "coding-webhook-token",
		"RELAY_GITLAB_TOKEN":       "gitlab-secret-token",
		"RELAY_GITLAB_SIGNING_KEY": "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
	} {
		if got := string(m.Secret.Data[key]); got != want {
			t.Errorf("Secret %s = %q, want %q", key, got, want)
		}
	}
	m.secretEnv(t, "RELAY_GITHUB_SECRET", fullname, "RELAY_GITHUB_SECRET")
	if got := string(m.Secret.Data["RELAY_GITHUB_SECRET"]); got != "github-webhook-secret" {
		t.Errorf("Secret RELAY_GITHUB_SECRET = %q", got)
	}
	if got := string(m.Secret.Data["RELAY_ADMIN_TOKEN"]); got != "admin-token" {
		t.Errorf("Secret RELAY_ADMIN_TOKEN = %q", got)
	}
	var mentions map[string]map[string]string
	if err := json.Unmarshal(m.Secret.Data["RELAY_MENTIONS"], &mentions); err != nil {
		t.Fatalf("RELAY_MENTIONS is not JSON: %v", err)
	}
	if got := mentions["zhangsan"]["dingtalk_mobile"]; got != "13800000000" {
		t.Errorf("RELAY_MENTIONS zhangsan.dingtalk_mobile = %q", got)
	}
	if got := mentions["zhangsan"]["wecom_userid"]; got != "ZhangSan" {
		t.Errorf("RELAY_MENTIONS zhangsan.wecom_userid = %q", got)
	}
	if got := mentions["zhangsan"]["feishu_open_id"]; got != "ou_0123456789abcdef" {
		t.Errorf("RELAY_MENTIONS zhangsan.feishu_open_id = %q", got)
	}
	// The relay rejects any other key at start-up (RELAY_MENTIONS is decoded
	// strictly into translate.Mention).
	known := []string{"dingtalk_mobile", "dingtalk_userid", "wecom_userid", "feishu_open_id", "feishu_user_id"}
	for who, ids := range mentions {
		for k := range ids {
			if !slices.Contains(known, k) {
				t.Errorf("RELAY_MENTIONS %s.%s: the relay knows only %v", who, k, known)
			}
		}
	}
	// No secret leaks into plain configuration.
	for name, cm := range m.ConfigMaps {
		for k, v := range cm.Data {
			for _, secret := range []string{"0123456789abcdef", "00000000feed", "feishu-signing-secret", "coding-webhook-token", "admin-token", "13800000000"} {
				if strings.Contains(v, secret) {
					t.Errorf("ConfigMap %s key %s contains secret %q", name, k, secret)
				}
			}
		}
	}
	for _, e := range c.Env {
		if strings.HasPrefix(e.Name, "RELAY_") && e.Value != "" {
			t.Errorf("env %s has a literal value; RELAY_* settings come from the ConfigMap or Secret", e.Name)
		}
	}

	// Port and plain settings.
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 9000 || c.Ports[0].Name != "http" {
		t.Errorf("ports = %+v, want http 9000", c.Ports)
	}
	cfg := m.ConfigMaps[fullname+"-config"]
	for k, want := range map[string]string{
		"RELAY_ADDR":             ":9000",
		"RELAY_LOG_FORMAT":       "console",
		"RELAY_LANGUAGE":         "en",
		"RELAY_SHUTDOWN_TIMEOUT": "20s",
		"RELAY_TEMPLATES_DIR":    "/etc/coding-relay/templates",
	} {
		if got := cfg.Data[k]; got != want {
			t.Errorf("config %s = %q, want %q", k, got, want)
		}
	}
	if got := *m.Deployment.Spec.Template.Spec.TerminationGracePeriodSeconds; got != 40 {
		t.Errorf("terminationGracePeriodSeconds = %d, want 40", got)
	}
	if e := m.env(t, "HTTPS_PROXY"); e == nil || e.Value != "http://egress-proxy.internal:3128" {
		t.Errorf("extraEnv HTTPS_PROXY = %+v", e)
	}

	// Templates: a ConfigMap mounted as a whole directory so the kubelet's
	// symlink swap reaches the relay.
	tcm := m.ConfigMaps[fullname+"-templates"]
	if tcm == nil {
		t.Fatalf("no templates ConfigMap; have %v", keys(m.ConfigMaps))
	}
	if !strings.Contains(tcm.Data["push.tmpl"], `{{define "push.title"}}`) || !strings.Contains(tcm.Data["brief.tmpl"], "构建") {
		t.Errorf("templates ConfigMap = %v", tcm.Data)
	}
	v := m.volume(t, "templates")
	if v == nil || v.ConfigMap == nil || v.ConfigMap.Name != tcm.Name || len(v.ConfigMap.Items) != 0 {
		t.Errorf("templates volume = %+v, want the whole ConfigMap %s", v, tcm.Name)
	}
	vm := m.mount(t, "templates")
	if vm == nil || vm.MountPath != cfg.Data["RELAY_TEMPLATES_DIR"] || vm.SubPath != "" || vm.SubPathExpr != "" || !vm.ReadOnly {
		t.Errorf("templates mount = %+v, want a read-only directory at RELAY_TEMPLATES_DIR without subPath", vm)
	}

	// Persistence with a storage class.
	if m.PVC == nil || m.PVC.Spec.StorageClassName == nil || *m.PVC.Spec.StorageClassName != "fast-ssd" {
		t.Errorf("PVC = %+v, want storageClassName fast-ssd", m.PVC)
	}

	// Ingress: only /webhook, to the Service's http port, with TLS.
	if m.Ingress == nil {
		t.Fatal("no Ingress")
	}
	rules := m.Ingress.Spec.Rules
	if len(rules) != 1 || rules[0].Host != "coding-relay.example.com" || len(rules[0].HTTP.Paths) != 1 {
		t.Fatalf("Ingress rules = %+v", rules)
	}
	p := rules[0].HTTP.Paths[0]
	if p.Path != "/webhook" || *p.PathType != networkingv1.PathTypeExact || p.Backend.Service.Name != m.Service.Name || p.Backend.Service.Port.Name != "http" {
		t.Errorf("Ingress path = %+v", p)
	}
	if len(m.Ingress.Spec.TLS) != 1 || m.Ingress.Spec.TLS[0].SecretName != "coding-relay-tls" {
		t.Errorf("Ingress TLS = %+v", m.Ingress.Spec.TLS)
	}

	// ServiceMonitor scrapes the Service's http port.
	if m.ServiceMonitor == nil {
		t.Fatal("no ServiceMonitor")
	}
	sm := m.ServiceMonitor
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != "http" || sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor endpoints = %+v", sm.Spec.Endpoints)
	}
	if !selects(sm.Spec.Selector.MatchLabels, m.Service.Labels) {
		t.Errorf("ServiceMonitor selector %v does not select the Service labels %v", sm.Spec.Selector.MatchLabels, m.Service.Labels)
	}
	if sm.Labels["release"] != "prometheus" {
		t.Errorf("ServiceMonitor labels = %v, want release: prometheus", sm.Labels)
	}

	// PDB selects the pod.
	if m.PDB == nil {
		t.Fatal("no PodDisruptionBudget")
	}
	if m.PDB.Spec.MinAvailable == nil || m.PDB.Spec.MinAvailable.IntValue() != 1 || m.PDB.Spec.MaxUnavailable != nil {
		t.Errorf("PDB = %+v, want minAvailable 1", m.PDB.Spec)
	}
	if !selects(m.PDB.Spec.Selector.MatchLabels, m.Deployment.Spec.Template.Labels) {
		t.Errorf("PDB selector %v does not select the pod", m.PDB.Spec.Selector.MatchLabels)
	}

	notes := m.release.Info.Notes
	for _, want := range []string{
		"https://coding-relay.example.com/webhook",
		`-H "X-Coding-Signature: sha1=$SIG" -d "$BODY" https://coding-relay.example.com/webhook`,
		"openssl dgst -sha1 -hmac",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("NOTES lack %q:\n%s", want, notes)
		}
	}
	for _, warning := range []string{"dry-run", "codingToken is empty", "Set gitlabToken", "persistence is disabled"} {
		if strings.Contains(notes, warning) {
			t.Errorf("NOTES warn %q although full values configure it", warning)
		}
	}
}

// checkWorkload asserts what must hold for every values file: hardening,
// probes, one replica replaced by Recreate, and checksums.
func checkWorkload(t *testing.T, m *manifests) {
	t.Helper()
	d := m.Deployment
	if d == nil {
		t.Fatal("no Deployment")
	}
	shared := m.shared(t)
	switch {
	case shared:
		checkShared(t, m)
	case d.Spec.Replicas == nil || *d.Spec.Replicas != 1:
		t.Errorf("replicas = %v, want 1", d.Spec.Replicas)
	case d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType || d.Spec.Strategy.RollingUpdate != nil:
		t.Errorf("strategy = %+v, want Recreate", d.Spec.Strategy)
	}

	pod := d.Spec.Template.Spec
	psc := pod.SecurityContext
	if psc == nil {
		t.Fatal("no pod securityContext")
	}
	if !isTrue(psc.RunAsNonRoot) || val(psc.RunAsUser) != 65532 || val(psc.FSGroup) != 65532 {
		t.Errorf("pod securityContext = %+v, want runAsNonRoot, runAsUser and fsGroup 65532", psc)
	}
	if psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod seccompProfile = %+v, want RuntimeDefault", psc.SeccompProfile)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("pod automountServiceAccountToken must be false")
	}
	if pod.EnableServiceLinks == nil || *pod.EnableServiceLinks {
		t.Error("pod enableServiceLinks must be false (service link variables collide with RELAY_*)")
	}
	if m.ServiceAccount == nil || m.ServiceAccount.AutomountServiceAccountToken == nil || *m.ServiceAccount.AutomountServiceAccountToken {
		t.Error("ServiceAccount automountServiceAccountToken must be false")
	}
	if pod.ServiceAccountName != m.ServiceAccount.Name {
		t.Errorf("serviceAccountName = %q, want %q", pod.ServiceAccountName, m.ServiceAccount.Name)
	}

	c := m.container(t)
	sc := c.SecurityContext
	if sc == nil {
		t.Fatal("no container securityContext")
	}
	if !isTrue(sc.RunAsNonRoot) || val(sc.RunAsUser) != 65532 || !isTrue(sc.ReadOnlyRootFilesystem) ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || isTrue(sc.Privileged) {
		t.Errorf("container securityContext = %+v, want nonroot 65532, read-only root, no privilege escalation", sc)
	}
	if sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" || len(sc.Capabilities.Add) != 0 {
		t.Errorf("capabilities = %+v, want drop [ALL]", sc.Capabilities)
	}
	if sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("container seccompProfile = %+v, want RuntimeDefault", sc.SeccompProfile)
	}

	probe := func(name string, p *corev1.Probe, path string) {
		t.Helper()
		if p == nil || p.HTTPGet == nil {
			t.Errorf("%s = %+v, want an HTTP GET", name, p)
			return
		}
		if p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "http" {
			t.Errorf("%s = GET %s on port %s, want GET %s on port http", name, p.HTTPGet.Path, p.HTTPGet.Port.String(), path)
		}
	}
	probe("livenessProbe", c.LivenessProbe, "/healthz")
	probe("readinessProbe", c.ReadinessProbe, "/readyz")
	probe("startupProbe", c.StartupProbe, "/healthz")
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" {
		t.Errorf("container ports = %+v, want one named http", c.Ports)
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources = %+v, want cpu/memory requests and a memory limit", c.Resources)
	}

	// The read-only root needs writable /data (unless Redis holds
	// everything) and /tmp.
	if vm := m.mount(t, "data"); !shared && (vm == nil || vm.MountPath != "/data" || vm.ReadOnly) {
		t.Errorf("data mount = %+v, want writable /data", vm)
	}
	if vm := m.mount(t, "tmp"); vm == nil || vm.MountPath != "/tmp" {
		t.Errorf("tmp mount = %+v, want /tmp", vm)
	}
	cfgName := fullname + "-config"
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef == nil || c.EnvFrom[0].ConfigMapRef.Name != cfgName {
		t.Errorf("envFrom = %+v, want the ConfigMap %s", c.EnvFrom, cfgName)
	}
	if cm := m.ConfigMaps[cfgName]; cm == nil || cm.Data["RELAY_DATA_DIR"] != "/data" {
		t.Errorf("RELAY_DATA_DIR must be /data, the mounted volume")
	}

	// The grace period outlasts the drain deadline.
	drain := m.ConfigMaps[cfgName].Data["RELAY_SHUTDOWN_TIMEOUT"]
	var drainSeconds int64
	if _, err := fmt.Sscanf(drain, "%ds", &drainSeconds); err != nil {
		t.Fatalf("RELAY_SHUTDOWN_TIMEOUT %q: %v", drain, err)
	}
	if grace := *pod.TerminationGracePeriodSeconds; grace <= drainSeconds {
		t.Errorf("terminationGracePeriodSeconds %d <= RELAY_SHUTDOWN_TIMEOUT %s", grace, drain)
	}

	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, a := range []string{"checksum/config", "checksum/secret"} {
		if got := d.Spec.Template.Annotations[a]; !hex64.MatchString(got) {
			t.Errorf("pod annotation %s = %q, want a sha256", a, got)
		}
	}

	// Selectors agree with the labels they must select.
	if !selects(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
		t.Errorf("Deployment selector %v does not select its pod labels %v", d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
	}
	if !selects(m.Service.Spec.Selector, d.Spec.Template.Labels) {
		t.Errorf("Service selector %v does not select the pod", m.Service.Spec.Selector)
	}
	if sp := m.Service.Spec.Ports; len(sp) != 1 || sp[0].TargetPort.String() != "http" || sp[0].Name != "http" {
		t.Errorf("Service ports = %+v, want http → targetPort http", sp)
	}

	// `helm test` runs the image's healthcheck against the Service.
	tp := m.TestPod
	if tp == nil {
		t.Fatal("no helm test Pod")
	}
	if len(tp.Spec.Containers) != 1 {
		t.Fatalf("test Pod containers = %d, want 1", len(tp.Spec.Containers))
	}
	tc := tp.Spec.Containers[0]
	wantAddr := fmt.Sprintf("%s:%d", m.Service.Name, m.Service.Spec.Ports[0].Port)
	if tc.Image != c.Image || len(tc.Args) != 1 || tc.Args[0] != "healthcheck" || len(tc.Env) != 1 || tc.Env[0].Value != wantAddr {
		t.Errorf("test Pod container = %+v, want the relay image running healthcheck with RELAY_ADDR=%s", tc, wantAddr)
	}
	if tc.SecurityContext == nil || !isTrue(tc.SecurityContext.ReadOnlyRootFilesystem) || tp.Spec.SecurityContext == nil || !isTrue(tp.Spec.SecurityContext.RunAsNonRoot) {
		t.Error("test Pod is not hardened like the relay")
	}
}

// checkNames asserts the Helm label conventions on every object.
func checkNames(t *testing.T, m *manifests) {
	t.Helper()
	metas := []metav1.ObjectMeta{m.Deployment.ObjectMeta, m.Service.ObjectMeta, m.ServiceAccount.ObjectMeta}
	for _, sec := range m.Secrets {
		metas = append(metas, sec.ObjectMeta)
	}
	for _, cm := range m.ConfigMaps {
		metas = append(metas, cm.ObjectMeta)
	}
	if m.PVC != nil {
		metas = append(metas, m.PVC.ObjectMeta)
	}
	if m.Ingress != nil {
		metas = append(metas, m.Ingress.ObjectMeta)
	}
	if m.PDB != nil {
		metas = append(metas, m.PDB.ObjectMeta)
	}
	if m.ServiceMonitor != nil {
		metas = append(metas, m.ServiceMonitor.ObjectMeta)
	}
	if m.PrometheusRule != nil {
		metas = append(metas, m.PrometheusRule.ObjectMeta)
	}
	for _, meta := range metas {
		if !strings.HasPrefix(meta.Name, fullname) {
			t.Errorf("object %q is not named after the fullname %q", meta.Name, fullname)
		}
		for k, want := range map[string]string{
			"app.kubernetes.io/name":       "coding-relay",
			"app.kubernetes.io/instance":   releaseName,
			"app.kubernetes.io/managed-by": "Helm",
		} {
			if got := meta.Labels[k]; got != want {
				t.Errorf("%s label %s = %q, want %q", meta.Name, k, got, want)
			}
		}
		if !strings.HasPrefix(meta.Labels["helm.sh/chart"], "coding-relay-") || meta.Labels["app.kubernetes.io/version"] == "" {
			t.Errorf("%s labels = %v, want helm.sh/chart and app.kubernetes.io/version", meta.Name, meta.Labels)
		}
	}
	sel := m.Deployment.Spec.Selector.MatchLabels
	if len(sel) != 2 || sel["app.kubernetes.io/name"] == "" || sel["app.kubernetes.io/instance"] == "" {
		t.Errorf("selector labels = %v, want only name and instance (selectors are immutable)", sel)
	}
}

func TestPersistenceDisabled(t *testing.T) {
	m := mustRender(t, valueSet{set: []string{"persistence.enabled=false"}})
	if m.PVC != nil {
		t.Error("PVC rendered with persistence disabled")
	}
	v := m.volume(t, "data")
	if v == nil || v.EmptyDir == nil || v.PersistentVolumeClaim != nil {
		t.Fatalf("data volume = %+v, want an emptyDir", v)
	}
	if v.EmptyDir.SizeLimit == nil || v.EmptyDir.SizeLimit.String() != "256Mi" {
		t.Errorf("emptyDir sizeLimit = %v, want 256Mi", v.EmptyDir.SizeLimit)
	}
	if !strings.Contains(m.release.Info.Notes, "persistence is disabled") {
		t.Errorf("NOTES do not warn about lost messages:\n%s", m.release.Info.Notes)
	}
}

func TestExistingClaim(t *testing.T) {
	m := mustRender(t, valueSet{set: []string{"persistence.existingClaim=relay-queue"}})
	if m.PVC != nil {
		t.Error("PVC rendered although existingClaim is set")
	}
	if v := m.volume(t, "data"); v == nil || v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != "relay-queue" {
		t.Errorf("data volume = %+v, want claim relay-queue", v)
	}
}

func TestExistingSecret(t *testing.T) {
	m := mustRender(t, valueSet{
		files: []string{fullValues},
		set:   []string{"existingSecret=relay-creds", "existingSecretKeys.robots=robots"},
	})
	if m.Secret != nil {
		t.Errorf("chart Secret %s rendered although existingSecret is set", m.Secret.Name)
	}
	if ref := m.secretEnv(t, "RELAY_ROBOTS", "relay-creds", "robots"); ref.Optional != nil && *ref.Optional {
		t.Error("RELAY_ROBOTS must not be optional: a wrong key would silently mean dry-run")
	}
	for _, name := range []string{"RELAY_CODING_TOKEN", "RELAY_GITLAB_TOKEN", "RELAY_GITLAB_SIGNING_KEY", "RELAY_ADMIN_TOKEN", "RELAY_MENTIONS", "RELAY_GITHUB_SECRET"} {
		if ref := m.secretEnv(t, name, "relay-creds", name); ref.Optional == nil || !*ref.Optional {
			t.Errorf("%s from the existing Secret must be optional", name)
		}
	}
	for _, warning := range []string{"dry-run", "codingToken is empty", "Set gitlabToken"} {
		if strings.Contains(m.release.Info.Notes, warning) {
			t.Errorf("NOTES warn %q although existingSecret is set", warning)
		}
	}
}

func TestExistingTemplatesConfigMap(t *testing.T) {
	m := mustRender(t, valueSet{set: []string{"existingTemplatesConfigMap=my-templates"}})
	if v := m.volume(t, "templates"); v == nil || v.ConfigMap == nil || v.ConfigMap.Name != "my-templates" {
		t.Errorf("templates volume = %+v, want ConfigMap my-templates", v)
	}
	if got := m.ConfigMaps[fullname+"-config"].Data["RELAY_TEMPLATES_DIR"]; got != "/etc/coding-relay/templates" {
		t.Errorf("RELAY_TEMPLATES_DIR = %q", got)
	}
}

// A template edit reaches the relay by hot reload; it must not restart the
// pod (with Recreate, a restart is an outage). A Secret or config change
// must.
func TestChecksums(t *testing.T) {
	podTemplate := func(set ...string) string {
		t.Helper()
		m := mustRender(t, valueSet{files: []string{fullValues}, set: set})
		b, err := json.Marshal(m.Deployment.Spec.Template)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	base := podTemplate()
	if got := podTemplate(`templates.push\.tmpl=changed`); got != base {
		t.Error("changing a template changes the pod template; it must reload in place")
	}
	if got := podTemplate("codingToken=rotated"); got == base {
		t.Error("changing codingToken leaves the pod template unchanged; checksum/secret must roll it")
	}
	if got := podTemplate("robots[0].url=https://oapi.dingtalk.com/robot/send?access_token=new"); got == base {
		t.Error("changing a robot leaves the pod template unchanged")
	}
	if got := podTemplate("config.logLevel=warn"); got == base {
		t.Error("changing config leaves the pod template unchanged; checksum/config must roll it")
	}
}

func TestRobotURLs(t *testing.T) {
	tests := []struct {
		name string
		set  []string
		want string
	}{
		{
			name: "no query yet",
			set:  []string{"robots[0].url=https://oapi.dingtalk.com/robot/send", "robots[0].name=a.b"},
			want: "https://oapi.dingtalk.com/robot/send?name=a.b",
		},
		{
			name: "trailing question mark",
			set:  []string{"robots[0].url=https://oapi.dingtalk.com/robot/send?", "robots[0].template=brief"},
			want: "https://oapi.dingtalk.com/robot/send?template=brief",
		},
		{
			name: "nothing to append",
			set:  []string{"robots[0].url=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
			want: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
		},
		{
			name: "filters as a string",
			set:  []string{"robots[0].url=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "robots[0].events=push\\,ci"},
			want: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k&events=push%2Cci",
		},
		{
			name: "kind prefix added once",
			set:  []string{"robots[0].url=wecom+http://127.0.0.1:9400/send?key=k", "robots[0].kind=wecom"},
			want: "wecom+http://127.0.0.1:9400/send?key=k",
		},
		{
			name: "feishu kind prefix",
			set:  []string{"robots[0].url=http://127.0.0.1:9400/open-apis/bot/v2/hook/t", "robots[0].kind=feishu", "robots[0].secret=s"},
			want: "feishu+http://127.0.0.1:9400/open-apis/bot/v2/hook/t?secret=s",
		},
		{
			name: "lark host, keywords and a rate list",
			set:  []string{"robots[0].url=https://open.larksuite.com/open-apis/bot/v2/hook/t", "robots[0].keywords=CODING", "robots[0].rate=100/1m\\,5/1s"},
			want: "https://open.larksuite.com/open-apis/bot/v2/hook/t?keywords=CODING&rate=100%2F1m%2C5%2F1s",
		},
		{
			name: "unicode keyword",
			set:  []string{"robots[0].url=https://oapi.dingtalk.com/robot/send?access_token=t", "robots[0].keywords=后端 通知"},
			want: "https://oapi.dingtalk.com/robot/send?access_token=t&keywords=%E5%90%8E%E7%AB%AF+%E9%80%9A%E7%9F%A5",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustRender(t, valueSet{set: tt.set})
			if got := string(m.Secret.Data["RELAY_ROBOTS"]); got != tt.want {
				t.Errorf("RELAY_ROBOTS = %q, want %q", got, tt.want)
			}
		})
	}
}

// The schema turns a wrong value into an error at install time instead of a
// relay that fails at start-up.
func TestSchemaRejects(t *testing.T) {
	tests := []struct {
		name string
		set  []string
		want string
	}{
		{"robots not a list", []string{"robots=x"}, "robots"},
		{"robot without url", []string{"robots[0].name=a"}, "url"},
		{"robot url not http", []string{"robots[0].url=oapi.dingtalk.com/robot/send"}, "url"},
		{"robot unknown field", []string{"robots[0].url=https://x.example/send", "robots[0].secrte=x"}, "secrte"},
		{"robot events a number", []string{"robots[0].url=https://x.example/send", "robots[0].events=5"}, "events"},
		{"robot inflight too high", []string{"robots[0].url=https://x.example/send", "robots[0].inflight=100"}, "inflight"},
		{"replicas negative", []string{"replicaCount=-1"}, "replicaCount"},
		{"redis url not redis", []string{"redis.url=http://redis:6379/0"}, "url"},
		{"redis unknown key", []string{"redis.host=redis"}, "host"},
		{"preStopSeconds negative", []string{"preStopSeconds=-1"}, "preStopSeconds"},
		{"port a string", []string{"config.port=http"}, "port"},
		{"duration typo", []string{"config.sendTimeout=5 seconds"}, "sendTimeout"},
		{"log format", []string{"config.logFormat=text"}, "logFormat"},
		{"unknown top-level key", []string{"robot[0].url=https://x.example/send"}, "robot"},
		{"persistence flag a string", []string{"persistence.enabled=yes"}, "enabled"},
		{"mentions typo", []string{"mentions.zhangsan.dingtalk_phone=1"}, "dingtalk_phone"},
		{"mentions feishu typo", []string{"mentions.zhangsan.feishu_openid=ou_1"}, "feishu_openid"},
		{"mention id breaking the markup", []string{"mentions.zhangsan.feishu_open_id=ou_1></at>"}, "feishu_open_id"},
		{"mention mobile with spaces", []string{"mentions.zhangsan.dingtalk_mobile=138 0000 0000"}, "dingtalk_mobile"},
		{"mention mobile with letters", []string{"mentions.zhangsan.dingtalk_mobile=138abc"}, "dingtalk_mobile"},
		{"robot kind unknown", []string{"robots[0].url=https://x.example/send", "robots[0].kind=lark"}, "kind"},
		{"robot url prefix unknown", []string{"robots[0].url=lark+https://x.example/send"}, "url"},
		{"rate list with a zero", []string{"robots[0].url=https://x.example/send", "robots[0].rate=0/1m\\,5/1s"}, "rate"},
		{"rateLimit a number", []string{"config.rateLimit=0"}, "rateLimit"},
		{"gitlab signing key without whsec_", []string{"gitlabSigningKey=MDEyMzQ1Njc4OWFi"}, "gitlabSigningKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := render(t, valueSet{set: tt.set})
			if err == nil {
				t.Fatalf("--set %v rendered; want a schema error", tt.set)
			}
			if !strings.Contains(err.Error(), "schema") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want a schema error naming %q", err, tt.want)
			}
		})
	}
}

// The schema takes every key and value the relay takes.
func TestSchemaAccepts(t *testing.T) {
	for _, set := range [][]string{
		{"mentions.zhangsan.feishu_open_id=ou_1", "mentions.zhangsan.feishu_user_id=u1", "mentions.zhangsan.dingtalk_userid=d1"},
		{"mentions.zhangsan.dingtalk_mobile=+86-13800000000", "mentions.zhangsan.wecom_userid=zhang.san@corp", "mentions.zhangsan.dingtalk_userid=张三#01"},
		{"robots[0].url=https://open.feishu.cn/open-apis/bot/v2/hook/t", "robots[0].kind=feishu"},
		{"robots[0].url=feishu+http://127.0.0.1:9400/open-apis/bot/v2/hook/t"},
		{"config.rateLimit=100/1m\\,5/1s"},
		{"config.rateLimit=5/1s\\, 100/1m"},
		{"config.rateLimit=0/1m"},
		{"config.rateLimit=0"}, // as --set-string: a string
		{"config.rateLimit=off"},
	} {
		if _, err := render(t, valueSet{setString: set}); err != nil {
			t.Errorf("--set-string %v: %v", set, err)
		}
	}
}

func TestGracePeriodMustExceedDrain(t *testing.T) {
	tests := []struct {
		drain string
		grace int
		ok    bool
	}{
		{"15s", 30, true},
		{"29s", 30, true},
		{"30s", 30, false},
		{"1m", 30, false},
		{"1m30s", 91, true},
		{"1m30s", 90, false},
		{"1.5m", 91, true},
		{"500ms", 1, true},
		{"1500ms", 2, true},
		{"1h", 3600, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.drain, tt.grace), func(t *testing.T) {
			_, err := render(t, valueSet{set: []string{
				"config.shutdownTimeout=" + tt.drain,
				fmt.Sprintf("terminationGracePeriodSeconds=%d", tt.grace),
			}})
			if tt.ok && err != nil {
				t.Errorf("render: %v", err)
			}
			if !tt.ok && (err == nil || !strings.Contains(err.Error(), "terminationGracePeriodSeconds")) {
				t.Errorf("render error = %v, want one about terminationGracePeriodSeconds", err)
			}
		})
	}
}

// ciValues is the default values plus every example in the chart's ci/
// folder, the convention chart-testing (ct) follows too.
func ciValues(tb testing.TB) []valueSet {
	tb.Helper()
	files, err := filepath.Glob(chartDir + "/ci/*-values.yaml")
	if err != nil || len(files) < 2 {
		tb.Fatalf("ci values files = %v (%v), want the minimal and the full example", files, err)
	}
	sets := []valueSet{{}}
	for _, f := range files {
		sets = append(sets, valueSet{files: []string{f}})
	}
	return sets
}

func (vs valueSet) String() string {
	if len(vs.files) == 0 && len(vs.set) == 0 && len(vs.setString) == 0 {
		return "defaults"
	}
	return strings.Join(append(append(slices.Clone(vs.files), vs.set...), vs.setString...), ",")
}

// TestCIValues renders every example and checks the invariants on each.
func TestCIValues(t *testing.T) {
	for _, vs := range ciValues(t) {
		t.Run(filepath.Base(vs.String()), func(t *testing.T) {
			m := mustRender(t, vs)
			checkWorkload(t, m)
			checkNames(t, m)
			if m.PrometheusRule != nil {
				checkRules(t, m.PrometheusRule)
			}
		})
	}
}

// TestLint runs the checks of `helm lint --strict` on every example.
func TestLint(t *testing.T) {
	kv, err := chartutil.ParseKubeVersion(kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, vs := range ciValues(t) {
		t.Run(filepath.Base(vs.String()), func(t *testing.T) {
			l := lint.AllWithKubeVersion(abs, loadValues(t, vs), namespace, kv)
			var out bytes.Buffer
			for _, msg := range l.Messages {
				fmt.Fprintln(&out, msg)
			}
			// --strict fails on warnings; INFO (such as "icon is
			// recommended") stays informational.
			if l.HighestSeverity >= support.WarningSev {
				t.Errorf("helm lint:\n%s", out.String())
			} else if out.Len() > 0 {
				t.Logf("helm lint:\n%s", out.String())
			}
		})
	}
}

// TestDocsMinimalValues keeps the install example in docs/deploy.md the
// same as the file CI renders.
func TestDocsMinimalValues(t *testing.T) {
	example, err := os.ReadFile(chartDir + "/ci/minimal-values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := os.ReadFile("../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(docs, []byte("```yaml\n"+string(example)+"```")) {
		t.Error("docs/deploy.md does not show helm/coding-relay/ci/minimal-values.yaml verbatim in a yaml block")
	}
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func isTrue(b *bool) bool { return b != nil && *b }

func val(i *int64) int64 {
	if i == nil {
		return -1
	}
	return *i
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
