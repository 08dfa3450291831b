package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gitlabHook is a GitLab-format webhook as one sender sends it.
type gitlabHook struct {
	file    string            // payload in translate/gitlab/testdata
	headers map[string]string // besides Content-Type
	status  int               // the relay's answer
	robots  float64           // robots the answer says it is queued for
}

// TestE2EGitLab sends GitLab, Codeup and TGit webhooks to /webhook/gitlab:
// the secret token is checked in each sender's header, a repeated
// Idempotency-Key (GitLab's retry, with a new X-Gitlab-Webhook-UUID) is
// sent once, a running pipeline and a System Hook reach no robot, and a
// robot filtered to merge requests gets only those. Every message reaches
// the simulated robots, none names CODING.
func TestE2EGitLab(t *testing.T) {
	const token, mrKey = "e2e-gitlab-token", "e2e-wecom-mr"
	env := startSim(t, requireSim(t), "-limit", "0", "-secret", e2eDingToken+"="+e2eDingSecret)
	env.extraRobots = "wecom+%s/cgi-bin/webhook/send?key=" + mrKey + "&name=mr-only&events=merge_request"
	relay := env.startRelay(t, t.TempDir(), "RELAY_RATE_LIMIT=0", "RELAY_GITLAB_TOKEN="+token)
	gl := func(event, key string) map[string]string {
		return map[string]string{"X-Gitlab-Event": event, "X-Gitlab-Token": token, "Idempotency-Key": key,
			"X-Gitlab-Webhook-UUID": key + "-" + time.Now().Format(time.RFC3339Nano), "X-Gitlab-Instance": "https://gitlab.example.com"}
	}
	wrong := gl("Push Hook", "k-wrong")
	wrong["X-Gitlab-Token"] = "guess"
	for _, h := range []gitlabHook{
		{"push.json", gl("Push Hook", "k-push"), http.StatusAccepted, 2},
		{"push.json", wrong, http.StatusUnauthorized, 0},
		{"push.json", map[string]string{"X-Gitlab-Event": "Push Hook"}, http.StatusUnauthorized, 0},
		{"push.json", gl("Push Hook", "k-push"), http.StatusOK, 0}, // GitLab's retry: a duplicate
		{"merge_request-open.json", gl("Merge Request Hook", "k-mr"), http.StatusAccepted, 3},
		{"pipeline-running.json", gl("Pipeline Hook", "k-running"), http.StatusAccepted, 0},
		{"pipeline-failed.json", gl("Pipeline Hook", "k-failed"), http.StatusAccepted, 2},
		{"system-project_create.json", gl("System Hook", "k-system"), http.StatusOK, 0},
		{"merge_request-codeup.json", map[string]string{"Codeup-Event": "Merge Request Hook", "X-Codeup-Token": token}, http.StatusAccepted, 3},
		{"push-codeup.json", map[string]string{"Codeup-Event": "Push Hook", "X-Codeup-Token": "guess"}, http.StatusUnauthorized, 0},
		{"push-tgit.json", map[string]string{"X-Event": "Push Hook", "X-Token": token}, http.StatusAccepted, 2},
	} {
		status, answer := postGitLab(t, relay, h)
		if status != h.status || (status/100 == 2 && answer["robots"] != h.robots) {
			t.Errorf("%s %v: %d %v, want %d with %v robots", h.file, h.headers, status, answer, h.status, h.robots)
		}
	}
	const each = 5 // push, two merge requests, the failed pipeline, TGit's push
	eventually(t, 30*time.Second, "every message accepted", func() bool {
		s := env.stats(t)
		return s.Robots[simDing].Accepted == each && s.Robots[simWeCom].Accepted == each && s.Robots["wecom/"+mrKey].Accepted == 2
	})
	for id, r := range env.stats(t).Robots {
		if len(r.Rejected) != 0 {
			t.Errorf("%s rejected %v", id, r.Rejected)
		}
	}
	var mrs []string
	for _, m := range env.messages(t) {
		if strings.Contains(strings.ToUpper(string(m.Body)), "CODING") {
			t.Errorf("%s got a message naming CODING: %s", m.Robot, m.Body)
		}
		if m.Robot == "wecom/"+mrKey {
			mrs = append(mrs, string(m.Body))
		}
	}
	if all := strings.Join(mrs, "\n"); !strings.Contains(all, "!17") || !strings.Contains(all, "!5") {
		t.Errorf("the merge-request robot got %v", mrs)
	}
}

// postGitLab posts a sample payload with its sender's headers and returns
// the relay's status and JSON answer.
func postGitLab(tb testing.TB, p *relayProc, h gitlabHook) (int, map[string]any) {
	tb.Helper()
	body, err := os.ReadFile(filepath.Join("..", "..", "translate", "gitlab", "testdata", h.file))
	if err != nil {
		tb.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, p.url+"/webhook/gitlab", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range h.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var answer map[string]any
	_ = json.Unmarshal(b, &answer)
	return resp.StatusCode, answer
}
