package deploy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
)

// exampleEnv is the .env the compose file's header describes.
const exampleEnv = `# robots and tokens for docker compose
RELAY_ROBOTS=https://oapi.dingtalk.com/robot/send?access_token=TOKEN&secret=SECxxx&name=dev-dingtalk https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY&name=dev-wecom
RELAY_CODING_TOKEN=the-token-set-in-CODING
RELAY_LOG_LEVEL=debug
`

// TestComposeFile loads docker-compose.yml with the Compose specification's
// own loader (schema validation, interpolation, .env) and checks the relay
// service.
func TestComposeFile(t *testing.T) {
	dir := t.TempDir()
	compose, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "docker-compose.yml")
	if err := os.WriteFile(file, compose, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(exampleEnv), 0o600); err != nil {
		t.Fatal(err)
	}

	opts, err := cli.NewProjectOptions([]string{file}, cli.WithWorkingDirectory(dir), cli.WithDotEnv)
	if err != nil {
		t.Fatal(err)
	}
	project, err := opts.LoadProject(t.Context())
	if err != nil {
		t.Fatalf("load docker-compose.yml: %v", err)
	}
	relay, ok := project.Services["relay"]
	if !ok {
		t.Fatalf("no relay service; have %v", project.ServiceNames())
	}

	env := func(name string) string {
		if v := relay.Environment[name]; v != nil {
			return *v
		}
		return ""
	}
	if got := env("RELAY_ROBOTS"); !strings.Contains(got, "access_token=TOKEN&secret=SECxxx&name=dev-dingtalk https://qyapi") {
		t.Errorf("RELAY_ROBOTS from .env = %q, want both robots", got)
	}
	for name, want := range map[string]string{
		"RELAY_CODING_TOKEN": "the-token-set-in-CODING",
		"RELAY_LOG_LEVEL":    "debug",
		"RELAY_DATA_DIR":     "/data",
		"RELAY_ADDR":         ":8080",
	} {
		if got := env(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}

	if relay.Build == nil || relay.Build.Context != dir || relay.Build.Args["VERSION"] == nil {
		t.Errorf("build = %+v, want the directory of the compose file with a VERSION argument", relay.Build)
	}
	if relay.Restart != "unless-stopped" {
		t.Errorf("restart = %q, want unless-stopped", relay.Restart)
	}
	if len(relay.Ports) != 1 || relay.Ports[0].Target != 8080 || relay.Ports[0].Published != "8080" {
		t.Errorf("ports = %+v, want 8080:8080", relay.Ports)
	}
	if len(relay.Volumes) != 1 || relay.Volumes[0].Type != "volume" || relay.Volumes[0].Source != "relay-data" || relay.Volumes[0].Target != "/data" {
		t.Errorf("volumes = %+v, want the named volume relay-data at /data", relay.Volumes)
	}
	if _, ok := project.Volumes["relay-data"]; !ok {
		t.Error("volume relay-data is not declared")
	}
	hc := relay.HealthCheck
	if hc == nil || !slices.Equal([]string(hc.Test), []string{"CMD", "/coding-relay", "healthcheck"}) {
		t.Errorf("healthcheck = %+v, want CMD /coding-relay healthcheck", hc)
	}
	if relay.StopGracePeriod == nil || time.Duration(*relay.StopGracePeriod) <= 15*time.Second {
		t.Errorf("stop_grace_period = %v, want more than the 15s drain deadline", relay.StopGracePeriod)
	}
	if !relay.ReadOnly || !slices.Contains(relay.CapDrop, "ALL") || !slices.Contains(relay.SecurityOpt, "no-new-privileges:true") {
		t.Errorf("read_only %v cap_drop %v security_opt %v, want a read-only, capability-less container", relay.ReadOnly, relay.CapDrop, relay.SecurityOpt)
	}
}
