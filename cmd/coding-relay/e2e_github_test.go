package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/github"
)

const e2eGitHubSecret = "e2e-github-secret"

// ghRequest is a webhook as GitHub, Gitea, Forgejo or Gogs sends it: the
// headers of that sender, signed with key ("" for none) over what that
// sender signs (the bytes sent by GitHub, the JSON inside a form by the
// others).
type ghRequest struct {
	sender, event, fine, delivery, key string
	body                               []byte
	form                               bool
}

type ghAnswer struct {
	status int
	Robots int    `json:"robots"`
	Dup    bool   `json:"duplicate"`
	Zen    string `json:"zen"`
	Error  string `json:"error"`
}

func (p *relayProc) postGitHub(tb testing.TB, r ghRequest) ghAnswer {
	tb.Helper()
	body, signed := r.body, r.body
	if r.form {
		body = []byte(url.Values{"payload": {string(r.body)}}.Encode())
		if r.sender == "github" {
			signed = body
		}
	}
	req, _ := http.NewRequest(http.MethodPost, p.url+"/webhook/"+r.sender, bytes.NewReader(body))
	req.Header.Set("Content-Type", map[bool]string{false: "application/json", true: "application/x-www-form-urlencoded"}[r.form])
	sig := ""
	if r.key != "" {
		m := hmac.New(sha256.New, []byte(r.key))
		m.Write(signed)
		sig = hex.EncodeToString(m.Sum(nil))
	}
	h := req.Header
	switch r.sender {
	case "github":
		h.Set("X-GitHub-Event", r.event)
		h.Set("X-GitHub-Delivery", r.delivery)
		if sig != "" {
			h.Set("X-Hub-Signature-256", "sha256="+sig)
		}
	case "gitea", "forgejo":
		names := []string{"Gitea", "Gogs", "GitHub"}
		if r.sender == "forgejo" {
			names = append(names, "Forgejo")
		}
		for _, n := range names {
			h.Set("X-"+n+"-Event", r.event)
			h.Set("X-"+n+"-Event-Type", r.fine)
			h.Set("X-"+n+"-Delivery", r.delivery)
			if n != "GitHub" {
				h.Set("X-"+n+"-Signature", sig)
			}
		}
		h.Set("X-Hub-Signature-256", "sha256="+sig)
	case "gogs":
		h.Set("X-Gogs-Event", r.event)
		h.Set("X-Gogs-Delivery", r.delivery)
		h.Set("X-Gogs-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := ghAnswer{status: resp.StatusCode}
	if err := json.Unmarshal(b, &a); err != nil {
		tb.Fatalf("answer %d: %s", resp.StatusCode, b)
	}
	return a
}

// TestE2EGitHub runs the GitHub-shaped webhooks through the relay to the
// simulator: each sender's headers, signed, unsigned and wrongly signed,
// JSON and form bodies, a redelivery, every fixture to four robots (a
// signed DingTalk robot with a keyword, WeCom, WeCom markdown_v2, a signed
// Feishu bot) and to a robot filtered to merge requests, which gets the
// pull requests; the quiet ones reach no one.
func TestE2EGitHub(t *testing.T) {
	const v2Key, mrKey = "e2e-gh-v2-key", "e2e-gh-mr-key"
	env := startSim(t, requireSim(t), "-limit", "0", "-secret", e2eDingToken+"="+e2eDingSecret,
		"-secret", e2eFeishuToken+"="+e2eFeishuSecret, "-keyword", e2eDingToken+"=通知", "-strict",
		"-tokens", strings.Join([]string{e2eDingToken, e2eWeComKey, v2Key, mrKey, e2eFeishuToken}, ","))
	env.dingParams = "&keywords=" + url.QueryEscape("通知")
	env.extraRobots = "wecom+%s/cgi-bin/webhook/send?key=" + v2Key + "&name=wecom-v2&format=markdown_v2 " +
		"feishu+%s/open-apis/bot/v2/hook/" + e2eFeishuToken + "?secret=" + e2eFeishuSecret + "&name=feishu " +
		"wecom+%s/cgi-bin/webhook/send?key=" + mrKey + "&name=mr&events=merge_request"
	relay := env.startRelay(t, t.TempDir(), "RELAY_RATE_LIMIT=0", "RELAY_GITHUB_SECRET="+e2eGitHubSecret, "RELAY_ADMIN_TOKEN="+e2eAdminToken)
	fixture := func(name string) []byte {
		b, err := os.ReadFile("../../translate/github/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pr := fixture("pull_request-opened.json")

	// Authentication and each sender's headers.
	for _, tt := range []struct {
		name   string
		req    ghRequest
		status int
	}{
		{"unsigned", ghRequest{sender: "github", event: "pull_request", delivery: "gh-unsigned", body: pr}, 401},
		{"wrong secret", ghRequest{sender: "github", event: "pull_request", delivery: "gh-wrong", body: pr, key: "not-it"}, 401},
		{"gitea without a secret", ghRequest{sender: "gitea", event: "push", fine: "push", delivery: "gt-unsigned", body: fixture("push-gitea.json")}, 401},
		{"no event name", ghRequest{sender: "gogs", delivery: "gg-noname", body: fixture("push-gogs.json"), key: e2eGitHubSecret}, 400},
		{"ping", ghRequest{sender: "github", event: "ping", delivery: "gh-ping", body: fixture("ping.json"), key: e2eGitHubSecret}, 200},
	} {
		if a := relay.postGitHub(t, tt.req); a.status != tt.status {
			t.Errorf("%s: %d %+v, want %d", tt.name, a.status, a, tt.status)
		}
	}
	if a := relay.postGitHub(t, ghRequest{sender: "github", event: "ping", delivery: "gh-ping2", body: fixture("ping.json"), key: e2eGitHubSecret}); a.Zen != "Keep it logically awesome." {
		t.Errorf("ping answer %+v, want its zen", a)
	}

	// Every fixture, as the sender its name says, half of them as forms.
	want := map[string]int{} // messages per simulator robot
	all := []string{simDing, simWeCom, "wecom/" + v2Key, "feishu/" + e2eFeishuToken}
	files, _ := filepath.Glob("../../translate/github/testdata/*.json")
	for i, f := range files {
		base := filepath.Base(f)
		event, _, _ := strings.Cut(strings.TrimSuffix(base, ".json"), "-")
		body := fixture(base)
		ev, err := github.Decode(event, body)
		if err != nil || ev.Name == translate.EventPing {
			continue
		}
		sender := "github"
		for _, s := range []string{"gitea", "forgejo", "gogs"} {
			if strings.Contains(base, "-"+s) {
				sender = s
			}
		}
		req := ghRequest{sender: sender, event: event, fine: event, delivery: "fx-" + base, body: body, key: e2eGitHubSecret, form: i%2 == 0}
		a := relay.postGitHub(t, req)
		robots := 0
		if !ev.Quiet {
			robots = len(all)
			for _, r := range all {
				want[r]++
			}
			if ev.Name == translate.EventMergeRequest {
				robots++
				want["wecom/"+mrKey]++
			}
		}
		if a.status/100 != 2 || a.Robots != robots {
			t.Errorf("%s as %s: %d %+v, want %d robots", base, sender, a.status, a, robots)
		}
		if i == 1 { // GitHub redelivers with the same id
			if a := relay.postGitHub(t, req); a.status != 200 || !a.Dup {
				t.Errorf("redelivery of %s: %d %+v, want a duplicate", base, a.status, a)
			}
		}
	}
	if want["wecom/"+mrKey] < 15 || want[simDing] < 60 {
		t.Fatalf("too few messages expected: %v", want)
	}
	eventually(t, 60*time.Second, "every message accepted", func() bool {
		s := env.stats(t)
		for r, n := range want {
			if s.Robots[r].Accepted != n {
				return false
			}
		}
		return true
	})
	for id, r := range env.stats(t).Robots {
		if len(r.Rejected) != 0 {
			t.Errorf("%s rejected %v", id, r.Rejected)
		}
	}
	for _, m := range env.messages(t) {
		if strings.Contains(strings.ToUpper(string(m.Body)), "CODING") {
			t.Errorf("a GitHub message names CODING: %s", m.Body)
		}
	}

	// Metrics by source, and a preview of a GitHub payload.
	resp, err := http.Get(relay.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, line := range []string{`relay_events_received_total{event="merge_request",outcome="accepted",source="github"}`,
		`relay_events_received_total{event="push",outcome="rejected_401",source="github"}`} {
		if !strings.Contains(string(metrics), line) {
			t.Errorf("metrics lack %s", line)
		}
	}
	preview, _ := json.Marshal(map[string]any{"source": "github", "event": "workflow_job", "target": "wecom", "payload": json.RawMessage(fixture("workflow_job-completed-failure.json"))})
	req, _ := http.NewRequest(http.MethodPost, relay.url+"/api/render", bytes.NewReader(preview))
	req.Header.Set("Authorization", "Bearer "+e2eAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "go test -race") {
		t.Errorf("/api/render: %d %s", resp.StatusCode, b)
	}
}
