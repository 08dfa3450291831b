package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	adminToken = "console-admin-token-0123456789"
	dingToken  = "ding-access-token-secret"
	wecomKey   = "wecom-key-secret"
)

// consoleAnswer is one answer of the console.
type consoleAnswer struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// consoleCall sends a request to the console as a browser on the relay's
// own page would (Origin, JSON), with hdr added or overriding ("" removes).
func (r *testRelay) consoleCall(tb testing.TB, method, path, body string, hdr map[string]string) consoleAnswer {
	tb.Helper()
	req := httptest.NewRequest(method, r.srv.URL+path, strings.NewReader(body))
	req.RemoteAddr = "192.0.2.10:40000"
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", r.srv.URL)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	r.handler.ServeHTTP(rec, req)
	a := consoleAnswer{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &a.body)
	return a
}

// login logs in and returns the Cookie header that carries the session.
func (r *testRelay) login(tb testing.TB) string {
	tb.Helper()
	a := r.consoleCall(tb, http.MethodPost, "/console/api/login", `{"token":"`+adminToken+`"}`, nil)
	if a.status != http.StatusOK {
		tb.Fatalf("login: %d %s", a.status, a.raw)
	}
	ck := (&http.Response{Header: a.header}).Cookies()
	if len(ck) != 1 {
		tb.Fatalf("login set cookies %v, want one", a.header.Values("Set-Cookie"))
	}
	return ck[0].Name + "=" + ck[0].Value
}

// noSecrets fails when an answer shows a credential.
func noSecrets(tb testing.TB, what, raw string) {
	tb.Helper()
	for _, s := range []string{adminToken, dingToken, wecomKey} {
		if strings.Contains(raw, s) {
			tb.Fatalf("%s shows a credential (%s…): %s", what, s[:8], raw)
		}
	}
}

// consoleRelay is a relay with the console on, a DingTalk robot answering
// ding and a WeCom robot that accepts everything.
func consoleRelay(tb testing.TB, ding *fakeRobot, env map[string]string) *testRelay {
	tb.Helper()
	return newTestRelay(tb, withConsole(tb, ding, env))
}

// withConsole is env with the console on and consoleRelay's robots.
func withConsole(tb testing.TB, ding *fakeRobot, env map[string]string) map[string]string {
	tb.Helper()
	wecom := newFakeRobot(tb, nil)
	if env == nil {
		env = map[string]string{}
	}
	env["RELAY_ADMIN_TOKEN"] = adminToken
	env["RELAY_ROBOTS"] = "dingtalk+" + ding.URL + "/robot/send?access_token=" + dingToken + "&secret=SECsign&name=backend&events=push,merge_request&branches=main,master " +
		"wecom+" + wecom.URL + "/cgi-bin/webhook/send?key=" + wecomKey + "&name=ops&events=ci"
	return env
}

var keywordMissing = func(int) (int, string) { return 200, `{"errcode":310000,"errmsg":"keywords not in content"}` }

// authEndpoints are the console's endpoints behind the session.
var authEndpoints = []struct{ method, path, body string }{
	{"GET", "/console/api/overview", ""},
	{"GET", "/console/api/deliveries?status=dead", ""},
	{"POST", "/console/api/deliveries/1/replay", "{}"},
	{"POST", "/console/api/robots/backend/replay", "{}"},
	{"GET", "/console/api/playground", ""},
	{"GET", "/console/api/samples/push.json", ""},
	{"GET", "/console/api/recent/d-1", ""},
	{"GET", "/console/api/template?name=zh/push.tmpl", ""},
	{"POST", "/console/api/render", `{"target":"dingtalk","payload":"{}"}`},
}

