// The console page: log in, then three views (overview, deliveries,
// playground) switched by the URL's fragment, all fed by the JSON API under
// /console/api. Plain DOM, no framework; every text from the relay goes in
// through textContent.
"use strict";

const state = {
  view: "",
  timer: 0,
  robots: [],
  deliveries: null,
  pg: null, // what GET /playground offered
  pgReady: false,
  edits: {}, // template file → edited text
  originals: {}, // template file → text as loaded
  file: "",
  autoFile: true,
  renderSeq: 0,
  renderTimer: 0,
  pendingSource: "", // a payload to open once the playground is shown
};

const $ = (id) => document.getElementById(id);

// api calls the console's API; it never throws: a network failure is
// status 0. A 401 on anything but the login sends the page to the login.
async function api(method, path, body) {
  const opts = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (method !== "GET") {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body || {});
  }
  let res;
  try {
    res = await fetch("/console/api" + path, opts);
  } catch (e) {
    flash(t("error.network", e.message), true);
    return { status: 0, data: {} };
  }
  let data = {};
  try { data = await res.json(); } catch (_) { data = {}; }
  if (res.status === 401 && path !== "/login") showLogin();
  return { status: res.status, data };
}

let flashTimer = 0;
function flash(msg, isError) {
  const f = $("flash");
  f.textContent = msg;
  f.classList.toggle("error", !!isError);
  f.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { f.hidden = true; }, 5000);
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

function cell(tr, cls, ...children) {
  const td = el("td", cls);
  for (const c of children) td.append(typeof c === "string" ? document.createTextNode(c) : c);
  tr.append(td);
  return td;
}

function locale() { return lang === "zh" ? "zh-CN" : "en-GB"; }

function clock(iso) {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString(locale()) : d.toLocaleString(locale());
}

function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return t("dur.s", s);
  if (s < 7200) return t("dur.m", Math.round(s / 60));
  return t("dur.h", Math.round(s / 3600));
}

function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (s < 120) return t("ago.s", s);
  if (s < 7200) return t("ago.m", Math.round(s / 60));
  if (s < 172800) return t("ago.h", Math.round(s / 3600));
  return t("ago.d", Math.round(s / 86400));
}

function until(iso) {
  const s = Math.max(0, Math.round((new Date(iso).getTime() - Date.now()) / 1000));
  if (s < 120) return t("in.s", s);
  if (s < 7200) return t("in.m", Math.round(s / 60));
  return t("in.h", Math.round(s / 3600));
}

// ---- session and navigation ----

function showLogin() {
  stopTimer();
  state.view = "";
  document.querySelectorAll(".view").forEach((v) => { v.hidden = true; });
  $("nav").hidden = true;
  $("logout").hidden = true;
  $("view-login").hidden = false;
  $("login-token").focus();
}

function showApp() {
  $("view-login").hidden = true;
  $("nav").hidden = false;
  $("logout").hidden = false;
  route();
}

function route() {
  if ($("nav").hidden) return;
  const name = (location.hash || "#overview").slice(1);
  show(["overview", "deliveries", "playground"].includes(name) ? name : "overview");
}

function stopTimer() {
  clearTimeout(state.timer);
  state.timer = 0;
}

// refreshLater reloads the current view in a few seconds while the page is
// visible, which is how the overview refreshes by itself.
function refreshLater(view, load) {
  stopTimer();
  state.timer = setTimeout(() => {
    if (state.view !== view) return;
    if (document.hidden) { refreshLater(view, load); return; }
    load();
  }, 5000);
}

function show(view) {
  stopTimer();
  state.view = view;
  document.querySelectorAll(".view").forEach((v) => { v.hidden = v.id !== "view-" + view; });
  document.querySelectorAll("#nav a").forEach((a) => a.classList.toggle("active", a.dataset.view === view));
  if (view === "overview") loadOverview();
  if (view === "deliveries") loadDeliveries();
  if (view === "playground") loadPlayground();
}

async function login(ev) {
  ev.preventDefault();
  const input = $("login-token");
  const r = await api("POST", "/login", { token: input.value });
  const err = $("login-error");
  if (r.status === 200) {
    input.value = "";
    err.hidden = true;
    showApp();
    return;
  }
  err.textContent = r.status === 429 ? t("login.limited") : r.status === 401 ? t("login.wrong") : (r.data.error || String(r.status));
  err.hidden = false;
}

async function logout() {
  await api("POST", "/logout");
  showLogin();
}

