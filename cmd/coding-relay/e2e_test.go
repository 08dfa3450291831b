package main

// End-to-end runs against the shared robot simulator, which enforces the real
// services' rate limits, sizes and signatures. They build the relay and the
// simulator and run them as processes, so they only run when
// RELAY_E2E_ROBOTSIM names the simulator's directory (.ci/run sets it):
//
//	RELAY_E2E_ROBOTSIM=$PWD/../shared/robotsim go test -run E2E -v ./cmd/coding-relay

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/translate/coding"
)

const (
	e2eHookToken  = "e2e-hook-token"
	e2eDingToken  = "e2edingtoken"
	e2eDingSecret = "SECe2e0123456789"
	e2eWeComKey   = "e2e-wecom-key"
	// The Feishu bot is signed and needs a keyword too.
	e2eFeishuToken  = "e2e-feishu-token"
	e2eFeishuSecret = "FSe2eSecret42"
	// The admin token of relays whose console or admin API a test reads.
	e2eAdminToken = "e2e-admin-token"
)

type e2eEnv struct {
	relayBin string
	simURL   string
	sim      *exec.Cmd
	// dingParams are extra relay parameters of the DingTalk robot's URL.
	dingParams string
	// extraRobots are appended to RELAY_ROBOTS ("%s" is the simulator URL).
	extraRobots string
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func build(tb testing.TB, dir, pkg, out string) {
	tb.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("building %s: %v\n%s", pkg, err, b)
	}
}

func waitHTTP(tb testing.TB, u string) {
	tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("%s did not come up", u)
}

// startSim runs the simulator with args; it is stopped when the test ends.
func startSim(tb testing.TB, simDir string, args ...string) *e2eEnv {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "robotsim")
	build(tb, simDir, ".", bin)
	relayBin := filepath.Join(tb.TempDir(), "coding-relay")
	build(tb, ".", ".", relayBin)
	addr := freeAddr(tb)
	sim := exec.Command(bin, append([]string{"-addr", addr}, args...)...)
	sim.Stderr = os.Stderr
	if err := sim.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sim.Process.Kill(); _ = sim.Wait() })
	env := &e2eEnv{relayBin: relayBin, simURL: "http://" + addr, sim: sim}
	waitHTTP(tb, env.simURL+"/_sim/stats")
	return env
}

type relayProc struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
}

func (e *e2eEnv) startRelay(tb testing.TB, dataDir string, extra ...string) *relayProc {
	tb.Helper()
	addr := freeAddr(tb)
	cmd := exec.Command(e.relayBin)
	robots := fmt.Sprintf("dingtalk+%s/robot/send?access_token=%s&secret=%s&name=ding%s wecom+%s/cgi-bin/webhook/send?key=%s&name=wecom",
		e.simURL, e2eDingToken, e2eDingSecret, e.dingParams, e.simURL, e2eWeComKey)
	if e.extraRobots != "" {
		robots += " " + strings.ReplaceAll(e.extraRobots, "%s", e.simURL)
	}
	cmd.Env = append(os.Environ(), "RELAY_ADDR="+addr, "RELAY_ROBOTS="+robots, "RELAY_DATA_DIR="+dataDir,
		"RELAY_CODING_TOKEN="+e2eHookToken, "RELAY_LOG_LEVEL=info", "RELAY_SEND_TIMEOUT=1s")
	cmd.Env = append(cmd.Env, extra...)
	logs := &bytes.Buffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &relayProc{cmd: cmd, url: "http://" + addr, logs: logs}
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		for _, s := range []string{e2eDingToken, e2eDingSecret, e2eWeComKey, e2eHookToken, e2eFeishuToken, e2eFeishuSecret, e2eAdminToken} {
			if strings.Contains(logs.String(), s) {
				tb.Errorf("relay log contains the secret %q", s)
			}
		}
		if tb.Failed() {
			tb.Logf("relay log:\n%s", logs)
		}
	})
	waitHTTP(tb, p.url+"/readyz")
	return p
}

func (p *relayProc) post(tb testing.TB, event, delivery string, body []byte) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.url+"/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Coding-Event", event)
	req.Header.Set("X-Coding-Delivery", delivery)
	req.Header.Set("X-Coding-WebHook-Version", "v2")
	m := hmac.New(sha1.New, []byte(e2eHookToken))
	m.Write(body)
	req.Header.Set("X-Coding-Signature", "sha1="+hex.EncodeToString(m.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
		tb.Fatalf("%s %s: %d %s", event, delivery, resp.StatusCode, b)
	}
}

// getJSON reads path of the relay with the admin token as the bearer and
// decodes the 200 answer into v.
func (p *relayProc) getJSON(tb testing.TB, path, token string, v any) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
}

type simStats struct {
	Robots map[string]struct {
		Accepted int            `json:"accepted"`
		Rejected map[string]int `json:"rejected"`
	} `json:"robots"`
}