func TestConsoleOffWithoutAdminToken(t *testing.T) {
	r := newTestRelay(t, map[string]string{})
	page := r.consoleCall(t, "GET", "/console/", "", nil)
	if page.status != 200 || !strings.Contains(page.raw, "RELAY_ADMIN_TOKEN") || strings.Contains(page.raw, "console.js") {
		t.Fatalf("page without a token: %d %s; want the page saying how to turn the console on", page.status, page.raw)
	}
	for _, e := range append(authEndpoints, struct{ method, path, body string }{"POST", "/console/api/login", `{"token":""}`}) {
		if a := r.consoleCall(t, e.method, e.path, e.body, nil); a.status != http.StatusNotFound || !strings.Contains(a.raw, "RELAY_ADMIN_TOKEN") {
			t.Errorf("%s %s without a token: %d %s, want 404 naming RELAY_ADMIN_TOKEN", e.method, e.path, a.status, a.raw)
		}
	}
}

func TestConsolePageAndAssets(t *testing.T) {
	r := consoleRelay(t, newFakeRobot(t, nil), map[string]string{"RELAY_LANGUAGE": "en"})
	page := r.consoleCall(t, "GET", "/console/", "", nil)
	if page.status != 200 || !strings.Contains(page.raw, `data-lang="en"`) || !strings.Contains(page.raw, "/console/assets/console.js") {
		t.Fatalf("page: %d %s", page.status, page.raw)
	}
	csp := page.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		page.header.Get("X-Frame-Options") != "DENY" || page.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers: %v", page.header)
	}
	if a := r.consoleCall(t, "GET", "/console", "", nil); a.status != http.StatusMovedPermanently || a.header.Get("Location") != "/console/" {
		t.Errorf("/console: %d %v, want a redirect to /console/", a.status, a.header)
	}
	for _, f := range []string{"console.js", "chat.js", "i18n.js", "console.css"} {
		a := r.consoleCall(t, "GET", "/console/assets/"+f, "", nil)
		if a.status != 200 || len(a.raw) < 1000 {
			t.Errorf("asset %s: %d, %d bytes", f, a.status, len(a.raw))
		}
	}
	if a := r.consoleCall(t, "GET", "/console/api/session", "", nil); a.status != 200 || a.body["authenticated"] != false || a.body["language"] != "en" ||
		a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("session before login: %d %v %v", a.status, a.body, a.header)
	}
}

func TestConsoleNeedsASession(t *testing.T) {
	r := consoleRelay(t, newFakeRobot(t, nil), nil)
	good := r.login(t)
	value := strings.TrimPrefix(good, "relay_console=")
	i := strings.LastIndexByte(value, '.')
	tampered := "relay_console=" + strings.Replace(value[:i], "1.", "1.9", 1) + value[i:] // a later expiry, the old MAC
	other := newTestRelay(t, map[string]string{"RELAY_ADMIN_TOKEN": "another-token-of-another-relay"})
	foreign := other.login0(t, "another-token-of-another-relay")
	for _, e := range authEndpoints {
		for _, c := range []struct {
			name string
			hdr  map[string]string
		}{
			{"no session", nil},
			{"garbage cookie", map[string]string{"Cookie": "relay_console=garbage"}},
			{"tampered cookie", map[string]string{"Cookie": tampered}},
			{"cookie of another token", map[string]string{"Cookie": foreign}},
			{"wrong bearer", map[string]string{"Authorization": "Bearer wrong"}},
			{"bearer of another scheme", map[string]string{"Authorization": "Basic " + adminToken}},
		} {
			a := r.consoleCall(t, e.method, e.path, e.body, c.hdr)
			if a.status != http.StatusUnauthorized || len(a.body) != 1 || a.body["error"] == nil {
				t.Errorf("%s %s, %s: %d %s; want 401 with only an error", e.method, e.path, c.name, a.status, a.raw)
			}
			noSecrets(t, e.path, a.raw)
		}
		// The admin token as a bearer header works, as for /api.
		if a := r.consoleCall(t, e.method, e.path, e.body, map[string]string{"Authorization": "Bearer " + adminToken, "Origin": ""}); a.status == http.StatusUnauthorized || a.status == http.StatusForbidden {
			t.Errorf("%s %s with the bearer token: %d %s", e.method, e.path, a.status, a.raw)
		}
	}
	if a := r.consoleCall(t, "GET", "/console/api/overview", "", map[string]string{"Cookie": good}); a.status != 200 {
		t.Fatalf("overview with the session: %d %s", a.status, a.raw)
	}
}

