package server_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/coding-relay/coding-relay/templates"
)

// updateScreenshots rewrites docs/console/*.png from the browser test
// (also RELAY_UPDATE_SCREENSHOTS=1); normal runs leave them alone. The
// pages show Chinese: without a CJK font (Debian's fonts-noto-cjk) chromium
// draws boxes.
var updateScreenshots = flag.Bool("update-screenshots", false, "write the console's screenshots to docs/console/")

// chromium is the browser to drive. Outside CI its absence skips the
// browser tests; in CI (RELAY_REQUIRE_BROWSER or CI set) it fails them.
func chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("RELAY_REQUIRE_BROWSER") != "" || os.Getenv("CI") != "" {
		tb.Fatal("chromium is not installed but RELAY_REQUIRE_BROWSER or CI is set: install Debian's chromium (apt-get install -y chromium); .ci/run does")
	}
	tb.Skip("chromium is not installed: the console's browser tests need Debian's chromium (apt-get install -y chromium); skipped outside CI")
	return ""
}

// browser starts one headless chromium for the whole test and collects
// what the page reports as errors: uncaught exceptions and rejections,
// console.error and console.assert, and browser log errors other than the
// network's (a 401 to a wrong login is the page working).
func browser(tb testing.TB) (context.Context, func() []string) {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(tb)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		// The closed network refuses chromium's own background connections.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1360, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancelCtx(); cancelAlloc() })

	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(ctx, func(ev any) {
		var p string
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			p = "exception: " + e.ExceptionDetails.Text
			if x := e.ExceptionDetails.Exception; x != nil {
				p += " " + x.Description
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				p = "console." + string(e.Type) + ": " + strings.Join(args, " ")
			}
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError && e.Entry.Source != log.EntrySourceNetwork {
				p = "log " + string(e.Entry.Source) + ": " + e.Entry.Text + " " + e.Entry.URL
			}
		}
		if p != "" {
			mu.Lock()
			problems = append(problems, p)
			mu.Unlock()
		}
	}); err != nil {
		tb.Fatalf("starting chromium: %v", err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// step runs actions with a bound on how long they may take.
func step(tb testing.TB, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// until waits for a JavaScript condition to hold in the page.
func until(tb testing.TB, ctx context.Context, what, cond string) {
	tb.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(25*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText.slice(0, 2000)`))
		tb.Fatalf("waiting for %s (%s): %v\npage:\n%s", what, cond, err, text)
	}
}

// js runs a statement in the page.
func js(tb testing.TB, ctx context.Context, what, code string) {
	tb.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`(() => { `+code+` ; return true })()`)); err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// choose picks an option of a select as a user does, firing change.
func choose(tb testing.TB, ctx context.Context, id, value string) {
	tb.Helper()
	js(tb, ctx, "choosing "+value, fmt.Sprintf(`const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event("change"))`, id, value))
}

// screenshot writes the page to docs/console/name.png when asked to.
// Chinese text needs a CJK font (Debian: fonts-wqy-microhei or
// fonts-noto-cjk); the tests themselves do not.
func screenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	if !*updateScreenshots && os.Getenv("RELAY_UPDATE_SCREENSHOTS") == "" {
		return
	}
	// The top of the page, without a passing notice or a focused field.
	js(tb, ctx, "tidying for the screenshot", `window.scrollTo(0, 0); document.getElementById("flash").hidden = true; document.activeElement && document.activeElement.blur()`)
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("body"))) // the page's height, not the window's
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "docs", "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestConsoleInBrowser drives the console in Debian's chromium, in one
// browser session: log in, see the robots and a dead letter from a robot
// answering a permanent errcode, replay it once the robot is fixed and see
// it delivered, edit a template in the playground and see the preview
// change, switch the language, and no script error on the way.
func TestConsoleInBrowser(t *testing.T) {
	ctx, problems := browser(t)
	ding := newFakeRobot(t, keywordMissing)
	r := consoleRelay(t, ding, nil)
	r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push", "X-Coding-Delivery": "push-1"}, pushPayload)
	ci := string(templates.Samples()["ci-complete_build-failed.json"])
	r.post(t, "/webhook", map[string]string{"Content-Type": "application/json", "X-Coding-Event": "ci", "X-Coding-Delivery": "ci-1"}, ci)
	waitFor(t, "the push dead-lettered", func() bool { _, n, _ := r.queue.Dead(10); return n == 1 })
	waitFor(t, "the build delivered", func() bool { l, _ := r.queue.Sent("ops", 10); return len(l) == 1 })

	step(t, ctx, "opening the console", chromedp.Navigate(r.srv.URL+"/console/"), chromedp.WaitVisible(chromedp.ID("login-token")))
	until(t, ctx, "the page in Chinese (RELAY_LANGUAGE)", `document.getElementById("login-submit").textContent === "登录"`)
	step(t, ctx, "switching to English", chromedp.Click(chromedp.ID("lang-en")))
	until(t, ctx, "the page in English", `document.getElementById("login-submit").textContent === "Log in"`)
	screenshot(t, ctx, "login")

	step(t, ctx, "a wrong token", chromedp.SendKeys(chromedp.ID("login-token"), "not-the-token"), chromedp.Click(chromedp.ID("login-submit")))
	until(t, ctx, "the wrong token refused", `!document.getElementById("login-error").hidden && document.getElementById("login-error").textContent === "Wrong token."`)
	js(t, ctx, "clearing the token", `document.getElementById("login-token").value = ""`)
	step(t, ctx, "logging in", chromedp.SendKeys(chromedp.ID("login-token"), adminToken), chromedp.Click(chromedp.ID("login-submit")))

	// Overview: both robots, the failing one with its errcode and dead letter.
	until(t, ctx, "the overview", `!document.getElementById("view-overview").hidden && document.querySelectorAll("#robots tbody tr").length === 2`)
	until(t, ctx, "backend's dead letter and errcode", `(() => {
		const row = document.querySelector('#robots tr[data-robot="backend"]');
		return row && row.querySelector(".dead-count").textContent === "1" && row.querySelector(".last").textContent.includes("errcode 310000")
			&& row.querySelector(".url").textContent.endsWith("/robot/send") && row.querySelector("button.replay-robot") !== null; })()`)
	until(t, ctx, "ops delivered", `document.querySelector('#robots tr[data-robot="ops"] .hour').textContent.startsWith("ok 1")`)
	if html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); strings.Contains(html, dingToken) || strings.Contains(html, wecomKey) || strings.Contains(html, adminToken) {
		t.Fatal("a credential is in the page")
	}
	screenshot(t, ctx, "overview")

	// Deliveries: the dead letter, replayed once the robot is fixed.
	step(t, ctx, "opening the deliveries", chromedp.Click(chromedp.CSS(`#nav a[data-view="deliveries"]`)))
	until(t, ctx, "the deliveries view", `!document.getElementById("view-deliveries").hidden`)
	choose(t, ctx, "f-status", "dead")
	until(t, ctx, "the dead letter listed", `(() => { const rows = document.querySelectorAll("#deliveries tbody tr[data-id]");
		return rows.length === 1 && rows[0].textContent.includes("errcode 310000") && rows[0].textContent.includes("permanent error"); })()`)
	screenshot(t, ctx, "deliveries-dead")
	ding.SetAnswer(nil)
	step(t, ctx, "replaying", chromedp.Click(chromedp.CSS(`#deliveries tbody tr[data-id] button.replay`)))
	until(t, ctx, "the dead letter gone", `document.querySelectorAll("#deliveries tbody tr[data-id]").length === 0`)
	waitFor(t, "the replayed push delivered", func() bool { l, _ := r.queue.Sent("backend", 10); return len(l) == 1 })
	choose(t, ctx, "f-status", "sent")
	choose(t, ctx, "f-robot", "backend")
	until(t, ctx, "the delivered push", `document.querySelectorAll("#deliveries tbody tr[data-id]").length === 1`)
	step(t, ctx, "opening it", chromedp.Click(chromedp.CSS(`#deliveries tbody tr[data-id]`)))
	until(t, ctx, "the message as DingTalk shows it", `(() => { const d = document.getElementById("delivery-detail");
		return !d.hidden && d.querySelector(".chat-phone.chat-dingtalk .chat-bubble") !== null && d.textContent.includes("fix: login")
			&& d.querySelector("pre.json").textContent.includes('"msgtype": "markdown"'); })()`)
	screenshot(t, ctx, "deliveries-sent")

	// Playground: the webhook of that message, then a sample for the robot,
	// then a template edited as typed.
	step(t, ctx, "opening its webhook in the playground", chromedp.Click(chromedp.CSS(`#delivery-detail button.open-in-playground`)))
	until(t, ctx, "the webhook rendered again", `!document.getElementById("view-playground").hidden && document.getElementById("pg-source").value === "recent:push-1"
		&& document.getElementById("pg-payload").value.includes("fix: login") && document.getElementById("pg-preview").textContent.includes("fix: login")`)
	choose(t, ctx, "pg-source", "sample:push-two-commits.json")
	until(t, ctx, "the sample rendered for backend", `(() => { const p = document.getElementById("pg-preview");
		return p.querySelector(".chat-dingtalk .chat-bubble") !== null && p.textContent.includes("更新文件 README.md")
			&& document.getElementById("pg-sent").textContent.includes("would be sent")
			&& document.getElementById("pg-size").textContent.includes("within the limit"); })()`)
	until(t, ctx, "push.tmpl open in the editor", `document.getElementById("pg-file").value === "zh/push.tmpl" && document.getElementById("pg-template").value.includes('{{define "push.text"}}')`)
	caret := `const ta = document.getElementById("pg-template"); const i = ta.value.indexOf('{{define "push.text"}}') + '{{define "push.text"}}'.length;
		ta.focus(); ta.setSelectionRange(i, i)`
	js(t, ctx, "placing the caret", caret)
	step(t, ctx, "typing into the template", chromedp.KeyEvent("Edited in the browser. "))
	until(t, ctx, "the preview changed", `document.getElementById("pg-preview").textContent.includes("Edited in the browser.") && document.getElementById("pg-error").hidden
		&& document.getElementById("pg-file").selectedOptions[0].textContent.includes("(edited)")`)
	// Each client's own rendering: WeCom quotes, markdown_v2 lists, a
	// Feishu card with its button.
	for target, shape := range map[string]string{
		"wecom":    "#pg-preview .chat-wecom .chat-bubble blockquote a",
		"wecom_v2": "#pg-preview .chat-wecom_v2 .chat-bubble ul li a",
		"dingtalk": "#pg-preview .chat-dingtalk .chat-bubble ul li a",
	} {
		choose(t, ctx, "pg-for", "target:"+target)
		until(t, ctx, target+"'s rendering", fmt.Sprintf(`document.querySelector(%q) !== null && document.getElementById("pg-preview").textContent.includes("Edited in the browser.")`, shape))
	}
	choose(t, ctx, "pg-for", "target:feishu")
	until(t, ctx, "the Feishu card", `(() => { const c = document.querySelector("#pg-preview .chat-feishu .chat-card");
		return c !== null && c.textContent.includes("Edited in the browser.") && c.querySelector(".chat-button-primary") !== null
			&& c.querySelector(".chat-card-head.chat-card-blue") !== null; })()`)
	screenshot(t, ctx, "playground")
	js(t, ctx, "placing the caret again", caret)
	step(t, ctx, "breaking the template", chromedp.KeyEvent("{{if}}"))
	until(t, ctx, "the error with its line", `(() => { const e = document.getElementById("pg-error");
		return !e.hidden && e.textContent.includes("Template error") && e.querySelector(".problem-at").textContent.startsWith("zh/push.tmpl line "); })()`)
	step(t, ctx, "resetting the file", chromedp.Click(chromedp.ID("pg-reset")))
	until(t, ctx, "the default message back", `document.getElementById("pg-error").hidden && !document.getElementById("pg-preview").textContent.includes("Edited in the browser.")
		&& !document.getElementById("pg-preview").classList.contains("stale")`)
	// A GitLab sample: the sender follows it, the body names the event.
	choose(t, ctx, "pg-source", "sample:gitlab/merge_request-open.json")
	until(t, ctx, "the GitLab merge request rendered", `document.getElementById("pg-from").value === "gitlab" && document.getElementById("pg-event").value === ""
		&& document.getElementById("pg-preview").textContent.includes("!17") && document.getElementById("pg-error").hidden`)

	// Back to Chinese, the overview refreshed, then log out.
	step(t, ctx, "switching to Chinese", chromedp.Click(chromedp.ID("lang-zh")), chromedp.Click(chromedp.CSS(`#nav a[data-view="overview"]`)))
	until(t, ctx, "the overview in Chinese, backend delivered", `document.querySelector('#nav a[data-view="overview"]').textContent === "概览"
		&& document.querySelector('#robots tr[data-robot="backend"] .dead-count').textContent === "0 条"
		&& document.querySelector('#robots tr[data-robot="backend"] .last').textContent.includes("成功")`)
	screenshot(t, ctx, "overview-zh")
	step(t, ctx, "logging out", chromedp.Click(chromedp.ID("logout")))
	until(t, ctx, "the login form", `!document.getElementById("view-login").hidden && document.getElementById("nav").hidden`)

	if p := problems(); len(p) > 0 {
		t.Fatalf("the page reported errors:\n%s", strings.Join(p, "\n"))
	}
}