function switchLanguage(l) {
  setLanguage(l);
  try { localStorage.setItem("console.lang", l); } catch (_) { /* private mode */ }
  applyI18n(document);
  if (state.pgReady) fillPlaygroundChoices();
  if (state.view) show(state.view);
}

// ---- overview ----

async function loadOverview() {
  const r = await api("GET", "/overview");
  if (r.status !== 200) return;
  state.robots = r.data.robots;
  renderOverview(r.data);
  $("overview-refreshed").textContent = t("refreshed", new Date().toLocaleTimeString(locale()));
  refreshLater("overview", loadOverview);
}

function configOf(r) {
  const box = el("div", "config");
  const line = [r.rate === "0" ? t("rate.off") : t("rate", r.rate)];
  if (r.signed) line.push(t("signed"));
  if (r.inflight) line.push("inflight " + r.inflight);
  box.append(el("div", "", line.join(" · ")));
  const filters = [["events", r.events], ["actions", r.actions], ["branches", r.branches], ["projects", r.projects]]
    .filter(([, v]) => v && v.length);
  if (r.template) box.append(el("div", "", t("filter.template") + ": " + r.template));
  if (!filters.length) box.append(el("div", "muted", t("filters.all")));
  for (const [k, v] of filters) box.append(el("div", "", t("filter." + k) + ": " + v.join(", ")));
  return box;
}

function renderOverview(data) {
  $("overview-dryrun").hidden = !data.dry_run;
  const body = document.querySelector("#robots tbody");
  clear(body);
  for (const r of data.robots) {
    const tr = el("tr");
    tr.dataset.robot = r.name;
    const name = el("div");
    name.append(el("strong", "", r.name), " ", el("span", "badge kind-" + r.kind, r.kind));
    cell(tr, "robot", name, el("div", "muted url", r.url));
    cell(tr, "config", configOf(r));
    const q = cell(tr, "depth", t("depth", r.depth || 0));
    if (r.depth) q.append(el("div", "muted", t("oldest", duration(r.oldest_age_seconds))));
    const st = cell(tr, "state");
    if (r.state) {
      st.append(el("span", "badge state-" + r.state, t("state." + r.state)));
      if (r.until) st.append(el("div", "muted", t("until", clock(r.until), until(r.until))));
    } else {
      st.textContent = "–";
    }
    const last = cell(tr, "last");
    if (r.last) {
      last.append(el("span", "badge result-" + r.last.result, t("result." + r.last.result)), " ", el("span", "muted", ago(r.last.at)));
      if (r.last.errcode) last.append(el("div", "errcode", "errcode " + r.last.errcode));
      if (r.last.error) last.append(el("div", "muted small", r.last.error));
    } else {
      last.append(el("span", "muted", t("last.none")));
    }
    const h = r.last_hour || { ok: 0, failed: 0, retried: 0 };
    cell(tr, "hour", t("hour", h.ok, h.failed, h.retried));
    const dead = cell(tr, "dead", el("span", r.dead ? "dead-count has-dead" : "dead-count", t("dead.count", r.dead || 0)));
    if (r.dead) {
      const b = el("button", "replay-robot", t("replay.robot"));
      b.type = "button";
      b.addEventListener("click", () => replayRobot(r.name));
      dead.append(" ", b);
    }
    body.append(tr);
  }
}

async function replayRobot(name) {
  const r = await api("POST", "/robots/" + encodeURIComponent(name) + "/replay");
  if (r.status === 202) flash(t("replayed", r.data.replayed, r.data.left));
  else if (r.status) flash(r.data.error || String(r.status), true);
  if (state.view === "overview") loadOverview();
}

// ---- deliveries ----

async function ensureRobots() {
  if (state.robots.length) return;
  const r = await api("GET", "/overview");
  if (r.status === 200) state.robots = r.data.robots;
}

function fillSelect(sel, options, value) {
  clear(sel);
  for (const [v, label] of options) {
    const o = el("option", "", label);
    o.value = v;
    sel.append(o);
  }
  sel.value = options.some(([v]) => v === value) ? value : options[0][0];
}

async function loadDeliveries() {
  await ensureRobots();
  const status = $("f-status").value || "pending";
  const robotSel = $("f-robot"), eventSel = $("f-event");
  fillSelect(robotSel, [["", t("filter.robot.all")], ...state.robots.map((r) => [r.name, r.name])], robotSel.value);
  const q = new URLSearchParams({ status });
  if (robotSel.value) q.set("robot", robotSel.value);
  if (eventSel.value) q.set("event", eventSel.value);
  const r = await api("GET", "/deliveries?" + q.toString());
  if (r.status !== 200) return;
  state.deliveries = r.data;
  fillSelect(eventSel, [["", t("filter.event.all")], ...r.data.events.map((e) => [e, e])], eventSel.value);
  renderDeliveries(r.data);
  refreshLater("deliveries", loadDeliveries);
}