// login0 logs in to a relay with token.
func (r *testRelay) login0(tb testing.TB, token string) string {
	tb.Helper()
	a := r.consoleCall(tb, http.MethodPost, "/console/api/login", `{"token":"`+token+`"}`, nil)
	ck := (&http.Response{Header: a.header}).Cookies()
	if a.status != 200 || len(ck) != 1 {
		tb.Fatalf("login: %d %s", a.status, a.raw)
	}
	return ck[0].Name + "=" + ck[0].Value
}

func TestConsoleLoginCookieAndLogout(t *testing.T) {
	r := consoleRelay(t, newFakeRobot(t, nil), nil)
	a := r.consoleCall(t, "POST", "/console/api/login", `{"token":"`+adminToken+`"}`, nil)
	ck := (&http.Response{Header: a.header}).Cookies()
	if a.status != 200 || len(ck) != 1 {
		t.Fatalf("login: %d %s", a.status, a.raw)
	}
	c := ck[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console" || c.Secure ||
		c.Expires.Before(time.Now().Add(11*time.Hour)) || c.Expires.After(time.Now().Add(13*time.Hour)) {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/console, not Secure over plain HTTP, expiring in 12h", c)
	}
	if strings.Contains(c.Value, adminToken) {
		t.Errorf("the cookie carries the token")
	}
	behindTLS := r.consoleCall(t, "POST", "/console/api/login", `{"token":"`+adminToken+`"}`, map[string]string{"X-Forwarded-Proto": "https", "Origin": strings.Replace(r.srv.URL, "http:", "https:", 1)})
	if ck := (&http.Response{Header: behindTLS.header}).Cookies(); behindTLS.status != 200 || len(ck) != 1 || !ck[0].Secure {
		t.Errorf("login behind a TLS proxy: %d %v, want a Secure cookie", behindTLS.status, behindTLS.header.Values("Set-Cookie"))
	}
	session := c.Name + "=" + c.Value
	if a := r.consoleCall(t, "GET", "/console/api/session", "", map[string]string{"Cookie": session}); a.body["authenticated"] != true {
		t.Errorf("session after login: %v", a.body)
	}
	out := r.consoleCall(t, "POST", "/console/api/logout", "{}", map[string]string{"Cookie": session})
	cleared := (&http.Response{Header: out.header}).Cookies()
	if out.status != 200 || len(cleared) != 1 || cleared[0].Value != "" || cleared[0].MaxAge >= 0 {
		t.Fatalf("logout: %d %v, want the cookie cleared", out.status, out.header.Values("Set-Cookie"))
	}
	if a := r.consoleCall(t, "GET", "/console/api/overview", "", map[string]string{"Cookie": session}); a.status != http.StatusUnauthorized {
		t.Errorf("the old cookie after logout: %d, want 401", a.status)
	}
}

func TestConsoleLoginRateLimitedAndLoggedWithoutToken(t *testing.T) {
	r := consoleRelay(t, newFakeRobot(t, nil), nil)
	const guess = "guessed-token-attempt"
	for i := range 5 {
		a := r.consoleCall(t, "POST", "/console/api/login", `{"token":"`+guess+`"}`, map[string]string{"X-Forwarded-For": "198.51.100." + string(rune('1'+i))})
		if a.status != http.StatusUnauthorized || a.header.Get("Set-Cookie") != "" {
			t.Fatalf("wrong token %d: %d %s", i, a.status, a.raw)
		}
	}
	// The sixth, even with the right token and another X-Forwarded-For, waits.
	a := r.consoleCall(t, "POST", "/console/api/login", `{"token":"`+adminToken+`"}`, map[string]string{"X-Forwarded-For": "203.0.113.9"})
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" || a.header.Get("Set-Cookie") != "" {
		t.Fatalf("sixth attempt: %d %v %s, want 429 with Retry-After", a.status, a.header, a.raw)
	}
	// Another client is not locked out by this one.
	req := httptest.NewRequest("POST", r.srv.URL+"/console/api/login", strings.NewReader(`{"token":"`+adminToken+`"}`))
	req.RemoteAddr = "192.0.2.77:1234"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", r.srv.URL)
	rec := httptest.NewRecorder()
	r.handler.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("another client's login: %d %s", rec.Code, rec.Body)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "console login failed") || !strings.Contains(logs, "192.0.2.10") || !strings.Contains(logs, "too many failed attempts") {
		t.Errorf("failed logins not logged with the client's address:\n%s", logs)
	}
	if strings.Contains(logs, guess) || strings.Contains(logs, adminToken) {
		t.Errorf("a token is in the log:\n%s", logs)
	}
}

