package deploy

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
)

// shared reports whether the render runs replicas sharing Redis: a Redis
// URL and no data volume.
func (m *manifests) shared(tb testing.TB) bool {
	tb.Helper()
	return m.env(tb, "RELAY_REDIS_URL") != nil && m.volume(tb, "data") == nil
}

// checkShared asserts what replicas sharing Redis need: a rolling update
// that never goes below the wanted count, a preStop pause, a PDB for more
// than one, spread over nodes, and no volume for the queue.
func checkShared(t *testing.T, m *manifests) {
	t.Helper()
	d := m.Deployment
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || d.Spec.Strategy.RollingUpdate == nil ||
		d.Spec.Strategy.RollingUpdate.MaxUnavailable == nil || d.Spec.Strategy.RollingUpdate.MaxUnavailable.IntValue() != 0 {
		t.Errorf("strategy = %+v, want RollingUpdate with maxUnavailable 0", d.Spec.Strategy)
	}
	c := m.container(t)
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Exec == nil ||
		strings.Join(c.Lifecycle.PreStop.Exec.Command, " ") != "/coding-relay pause 5s" {
		t.Errorf("lifecycle = %+v, want a preStop pause of the relay's own", c.Lifecycle)
	}
	if m.PVC != nil || m.mount(t, "data") != nil {
		t.Error("a volume for the queue although Redis holds it")
	}
	if d.Spec.Replicas != nil && *d.Spec.Replicas > 1 {
		if m.PDB == nil || !selects(m.PDB.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
			t.Errorf("PDB = %+v, want one selecting the pods", m.PDB)
		} else if m.PDB.Spec.MinAvailable == nil || m.PDB.Spec.MinAvailable.IntValue() != 1 {
			t.Errorf("PDB minAvailable = %v, want 1", m.PDB.Spec.MinAvailable)
		}
	}
	a := d.Spec.Template.Spec.Affinity
	if a == nil || a.PodAntiAffinity == nil || len(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) != 1 ||
		len(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) != 0 {
		t.Fatalf("affinity = %+v, want one preferred pod anti-affinity", a)
	}
	term := a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm
	if term.TopologyKey != "kubernetes.io/hostname" || !selects(term.LabelSelector.MatchLabels, d.Spec.Template.Labels) {
		t.Errorf("anti-affinity term = %+v, want hostname and the pods' labels", term)
	}
}

// With Redis and no volume, several replicas roll one at a time; the URL
// (which may hold the password) is in a Secret of its own.
func TestRedisReplicas(t *testing.T) {
	m := mustRender(t, valueSet{set: []string{"redis.url=redis://:pw@redis:6379/1", "persistence.enabled=false", "replicaCount=3"}})
	checkWorkload(t, m)
	checkNames(t, m)
	if *m.Deployment.Spec.Replicas != 3 {
		t.Errorf("replicas = %d, want 3", *m.Deployment.Spec.Replicas)
	}
	m.secretEnv(t, "RELAY_REDIS_URL", fullname+"-redis", "RELAY_REDIS_URL")
	if got := string(m.Secrets[fullname+"-redis"].Data["RELAY_REDIS_URL"]); got != "redis://:pw@redis:6379/1" {
		t.Errorf("RELAY_REDIS_URL = %q", got)
	}
	for _, cm := range m.ConfigMaps {
		for k, v := range cm.Data {
			if strings.Contains(v, ":pw@") {
				t.Errorf("ConfigMap %s key %s holds the Redis password", cm.Name, k)
			}
		}
	}
	if m.env(t, "RELAY_REDIS_PASSWORD") != nil {
		t.Error("RELAY_REDIS_PASSWORD set without redis.existingSecret")
	}
	if _, ok := m.Deployment.Spec.Template.Annotations["checksum/redis"]; !ok {
		t.Error("no checksum/redis: a new URL would not roll the pods")
	}
	if !strings.Contains(m.release.Info.Notes, "share their delivery state in Redis") || strings.Contains(m.release.Info.Notes, "persistence is disabled") {
		t.Errorf("NOTES:\n%s", m.release.Info.Notes)
	}

	// One replica rolls the same way; the user's affinity wins.
	one := mustRender(t, valueSet{set: []string{"redis.url=redis://redis:6379/0", "persistence.enabled=false",
		"affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=pool",
		"affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists"}})
	if one.Deployment.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || one.PDB != nil {
		t.Errorf("one replica on Redis: strategy %s, PDB %v", one.Deployment.Spec.Strategy.Type, one.PDB)
	}
	if a := one.Deployment.Spec.Template.Spec.Affinity; a == nil || a.NodeAffinity == nil || a.PodAntiAffinity != nil {
		t.Errorf("affinity = %+v, want the user's", a)
	}
}