func (e *e2eEnv) stats(tb testing.TB) simStats {
	tb.Helper()
	var s simStats
	getJSON(tb, e.simURL+"/_sim/stats", &s)
	return s
}

type simMessage struct {
	Robot string          `json:"robot"`
	Body  json.RawMessage `json:"body"`
}

func (e *e2eEnv) messages(tb testing.TB) []simMessage {
	tb.Helper()
	var out []simMessage
	getJSON(tb, e.simURL+"/_sim/messages", &out)
	return out
}

// waitHanging waits until each robot has a send hanging at the simulator
// (a "hang" fault holds it until the connection goes), so that killing a
// relay then kills it mid-send.
func (e *e2eEnv) waitHanging(tb testing.TB, robots ...string) {
	tb.Helper()
	eventually(tb, 20*time.Second, fmt.Sprintf("a send hanging at each of %v", robots), func() bool {
		st := e.stats(tb)
		for _, r := range robots {
			if st.Robots[r].Rejected["hung"] == 0 {
				return false
			}
		}
		return true
	})
}

// leasesHeld counts the robots whose lease the relay holds, from its
// relay_lease_held gauge.
func (p *relayProc) leasesHeld(tb testing.TB) int {
	tb.Helper()
	resp, err := http.Get(p.url + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "relay_lease_held{") && strings.HasSuffix(line, " 1") {
			n++
		}
	}
	return n
}

func (e *e2eEnv) simPost(tb testing.TB, path string) {
	tb.Helper()
	resp, err := http.Post(e.simURL+path, "", nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		tb.Fatalf("POST %s: %d", path, resp.StatusCode)
	}
}

func getJSON(tb testing.TB, u string, v any) {
	tb.Helper()
	resp, err := http.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		tb.Fatal(err)
	}
}