func TestConsoleRefusesCrossSiteRequests(t *testing.T) {
	ding := newFakeRobot(t, keywordMissing)
	r := consoleRelay(t, ding, nil)
	session := r.login(t)
	r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push", "X-Coding-Delivery": "d-1"}, pushPayload)
	waitFor(t, "a dead letter", func() bool { _, n, _ := r.queue.Dead(10); return n == 1 })
	dead, _, _ := r.queue.Dead(10)
	replay := "/console/api/deliveries/" + dead[0].ID + "/replay"
	for _, c := range []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"another origin", map[string]string{"Origin": "https://evil.example"}, 403},
		{"origin null", map[string]string{"Origin": "null"}, 403},
		{"same host, other port", map[string]string{"Origin": "http://127.0.0.1:1"}, 403},
		{"no origin", map[string]string{"Origin": ""}, 403},
		{"no origin, cross-site fetch", map[string]string{"Origin": "", "Sec-Fetch-Site": "cross-site"}, 403},
		{"a form's content type", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415},
		{"text/plain", map[string]string{"Content-Type": "text/plain"}, 415},
	} {
		for _, path := range []string{replay, "/console/api/robots/backend/replay", "/console/api/render", "/console/api/logout"} {
			hdr := map[string]string{"Cookie": session}
			for k, v := range c.hdr {
				hdr[k] = v
			}
			if a := r.consoleCall(t, "POST", path, "{}", hdr); a.status != c.status {
				t.Errorf("%s, POST %s: %d %s, want %d", c.name, path, a.status, a.raw, c.status)
			}
		}
		if a := r.consoleCall(t, "POST", "/console/api/login", `{"token":"`+adminToken+`"}`, c.hdr); a.status != c.status || a.header.Get("Set-Cookie") != "" {
			t.Errorf("%s, login: %d, want %d and no cookie", c.name, a.status, c.status)
		}
	}
	if _, n, _ := r.queue.Dead(10); n != 1 {
		t.Fatalf("a refused replay replayed: %d dead letters left", n)
	}
	if a := r.consoleCall(t, "GET", "/console/api/overview", "", map[string]string{"Cookie": session}); a.status != 200 {
		t.Fatalf("the session was ended by a refused logout: %d", a.status)
	}
	// The page's own requests pass: Origin of this host, also as a proxy
	// forwards it, or a same-origin fetch without Origin.
	for _, hdr := range []map[string]string{
		{"Cookie": session, "Origin": "https://relay.example.com", "X-Forwarded-Host": "relay.example.com"},
		{"Cookie": session, "Origin": "", "Sec-Fetch-Site": "same-origin"},
	} {
		if a := r.consoleCall(t, "POST", "/console/api/render", `{"target":"dingtalk","payload":"{}","event":"push"}`, hdr); a.status != 200 {
			t.Errorf("same-origin render %v: %d %s", hdr, a.status, a.raw)
		}
	}
}