function head(cols) {
  const tr = document.querySelector("#deliveries thead tr");
  clear(tr);
  for (const c of cols) tr.append(el("th", "", t(c)));
}

function renderDeliveries(d) {
  const body = document.querySelector("#deliveries tbody");
  clear(body);
  const list = d.status === "sent" ? d.sent : d.deliveries;
  let count = t("shown", list.length, d.matched);
  if (d.scanned < d.total) count += t("scanned", d.scanned);
  $("deliveries-count").textContent = count;
  if (d.status === "sent") {
    head(["col.when", "col.robot", "col.event", "col.title", "col.attempts", "col.size"]);
    for (const s of list) {
      const tr = el("tr", "clickable");
      tr.dataset.id = s.robot + "/" + s.id;
      cell(tr, "when", clock(s.at));
      cell(tr, "robot", s.robot);
      cell(tr, "event", s.items.map((i) => i.event + (i.action ? " · " + i.action : "")).filter((v, i, a) => a.indexOf(v) === i).join(", "));
      cell(tr, "title", s.title);
      cell(tr, "attempts", String(s.attempts));
      cell(tr, "size", String(s.bytes));
      tr.addEventListener("click", () => showSent(s, tr));
      body.append(tr);
    }
  } else {
    const dead = d.status === "dead";
    head(["col.robot", "col.event", "col.title", "col.attempts", "col.error", ...(dead ? ["col.reason"] : []), "col.age", ...(dead ? [""] : [])]);
    for (const x of list) {
      const tr = el("tr");
      tr.dataset.id = x.id;
      cell(tr, "robot", x.robot);
      cell(tr, "event", x.event + (x.action ? " · " + x.action : ""));
      cell(tr, "title", x.title);
      cell(tr, "attempts", String(x.attempts));
      const err = cell(tr, "error");
      if (x.errcode) err.append(el("span", "errcode", "errcode " + x.errcode), " ");
      if (x.last_error) err.append(el("span", "muted small", x.last_error));
      if (dead) cell(tr, "reason", x.reason ? t("reason." + x.reason) : "");
      cell(tr, "age", duration(x.age_seconds));
      if (dead) {
        const b = el("button", "replay", t("replay"));
        b.type = "button";
        b.addEventListener("click", () => replay(x.id));
        cell(tr, "action", b);
      }
      body.append(tr);
    }
  }
  if (!list.length) {
    const tr = el("tr", "empty");
    const td = cell(tr, "muted", t("empty"));
    td.colSpan = 8;
    body.append(tr);
  }
  if (!document.querySelector("#deliveries tr.selected")) $("delivery-detail").hidden = true;
}

async function replay(id) {
  const r = await api("POST", "/deliveries/" + encodeURIComponent(id) + "/replay");
  if (r.status === 202) flash(t("replayed.one"));
  else if (r.status) flash(r.data.error || String(r.status), true);
  loadDeliveries();
}

function showSent(s, tr) {
  document.querySelectorAll("#deliveries tr.selected").forEach((x) => x.classList.remove("selected"));
  tr.classList.add("selected");
  const box = $("delivery-detail");
  clear(box);
  box.append(renderChat(s.target, s.body));
  box.append(el("h3", "", t("detail.body")));
  box.append(el("pre", "json", JSON.stringify(s.body, null, 2)));
  if (s.kept) {
    const b = el("button", "open-in-playground", t("detail.open"));
    b.type = "button";
    b.addEventListener("click", () => openInPlayground(s.items[0].delivery));
    box.append(b);
  }
  box.hidden = false;
}

// ---- playground ----

// openInPlayground shows the playground with a recent webhook's payload.
async function openInPlayground(delivery) {
  state.pendingSource = "recent:" + delivery;
  if (location.hash === "#playground") loadPlayground();
  else location.hash = "#playground";
}

async function loadPlayground() {
  const r = await api("GET", "/playground");
  if (r.status !== 200) return;
  const first = !state.pgReady;
  state.pg = r.data;
  state.pgReady = true;
  fillPlaygroundChoices();
  $("pg-editor").hidden = !r.data.editable;
  $("pg-noedit").hidden = r.data.editable;
  if (state.pendingSource) {
    const src = state.pendingSource;
    state.pendingSource = "";
    await pickSource(src);
  } else if (first) {
    const push = r.data.samples.find((s) => s.name === "push-two-commits.json") || r.data.samples[0];
    if (push) await pickSource("sample:" + push.name);
  }
}