func eventually(tb testing.TB, limit time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("not within %s: %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func requireSim(t *testing.T) string {
	dir := os.Getenv("RELAY_E2E_ROBOTSIM")
	if dir == "" {
		t.Skip("set RELAY_E2E_ROBOTSIM to the robotsim directory to run end-to-end tests")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

const (
	simDing  = "dingtalk/" + e2eDingToken
	simWeCom = "wecom/" + e2eWeComKey
)

// TestE2EEveryPayload replays every test payload to a signed DingTalk robot
// that also requires a keyword, a WeCom robot, a WeCom markdown_v2 robot
// and a signed Feishu bot: one message per robot per event, none rejected.
func TestE2EEveryPayload(t *testing.T) {
	const v2Key = "e2e-wecom-v2-key"
	env := startSim(t, requireSim(t), "-limit", "0", "-secret", e2eDingToken+"="+e2eDingSecret,
		"-secret", e2eFeishuToken+"="+e2eFeishuSecret,
		"-keyword", e2eDingToken+"=CODING通知", "-strict", "-tokens", e2eDingToken+","+e2eWeComKey+","+v2Key+","+e2eFeishuToken)
	env.dingParams = "&keywords=" + url.QueryEscape("CODING通知")
	env.extraRobots = "wecom+%s/cgi-bin/webhook/send?key=" + v2Key + "&name=wecom-v2&format=markdown_v2 " +
		"feishu+%s/open-apis/bot/v2/hook/" + e2eFeishuToken + "?secret=" + e2eFeishuSecret + "&name=feishu"
	relay := env.startRelay(t, t.TempDir(), "RELAY_RATE_LIMIT=0")
	files, _ := filepath.Glob("../../translate/testdata/*.json")
	sent := 0
	for _, f := range files {
		body, _ := os.ReadFile(f)
		name := coding.SampleEventName(f)
		if name == "ping" {
			continue // answered by the relay itself
		}
		if _, err := coding.Decode(name, body); err != nil {
			continue
		}
		relay.post(t, name, "e2e-"+filepath.Base(f), body)
		sent++
	}
	if sent < 50 {
		t.Fatalf("only %d payloads found", sent)
	}
	eventually(t, 60*time.Second, "every message accepted", func() bool {
		s := env.stats(t)
		return s.Robots[simDing].Accepted == sent && s.Robots[simWeCom].Accepted == sent && s.Robots["wecom/"+v2Key].Accepted == sent &&
			s.Robots["feishu/"+e2eFeishuToken].Accepted == sent
	})
	s := env.stats(t)
	for id, r := range s.Robots {
		if len(r.Rejected) != 0 {
			t.Errorf("%s rejected %v", id, r.Rejected)
		}
	}
	t.Logf("%d payloads, %d messages per robot, stats %+v", sent, sent, s)
}

func pushBody(i int) []byte {
	return []byte(fmt.Sprintf(`{"ref":"refs/heads/main","before":"%040d","after":"%040x","compare":"https://t.coding.net/p/demo/git/compare/%d","commits":[{"id":"%040x","message":"burst-marker-%03d","url":"https://t.coding.net/p/demo/git/commit/%d","author":{"name":"tom","username":"tom"}}],"pusher":{"name":"tom","username":"tom"},"sender":{"login":"tom","name":"tom"},"repository":{"name":"demo","html_url":"https://t.coding.net/p/demo"}}`, i, i+1, i, i+1, i, i))
}

func visible(msgs []simMessage, robot string, n int) int {
	var all strings.Builder
	for _, m := range msgs {
		if m.Robot == robot {
			all.Write(m.Body)
		}
	}
	seen := 0
	for i := range n {
		// A message names the commit; a digest line links the compare page.
		if strings.Contains(all.String(), fmt.Sprintf("burst-marker-%03d", i)) || strings.Contains(all.String(), fmt.Sprintf("/compare/%d)", i)) {
			seen++
		}
	}
	return seen
}

// TestE2EBurstIsCoalesced: with a 5-per-5s limit, a burst of 60 pushes is
// fully visible within 30 s and the robots reject nothing.
func TestE2EBurstIsCoalesced(t *testing.T) {
	env := startSim(t, requireSim(t), "-limit", "5", "-window", "5s", "-secret", e2eDingToken+"="+e2eDingSecret)
	relay := env.startRelay(t, t.TempDir(), "RELAY_RATE_LIMIT=5/5s")
	start := time.Now()
	for i := range 60 {
		relay.post(t, "push", "burst-"+strconv.Itoa(i), pushBody(i))
	}
	var vd, vw int
	defer func() {
		if t.Failed() {
			t.Logf("visible: DingTalk %d, WeCom %d; stats %+v", vd, vw, env.stats(t))
		}
	}()
	eventually(t, 30*time.Second, "all 60 visible on both robots", func() bool {
		m := env.messages(t)
		vd, vw = visible(m, simDing, 60), visible(m, simWeCom, 60)
		return vd == 60 && vw == 60
	})
	s := env.stats(t)
	for id, r := range s.Robots {
		if len(r.Rejected) != 0 {
			t.Errorf("%s rejected %v", id, r.Rejected)
		}
	}
	t.Logf("60 pushes visible on both robots after %s with %d DingTalk and %d WeCom messages", time.Since(start).Round(100*time.Millisecond), s.Robots[simDing].Accepted, s.Robots[simWeCom].Accepted)
}

// TestE2EFaultsThenRecovery injects each fault the simulator knows, then
// lets the robots recover: everything is delivered exactly as sent.
func TestE2EFaultsThenRecovery(t *testing.T) {
	env := startSim(t, requireSim(t), "-limit", "0", "-secret", e2eDingToken+"="+e2eDingSecret)
	relay := env.startRelay(t, t.TempDir(), "RELAY_RATE_LIMIT=0")
	for i, mode := range []string{"status500", "drop", "hang", "busy"} {
		env.simPost(t, "/_sim/reset")
		for _, robot := range []string{simDing, simWeCom} {
			env.simPost(t, "/_sim/fault?robot="+robot+"&mode="+mode+"&n=2")
		}
		for j := range 3 {
			relay.post(t, "push", fmt.Sprintf("fault-%s-%d", mode, j), pushBody(i*10+j))
		}
		eventually(t, 60*time.Second, mode+": all delivered after recovery", func() bool {
			m := env.messages(t)
			ok := 0
			for j := range 3 {
				marker := fmt.Sprintf("burst-marker-%03d", i*10+j)
				for _, r := range []string{simDing, simWeCom} {
					for _, msg := range m {
						if msg.Robot == r && strings.Contains(string(msg.Body), marker) {
							ok++
							break
						}
					}
				}
			}
			return ok == 6
		})
	}
}

// TestE2EKillDuringHangingSends kills the relay with SIGKILL while every
// send hangs, restarts it on the same data directory, and expects every
// event delivered.
func TestE2EKillDuringHangingSends(t *testing.T) {
	env := startSim(t, requireSim(t), "-limit", "0", "-secret", e2eDingToken+"="+e2eDingSecret)
	dir := t.TempDir()
	for _, robot := range []string{simDing, simWeCom} {
		env.simPost(t, "/_sim/fault?robot="+robot+"&mode=hang&n=0")
	}
	relay := env.startRelay(t, dir, "RELAY_RATE_LIMIT=0")
	for i := range 10 {
		relay.post(t, "push", "kill-"+strconv.Itoa(i), pushBody(100+i))
	}
	env.waitHanging(t, simDing, simWeCom)
	_ = relay.cmd.Process.Kill()
	_ = relay.cmd.Wait()
	env.simPost(t, "/_sim/reset")
	env.startRelay(t, dir, "RELAY_RATE_LIMIT=0")
	eventually(t, 60*time.Second, "all 10 delivered after restart", func() bool {
		m := env.messages(t)
		for i := range 10 {
			marker := fmt.Sprintf("burst-marker-%03d", 100+i)
			for _, r := range []string{simDing, simWeCom} {
				found := false
				for _, msg := range m {
					if msg.Robot == r && strings.Contains(string(msg.Body), marker) {
						found = true
						break
					}
				}
				if !found {
					return false
				}
			}
		}
		return true
	})
}
