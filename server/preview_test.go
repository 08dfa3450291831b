package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Previews (the console's playground, /api/render) show phone numbers of
// RELAY_MENTIONS only masked, even to templates printing everything they
// can reach, and stop templates that write without end with a problem
// naming the bound, instead of rendering for seconds into gigabytes.
func TestPreviewsAreBoundedAndMasked(t *testing.T) {
	dir := t.TempDir()
	leak := `{{define "push.text"}}{{.}} {{printf "%#v" .}}{{$.Mention "zl"}}{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "leak.tmpl"), []byte(leak), 0o644); err != nil {
		t.Fatal(err)
	}
	r := consoleRelay(t, newFakeRobot(t, nil), map[string]string{"RELAY_TEMPLATES_DIR": dir,
		"RELAY_MENTIONS": `{"zl": {"dingtalk_mobile": "13812345678"}, "amy": {"dingtalk_mobile": "13900001111", "dingtalk_userid": "amy-ding-id"}}`})
	secret := func(what, raw string) {
		t.Helper()
		for _, s := range []string{"13812345678", "1381234", "13900001111", "amy-ding-id"} {
			if strings.Contains(raw, s) {
				t.Errorf("%s shows %s: %s", what, s, raw)
			}
		}
		if !strings.Contains(raw, "138****5678") {
			t.Errorf("%s does not mention the user, masked: %s", what, raw)
		}
	}
	api := r.post(t, "/api/render", map[string]string{"Authorization": "Bearer " + adminToken, "Content-Type": "application/json"},
		`{"event":"push","target":"dingtalk","payload":`+pushPayload+`}`)
	secret("/api/render", string(asJSON(t, api.body)))
	session := map[string]string{"Cookie": r.login(t)}
	render := func(edits map[string]string) consoleAnswer {
		t.Helper()
		return r.consoleCall(t, "POST", "/console/api/render", string(asJSON(t, map[string]any{
			"event": "push", "target": "dingtalk", "payload": pushPayload, "edits": edits})), session)
	}
	secret("the playground", render(nil).raw)
	for tmpl, problem := range map[string]string{
		`{{range until 2000}}{{range until 2000}}x{{end}}{{end}}`: "wrote more than",
		`{{range $i := until 20000000}}x{{end}}`:                  "until: 20000000 is more",
	} {
		a := render(map[string]string{"user/leak.tmpl": `{{define "push.text"}}` + tmpl + `{{end}}`})
		if p, _ := a.body["problem"].(map[string]any); a.status != 200 || a.body["ok"] != false || p["stage"] != "render" ||
			!strings.Contains(p["message"].(string), problem) {
			t.Errorf("%s: %d %.300s, want the problem %q", tmpl, a.status, a.raw, problem)
		}
	}
}