// fillPlaygroundChoices (re)builds the selects, keeping what is chosen.
function fillPlaygroundChoices() {
  const pg = state.pg;
  const src = $("pg-source");
  const cur = src.value;
  clear(src);
  const group = (label, items) => {
    const g = el("optgroup");
    g.label = label;
    for (const [v, text] of items) { const o = el("option", "", text); o.value = v; g.append(o); }
    if (items.length) src.append(g);
  };
  group(t("pg.samples"), pg.samples.map((s) => ["sample:" + s.name, s.name]));
  group(t("pg.recent"), pg.recent.map((p) => ["recent:" + p.delivery, p.event + " · " + clock(p.at) + " · " + p.delivery]));
  const pasted = el("option", "", t("pg.pasted"));
  pasted.value = "pasted";
  src.append(pasted);
  if (cur) src.value = cur;
  fillSelect($("pg-from"), pg.sources.map((s) => [s, s]), $("pg-from").value);

  const forSel = $("pg-for");
  const curFor = forSel.value;
  clear(forSel);
  const robots = el("optgroup");
  robots.label = t("pg.robots");
  for (const r of pg.robots) {
    const o = el("option", "", r.name + " (" + t("target." + r.target) + (r.template ? ", " + r.template : "") + ")");
    o.value = "robot:" + r.name;
    robots.append(o);
  }
  if (pg.robots.length) forSel.append(robots);
  const targets = el("optgroup");
  targets.label = t("pg.targets");
  for (const x of pg.targets) {
    const o = el("option", "", t("target." + x.target));
    o.value = "target:" + x.target;
    targets.append(o);
  }
  forSel.append(targets);
  forSel.value = curFor || forSel.options[0].value;

  const variant = $("pg-variant");
  const curVariant = variant.value;
  fillSelect(variant, [["", t("pg.variant.default")], ...pg.variants.map((v) => [v, v])], curVariant);
  variant.disabled = forSel.value.startsWith("robot:");

  fillFiles();
}

function fillFiles() {
  const sel = $("pg-file");
  const cur = state.file || sel.value;
  const files = state.pg.files.slice();
  for (const f of Object.keys(state.edits)) if (!files.includes(f)) files.push(f);
  fillSelect(sel, files.map((f) => [f, f + (f in state.edits ? t("pg.edited") : "")]), cur);
  if (!files.length) return;
  if (sel.value !== state.file) openFile(sel.value);
}

async function openFile(name) {
  state.file = name;
  $("pg-file").value = name;
  if (!(name in state.originals)) {
    const r = await api("GET", "/template?name=" + encodeURIComponent(name));
    if (r.status !== 200) return;
    state.originals[name] = r.data.text;
  }
  if (state.file === name) $("pg-template").value = name in state.edits ? state.edits[name] : state.originals[name];
}

async function pickSource(value) {
  const src = $("pg-source");
  if (state.pgReady) src.value = value;
  let r;
  if (value.startsWith("sample:")) r = await api("GET", "/samples/" + value.slice(7).split("/").map(encodeURIComponent).join("/"));
  else if (value.startsWith("recent:")) r = await api("GET", "/recent/" + encodeURIComponent(value.slice(7)));
  else return;
  if (r.status !== 200) { if (r.status) flash(r.data.error || String(r.status), true); return; }
  $("pg-payload").value = prettyJSON(r.data.payload);
  if (r.data.source) $("pg-from").value = r.data.source;
  $("pg-event").value = r.data.event || "";
  state.autoFile = true;
  renderNow();
}

function prettyJSON(s) {
  try { return JSON.stringify(JSON.parse(s), null, 2); } catch (_) { return s; }
}

function scheduleRender() {
  clearTimeout(state.renderTimer);
  state.renderTimer = setTimeout(renderNow, 250);
}

async function renderNow() {
  clearTimeout(state.renderTimer);
  const payload = $("pg-payload").value;
  if (!payload.trim()) return;
  const forValue = $("pg-for").value;
  const req = { source: $("pg-from").value, event: $("pg-event").value.trim(), payload, edits: state.edits };
  if (forValue.startsWith("robot:")) req.robot = forValue.slice(6);
  else { req.target = forValue.slice(7); req.variant = $("pg-variant").value; }
  const seq = ++state.renderSeq;
  $("pg-status").classList.add("busy");
  const r = await api("POST", "/render", req);
  if (seq !== state.renderSeq) return; // a newer rendering is on its way
  $("pg-status").classList.remove("busy");
  if (r.status !== 200) {
    if (r.status) showProblem({ stage: "body", message: r.data.error || String(r.status) });
    return;
  }
  showRendering(r.data);
}