// The URL and the password from a Secret the user manages (a Redis chart's).
func TestRedisExistingSecret(t *testing.T) {
	m := mustRender(t, valueSet{set: []string{"redis.existingSecret=redis-creds", "redis.existingSecretKeys.url=url", "persistence.enabled=false", "replicaCount=2"}})
	m.secretEnv(t, "RELAY_REDIS_URL", "redis-creds", "url")
	if ref := m.secretEnv(t, "RELAY_REDIS_PASSWORD", "redis-creds", "redis-password"); ref.Optional == nil || !*ref.Optional {
		t.Error("RELAY_REDIS_PASSWORD must be optional: the URL may hold it")
	}
	if _, ok := m.Secrets[fullname+"-redis"]; ok {
		t.Error("the chart's redis Secret rendered without redis.url")
	}
	_, err := render(t, valueSet{set: []string{"redis.existingSecret=redis-creds", "redis.existingSecretKeys.url="}})
	if err == nil || !strings.Contains(err.Error(), "nothing gives the URL") {
		t.Errorf("existingSecret without a URL: %v", err)
	}
}

// Without Redis the chart keeps refusing more than one replica; with Redis
// and the volume still on (to move a bbolt queue in), one pod as before.
func TestReplicasNeedRedisAndNoVolume(t *testing.T) {
	for _, tt := range []struct {
		set  []string
		want string
	}{
		{[]string{"replicaCount=2"}, "needs redis.url"},
		{[]string{"replicaCount=2", "persistence.enabled=false"}, "needs redis.url"},
		{[]string{"replicaCount=2", "redis.url=redis://redis:6379/0"}, "persistence.enabled: false"},
	} {
		if _, err := render(t, valueSet{set: tt.set}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("--set %v: %v, want an error saying %q", tt.set, err, tt.want)
		}
	}
	m := mustRender(t, valueSet{set: []string{"redis.url=redis://redis:6379/0"}})
	checkWorkload(t, m) // Recreate, one replica, the claim mounted
	if m.PVC == nil || m.env(t, "RELAY_REDIS_URL") == nil || !strings.Contains(m.release.Info.Notes, "moved into Redis") {
		t.Errorf("Redis with the volume kept: PVC %v, notes:\n%s", m.PVC, m.release.Info.Notes)
	}
}

// With the preStop pause, the grace period must outlast pause and drain.
func TestGracePeriodCoversPreStop(t *testing.T) {
	base := []string{"redis.url=redis://redis:6379/0", "persistence.enabled=false", "config.shutdownTimeout=20s"}
	if _, err := render(t, valueSet{set: append(base, "terminationGracePeriodSeconds=26")}); err != nil {
		t.Errorf("20s drain + 5s pause in 26s: %v", err)
	}
	_, err := render(t, valueSet{set: append(base, "terminationGracePeriodSeconds=25")})
	if err == nil || !strings.Contains(err.Error(), "preStopSeconds") {
		t.Errorf("20s drain + 5s pause in 25s: %v, want an error naming preStopSeconds", err)
	}
}

// The rendered Redis settings start the real relay against a real
// redis-server: it becomes ready.
func TestRenderedRedisValuesStartTheRelay(t *testing.T) {
	addr := startRedis(t)
	m := mustRender(t, valueSet{files: []string{fullValues}, set: []string{"redis.url=redis://" + addr + "/0", "persistence.enabled=false", "replicaCount=2"}})
	env, tmpls := renderedEnv(t, m)
	if ok, out := startRelay(t, env, tmpls); !ok {
		t.Errorf("the relay refuses the rendered Redis environment: %s", lastLine(out))
	}
}

// startRedis runs a redis-server with AOF on a free loopback port for the
// test. Without one installed the test is skipped, unless
// RELAY_REQUIRE_REDIS is set (CI).
func startRedis(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("RELAY_REQUIRE_REDIS") != "" {
			tb.Fatal("redis-server is not installed but RELAY_REQUIRE_REDIS is set: apt-get install -y redis-server")
		}
		tb.Skip("redis-server is not installed (apt-get install -y redis-server); skipping")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	dir := tb.TempDir()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--appendonly", "yes", "--save", "", "--daemonize", "no")
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			_, _ = c.Write([]byte("PING\r\n"))
			line, _ := bufio.NewReader(c).ReadString('\n')
			_ = c.Close()
			if strings.HasPrefix(line, "+PONG") {
				return addr
			}
		}
	}
	tb.Fatalf("redis-server did not answer on %s", addr)
	return ""
}