func TestConsoleOverviewDeliveriesAndReplay(t *testing.T) {
	ding := newFakeRobot(t, keywordMissing)
	r := consoleRelay(t, ding, nil)
	session := map[string]string{"Cookie": r.login(t)}
	r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push", "X-Coding-Delivery": "d-1"}, pushPayload)
	waitFor(t, "a dead letter", func() bool { _, n, _ := r.queue.Dead(10); return n == 1 })

	ov := r.consoleCall(t, "GET", "/console/api/overview", "", session)
	noSecrets(t, "overview", ov.raw)
	robots, _ := ov.body["robots"].([]any)
	if ov.status != 200 || len(robots) != 2 {
		t.Fatalf("overview: %d %s", ov.status, ov.raw)
	}
	b := robots[0].(map[string]any)
	last, _ := b["last"].(map[string]any)
	if b["name"] != "backend" || b["kind"] != "dingtalk" || !strings.HasSuffix(b["url"].(string), "/robot/send") || b["signed"] != true ||
		b["rate"] != "20/1m" || b["dead"] != 1.0 || b["depth"] != 0.0 || last["result"] != "failed" || last["errcode"] != 310000.0 ||
		!strings.Contains(last["error"].(string), "keywords not in content") || b["last_hour"].(map[string]any)["failed"] != 1.0 ||
		strings.Join(anyStrings(b["events"]), ",") != "push,merge_request" || strings.Join(anyStrings(b["branches"]), ",") != "main,master" {
		t.Errorf("backend in the overview: %v", b)
	}
	if o := robots[1].(map[string]any); o["name"] != "ops" || o["state"] != "idle" || o["last"] != nil || o["dead"] != 0.0 {
		t.Errorf("ops in the overview: %v", o)
	}

	dead := r.consoleCall(t, "GET", "/console/api/deliveries?status=dead", "", session)
	list, _ := dead.body["deliveries"].([]any)
	if dead.status != 200 || len(list) != 1 {
		t.Fatalf("dead letters: %d %s", dead.status, dead.raw)
	}
	d := list[0].(map[string]any)
	if d["robot"] != "backend" || d["event"] != "push" || d["reason"] != "permanent" || d["errcode"] != 310000.0 || d["attempts"] != 1.0 ||
		strings.Join(anyStrings(dead.body["events"]), ",") != "push" {
		t.Errorf("dead letter: %v", dead.body)
	}
	for q, n := range map[string]int{"robot=ops": 0, "robot=backend": 1, "event=ci": 0, "event=push": 1} {
		if a := r.consoleCall(t, "GET", "/console/api/deliveries?status=dead&"+q, "", session); a.status != 200 || len(anyStrings(a.body["deliveries"])) != n {
			t.Errorf("dead letters filtered by %s: %d %s, want %d", q, a.status, a.raw, n)
		}
	}
	for _, q := range []string{"status=gone", "status=dead&robot=nobody", "limit=0", "limit=x"} {
		if a := r.consoleCall(t, "GET", "/console/api/deliveries?"+q, "", session); a.status != 400 {
			t.Errorf("deliveries?%s: %d, want 400", q, a.status)
		}
	}
	if a := r.consoleCall(t, "POST", "/console/api/deliveries/999/replay", "{}", session); a.status != 404 {
		t.Errorf("replay of an unknown id: %d %s", a.status, a.raw)
	}
	if a := r.consoleCall(t, "POST", "/console/api/deliveries/x/replay", "{}", session); a.status != 400 {
		t.Errorf("replay of a bad id: %d %s", a.status, a.raw)
	}
	if a := r.consoleCall(t, "POST", "/console/api/robots/nobody/replay", "{}", session); a.status != 404 {
		t.Errorf("replay of an unknown robot: %d %s", a.status, a.raw)
	}

	ding.SetAnswer(nil) // the keyword is fixed
	rep := r.consoleCall(t, "POST", "/console/api/deliveries/"+d["id"].(string)+"/replay", "{}", session)
	if rep.status != 202 || rep.body["status"] != "pending" {
		t.Fatalf("replay: %d %s", rep.status, rep.raw)
	}
	var sent []any
	waitFor(t, "the replayed message in the history", func() bool {
		a := r.consoleCall(t, "GET", "/console/api/deliveries?status=sent&robot=backend", "", session)
		sent, _ = a.body["sent"].([]any)
		return len(sent) == 1
	})
	s := sent[0].(map[string]any)
	got := ding.Received()
	var robotGot, shown map[string]any
	_ = json.Unmarshal([]byte(got[len(got)-1].Raw), &robotGot)
	shown = s["body"].(map[string]any)
	if want, _ := json.Marshal(robotGot); string(asJSON(t, shown)) != string(want) || s["items"].([]any)[0].(map[string]any)["delivery"] != "d-1" || s["target"] != "dingtalk" || s["kept"] != true {
		t.Errorf("history entry %v\nwant the body the robot got %s", s, want)
	}
	if a := r.consoleCall(t, "GET", "/console/api/deliveries?status=sent&robot=ops", "", session); len(a.body["sent"].([]any)) != 0 {
		t.Errorf("ops history: %s", a.raw)
	}

	// A robot's Replay all.
	ding.SetAnswer(keywordMissing)
	r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push", "X-Coding-Delivery": "d-2"}, pushPayload)
	waitFor(t, "another dead letter", func() bool { _, n, _ := r.queue.Dead(10); return n == 1 })
	ding.SetAnswer(nil)
	all := r.consoleCall(t, "POST", "/console/api/robots/backend/replay", "{}", session)
	if all.status != 202 || all.body["replayed"] != 1.0 || all.body["left"] != 0.0 {
		t.Fatalf("replay all: %d %s", all.status, all.raw)
	}
	waitFor(t, "both in the history", func() bool {
		a := r.consoleCall(t, "GET", "/console/api/deliveries?status=sent", "", session)
		return len(a.body["sent"].([]any)) == 2
	})
	if logs := r.logs.String(); !strings.Contains(logs, "replayed from the console") {
		t.Errorf("replays not logged")
	}
}

func anyStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i], _ = x.(string)
	}
	return out
}

func asJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestConsolePlayground(t *testing.T) {
	dir := t.TempDir()
	own := "{{define \"ping.text\"}}pong from my file{{end}}\n"
	if err := os.WriteFile(filepath.Join(dir, "mine.tmpl"), []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	r := consoleRelay(t, newFakeRobot(t, nil), map[string]string{"RELAY_TEMPLATES_DIR": dir})
	session := map[string]string{"Cookie": r.login(t)}
	pg := r.consoleCall(t, "GET", "/console/api/playground", "", session)
	files := anyStrings(pg.body["files"])
	if pg.status != 200 || !strings.Contains(strings.Join(files, ","), "zh/push.tmpl") || !strings.Contains(strings.Join(files, ","), "user/mine.tmpl") ||
		pg.body["editable"] != true || pg.body["language"] != "zh" || len(pg.body["samples"].([]any)) < 10 || len(pg.body["robots"].([]any)) != 2 {
		t.Fatalf("playground: %d %s", pg.status, pg.raw)
	}
	var targets []string
	for _, x := range pg.body["targets"].([]any) {
		targets = append(targets, x.(map[string]any)["target"].(string))
	}
	if strings.Join(targets, ",") != "dingtalk,wecom,wecom_v2,feishu" {
		t.Errorf("targets %v", targets)
	}
	noSecrets(t, "playground", pg.raw)

	sample := r.consoleCall(t, "GET", "/console/api/samples/push-two-commits.json", "", session)
	payload, _ := sample.body["payload"].(string)
	if sample.status != 200 || sample.body["event"] != "push" || !strings.Contains(payload, "commits") {
		t.Fatalf("sample: %d %s", sample.status, sample.raw)
	}
	if a := r.consoleCall(t, "GET", "/console/api/samples/nope.json", "", session); a.status != 404 {
		t.Errorf("unknown sample: %d", a.status)
	}
	// A GitLab sample: the body names its event, the page renders it as
	// GitLab's.
	if !strings.Contains(pg.raw, `"sources":["coding","gitlab"]`) {
		t.Errorf("playground sources: %s", pg.raw)
	}
	gl := r.consoleCall(t, "GET", "/console/api/samples/gitlab/merge_request-open.json", "", session)
	if gl.status != 200 || gl.body["source"] != "gitlab" || gl.body["event"] != "" {
		t.Fatalf("GitLab sample: %d %s", gl.status, gl.raw)
	}
	gr := r.consoleCall(t, "POST", "/console/api/render", string(asJSON(t, map[string]any{"source": "gitlab", "payload": gl.body["payload"], "target": "wecom"})), session)
	if gr.body["ok"] != true || !strings.Contains(gr.raw, "!17") {
		t.Errorf("render of the GitLab sample: %s", gr.raw)
	}
	tmpl := r.consoleCall(t, "GET", "/console/api/template?name=zh/push.tmpl", "", session)
	text, _ := tmpl.body["text"].(string)
	if tmpl.status != 200 || !strings.Contains(text, `define "push.text"`) {
		t.Fatalf("template: %d %s", tmpl.status, tmpl.raw)
	}
	if a := r.consoleCall(t, "GET", "/console/api/template?name=../../etc/passwd", "", session); a.status != 404 {
		t.Errorf("template outside the set: %d", a.status)
	}

	render := func(req map[string]any) consoleAnswer {
		t.Helper()
		if _, ok := req["payload"]; !ok {
			req["payload"] = payload
		}
		a := r.consoleCall(t, "POST", "/console/api/render", string(asJSON(t, req)), session)
		noSecrets(t, "render", a.raw)
		return a
	}
	for _, tg := range targets {
		a := render(map[string]any{"event": "push", "target": tg})
		if a.status != 200 || a.body["ok"] != true || a.body["fits"] != true || a.body["size"].(float64) > a.body["limit"].(float64) || a.body["body"] == nil {
			t.Errorf("render for %s: %d %s", tg, a.status, a.raw)
		}
	}
	if a := render(map[string]any{"event": "push", "robot": "backend"}); a.body["ok"] != true || a.body["sent"] != true || a.body["target"] != "dingtalk" {
		t.Errorf("render for backend (push on main passes its filters): %s", a.raw)
	}
	if a := render(map[string]any{"event": "push", "robot": "ops"}); a.body["ok"] != true || a.body["sent"] != false || a.body["body"].(map[string]any)["msgtype"] != "markdown" {
		t.Errorf("render for ops (events=ci drops a push): %s", a.raw)
	}

	// An edit shows at once; nothing reaches the disk.
	edited := strings.Replace(text, `{{define "push.text"}}`, `{{define "push.text"}}EDITED IN THE PAGE `, 1)
	a := render(map[string]any{"event": "push", "target": "wecom", "edits": map[string]string{"zh/push.tmpl": edited}})
	if a.body["ok"] != true || !strings.Contains(a.raw, "EDITED IN THE PAGE") {
		t.Fatalf("render with an edit: %s", a.raw)
	}
	if a := render(map[string]any{"event": "push", "target": "wecom"}); strings.Contains(a.raw, "EDITED") {
		t.Errorf("an edit outlived its request: %s", a.raw)
	}
	// A new file of the user's directory, and the user's own file edited.
	if a := render(map[string]any{"event": "ping", "payload": `{"zen":"z"}`, "target": "dingtalk", "edits": map[string]string{"user/mine.tmpl": strings.Replace(own, "pong", "PONG", 1)}}); !strings.Contains(a.raw, "PONG from my file") {
		t.Errorf("render with the user's file edited: %s", a.raw)
	}
	if a := render(map[string]any{"event": "push", "target": "dingtalk", "edits": map[string]string{"user/new.tmpl": `{{define "push.text"}}brand new{{end}}`}}); !strings.Contains(a.raw, "brand new") {
		t.Errorf("render with a new user file: %s", a.raw)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "mine.tmpl")); err != nil || string(b) != own {
		t.Errorf("the user's file changed on disk: %q %v", b, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files appeared in RELAY_TEMPLATES_DIR: %v", entries)
	}

	// Errors say the file and the line.
	broken := "\n\n{{if}}\n" + text // line 3, whatever the file starts with
	a = render(map[string]any{"event": "push", "target": "dingtalk", "edits": map[string]string{"zh/push.tmpl": broken}})
	p, _ := a.body["problem"].(map[string]any)
	if a.status != 200 || a.body["ok"] != false || p["stage"] != "template" || p["file"] != "zh/push.tmpl" || p["line"] != 3.0 {
		t.Errorf("a parse error: %s, want stage template at zh/push.tmpl line 3", a.raw)
	}
	failing := strings.Replace(text, `{{define "push.text"}}`, `{{define "push.text"}}{{index .Commits 99}}`, 1)
	a = render(map[string]any{"event": "push", "target": "dingtalk", "edits": map[string]string{"zh/push.tmpl": failing}})
	if p, _ := a.body["problem"].(map[string]any); a.body["ok"] != false || p["stage"] != "render" || p["file"] != "zh/push.tmpl" || p["line"] == nil {
		t.Errorf("an error while executing: %s, want stage render with the file and line", a.raw)
	}
	if a := render(map[string]any{"event": "push", "target": "dingtalk", "payload": `{"ref":`}); a.body["ok"] != false || a.body["problem"].(map[string]any)["stage"] != "payload" {
		t.Errorf("a payload that does not decode: %s", a.raw)
	}
	if a := render(map[string]any{"event": "push", "target": "dingtalk", "variant": "nosuch"}); a.body["ok"] != false || !strings.Contains(a.raw, "nosuch") {
		t.Errorf("an unknown variant: %s", a.raw)
	}
	for name, req := range map[string]map[string]any{
		"edit of an unknown file":   {"target": "dingtalk", "edits": map[string]string{"zh/../../x.tmpl": "x"}},
		"edit outside the user dir": {"target": "dingtalk", "edits": map[string]string{"other/x.tmpl": "x"}},
		"unknown target":            {"target": "slack"},
		"unknown robot":             {"robot": "nobody"},
		"robot with a target":       {"robot": "backend", "target": "wecom"},
		"no payload":                {"target": "dingtalk", "payload": ""},
	} {
		if a := render(req); a.status != 400 {
			t.Errorf("%s: %d %s, want 400", name, a.status, a.raw)
		}
	}
}

func TestConsoleRecentWebhooks(t *testing.T) {
	r := consoleRelay(t, newFakeRobot(t, nil), nil)
	session := map[string]string{"Cookie": r.login(t)}
	r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push", "X-Coding-Delivery": "recent-1"}, pushPayload)
	pg := r.consoleCall(t, "GET", "/console/api/playground", "", session)
	recent, _ := pg.body["recent"].([]any)
	if len(recent) != 1 || recent[0].(map[string]any)["delivery"] != "recent-1" || recent[0].(map[string]any)["event"] != "push" {
		t.Fatalf("recent webhooks: %s", pg.raw)
	}
	a := r.consoleCall(t, "GET", "/console/api/recent/recent-1", "", session)
	if a.status != 200 || a.body["payload"] != pushPayload || a.body["source"] != "coding" {
		t.Fatalf("recent payload: %d %s", a.status, a.raw)
	}
	if a := r.consoleCall(t, "GET", "/console/api/recent/other", "", session); a.status != 404 {
		t.Errorf("unknown recent payload: %d", a.status)
	}
}