function showProblem(p) {
  const box = $("pg-error");
  clear(box);
  box.append(el("strong", "", t("pg.stage." + p.stage)), ": ", el("span", "problem-message", p.message));
  if (p.file && p.line) {
    const b = el("button", "link problem-at", t("pg.at", p.file, p.line));
    b.type = "button";
    b.addEventListener("click", () => gotoLine(p.file, p.line));
    box.append(" ", b);
  }
  box.hidden = false;
  $("pg-preview").classList.add("stale");
}

async function gotoLine(file, line) {
  if (!state.pg.files.includes(file) && !(file in state.edits)) return;
  await openFile(file);
  const ta = $("pg-template");
  const lines = ta.value.split("\n");
  let start = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
  ta.focus();
  ta.setSelectionRange(start, start + (lines[line - 1] || "").length);
  ta.scrollTop = Math.max(0, (line - 5) * 16);
}

function showRendering(a) {
  if (state.autoFile && a.event && state.pg) {
    const f = state.pg.language + "/" + a.event + ".tmpl";
    if (state.pg.files.includes(f) && f !== state.file) openFile(f);
  }
  if (!a.ok) { showProblem(a.problem); return; }
  $("pg-error").hidden = true;
  const preview = $("pg-preview");
  preview.classList.remove("stale");
  clear(preview);
  preview.append(renderChat(a.target, a.body));
  const size = $("pg-size");
  size.textContent = t("pg.size", a.size, a.limit) + " · " + (a.fits ? t("pg.fits") : t("pg.toobig"));
  size.className = a.fits ? "fits" : "toobig";
  const sent = $("pg-sent");
  sent.textContent = a.robot ? t(a.sent ? "pg.sent.yes" : "pg.sent.no", a.robot) : "";
  sent.className = a.sent === false ? "dropped" : "";
  $("pg-body").textContent = JSON.stringify(a.body, null, 2);
}

function editTemplate() {
  const text = $("pg-template").value;
  const name = state.file;
  if (!name) return;
  const wasEdited = name in state.edits;
  if (text === state.originals[name]) delete state.edits[name];
  else state.edits[name] = text;
  if (wasEdited !== (name in state.edits)) fillFiles();
  state.autoFile = false;
  scheduleRender();
}

function resetFile() {
  delete state.edits[state.file];
  if (state.file in state.originals) $("pg-template").value = state.originals[state.file];
  fillFiles();
  renderNow();
}

function exportFile() {
  const name = state.file;
  if (!name) return;
  const blob = new Blob([$("pg-template").value], { type: "text/plain;charset=utf-8" });
  const a = el("a");
  a.href = URL.createObjectURL(blob);
  a.download = name.split("/").pop();
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// ---- start ----

async function boot() {
  let stored = null;
  try { stored = localStorage.getItem("console.lang"); } catch (_) { stored = null; }
  setLanguage(stored || document.documentElement.dataset.lang || "zh");
  applyI18n(document);
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  $("lang-zh").addEventListener("click", () => switchLanguage("zh"));
  $("lang-en").addEventListener("click", () => switchLanguage("en"));
  window.addEventListener("hashchange", route);
  ["f-status", "f-robot", "f-event"].forEach((id) => $(id).addEventListener("change", () => {
    $("delivery-detail").hidden = true;
    loadDeliveries();
  }));
  $("pg-source").addEventListener("change", (e) => pickSource(e.target.value));
  $("pg-payload").addEventListener("input", () => { $("pg-source").value = "pasted"; scheduleRender(); });
  $("pg-event").addEventListener("input", scheduleRender);
  $("pg-from").addEventListener("change", renderNow);
  $("pg-for").addEventListener("change", () => {
    $("pg-variant").disabled = $("pg-for").value.startsWith("robot:");
    renderNow();
  });
  $("pg-variant").addEventListener("change", renderNow);
  $("pg-file").addEventListener("change", (e) => { state.autoFile = false; openFile(e.target.value); });
  $("pg-template").addEventListener("input", editTemplate);
  $("pg-reset").addEventListener("click", resetFile);
  $("pg-export").addEventListener("click", exportFile);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && state.view === "overview") loadOverview();
  });
  const s = await api("GET", "/session");
  if (s.data.authenticated) showApp();
  else showLogin();
}

boot();
