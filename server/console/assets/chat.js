// Shows a wire body the way the chat client shows it: a message bubble
// per client at phone width. Each target's markdown dialect differs (line
// breaks, lists, quotes, colours, escapes, mentions), so each has its
// rules below. Everything is built with DOM nodes and textContent: text
// from the body never becomes HTML, links only open http(s) URLs, and no
// image is loaded from anywhere.
"use strict";

const DIALECTS = {
  // DingTalk: a single \n is a soft break (a blank line or a two-space
  // line end breaks), lists, quotes, <font color="#hex">.
  dingtalk: { headings: true, lists: true, quotes: true, soft: "space", escapes: true, fonts: true, code: false },
  // WeCom markdown: \n breaks, no lists (shown as typed), quotes,
  // <font color="info|comment|warning">, <@userid> mentions.
  wecom: { headings: true, lists: false, quotes: true, soft: "break", escapes: true, fonts: true, code: false, wecomAt: true },
  // WeCom markdown_v2: CommonMark-like, lists, code blocks, no colours.
  wecom_v2: { headings: true, lists: true, quotes: true, soft: "space", escapes: true, fonts: false, code: true },
  // Feishu card markdown: \n breaks, lists, no headings or quotes, HTML
  // entities instead of backslash escapes, <font color='red'>, <at id=…>.
  feishu: { headings: false, lists: true, quotes: false, soft: "break", escapes: false, fonts: true, code: false, feishuAt: true },
};

const FONT_COLOURS = {
  info: "#0b8a3e", comment: "#8f959e", warning: "#e37318",
  green: "#0b8a3e", red: "#d9363e", grey: "#8f959e", gray: "#8f959e",
};

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function entity(name) {
  if (name[0] === "#") {
    const n = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return n > 0 && n < 0x110000 ? String.fromCodePoint(n) : "";
  }
  return ENTITIES[name.toLowerCase()] || "";
}

function safeHref(u) {
  return /^https?:\/\//i.test(u) ? u : null;
}

function colourOf(c) {
  if (/^#[0-9a-f]{3,8}$/i.test(c)) return c;
  return FONT_COLOURS[c.toLowerCase()] || null;
}

// inline appends s, with the dialect's inline markup, to parent.
function inline(s, d, parent) {
  let buf = "";
  const flush = () => { if (buf) { parent.append(document.createTextNode(buf)); buf = ""; } };
  const wrap = (tag, cls, inner) => { flush(); const e = el(tag, cls); inline(inner, d, e); parent.append(e); };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    const rest = s.slice(i);
    let m;
    if (c === "\\" && d.escapes && i + 1 < s.length && /[!-/:-@[-`{-~]/.test(s[i + 1])) {
      buf += s[i + 1]; i += 2; continue;
    }
    if (c === "&" && (m = /^&(#\d{1,7}|#x[0-9a-f]{1,6}|amp|lt|gt|quot|apos|nbsp);/i.exec(rest))) {
      buf += entity(m[1]); i += m[0].length; continue;
    }
    if (c === "`" && (m = /^`([^`\n]+)`/.exec(rest))) {
      flush(); parent.append(el("code", "", m[1])); i += m[0].length; continue;
    }
    if (c === "*" && (m = /^\*\*(?=\S)([\s\S]+?)\*\*/.exec(rest))) { wrap("strong", "", m[1]); i += m[0].length; continue; }
    if (c === "~" && (m = /^~~(?=\S)([\s\S]+?)~~/.exec(rest))) { wrap("del", "", m[1]); i += m[0].length; continue; }
    if ((c === "*" || (c === "_" && !/\w/.test(s[i - 1] || ""))) && (m = /^([*_])(?=\S)([^*_\n]+?)\1/.exec(rest))) {
      wrap("em", "", m[2]); i += m[0].length; continue;
    }
    if (c === "!" && (m = /^!\[([^\]\n]*)\]\(([^()\s]*)\)/.exec(rest))) {
      flush(); parent.append(el("span", "chat-image", "🖼 " + (m[1] || m[2]))); i += m[0].length; continue;
    }
    if (c === "[" && (m = /^\[([^\]\n]*)\]\(([^()\s]*)\)/.exec(rest))) {
      const href = safeHref(m[2]);
      if (href) {
        flush();
        const a = el("a");
        a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
        inline(m[1], d, a);
        parent.append(a);
        i += m[0].length; continue;
      }
    }
    if (c === "<") {
      if (d.fonts && (m = /^<font\s+color\s*=\s*(['"]?)([#\w]+)\1\s*>([\s\S]*?)<\/font>/i.exec(rest))) {
        flush();
        const f = el("span", "chat-font");
        const colour = colourOf(m[2]);
        if (colour) f.style.color = colour;
        inline(m[3], d, f);
        parent.append(f);
        i += m[0].length; continue;
      }
      if (d.feishuAt && (m = /^<at\s+id\s*=\s*(['"]?)([\w-]+)\1\s*>([^<]*)<\/at>/i.exec(rest))) {
        flush();
        parent.append(el("span", "chat-at", "@" + (m[2] === "all" ? t("chat.all") : (m[3] || m[2]))));
        i += m[0].length; continue;
      }
      if (d.wecomAt && (m = /^<@([^<>\s]+)>/.exec(rest))) {
        flush(); parent.append(el("span", "chat-at", "@" + m[1])); i += m[0].length; continue;
      }
    }
    buf += c; i++;
  }
  flush();
}

// lines appends paragraph lines with the dialect's line breaks.
function lines(ls, d, parent) {
  ls.forEach((l, i) => {
    const hard = / {2,}$/.test(l) || /\\$/.test(l);
    inline(l.replace(/ {2,}$/, "").replace(/\\$/, ""), d, parent);
    if (i < ls.length - 1) {
      if (d.soft === "break" || hard) parent.append(el("br"));
      else parent.append(document.createTextNode(" "));
    }
  });
}

const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;

// markdown renders text in dialect d into a new element.
function markdown(text, d) {
  const root = el("div", "chat-md");
  const src = String(text).replace(/\r\n?/g, "\n").split("\n");
  let para = [];
  const endPara = () => {
    if (para.length) { const p = el("p"); lines(para, d, p); root.append(p); para = []; }
  };
  for (let i = 0; i < src.length; i++) {
    const line = src[i];
    let m;
    if (d.code && /^(```|~~~)/.test(line)) {
      endPara();
      const fence = line.slice(0, 3);
      const code = [];
      for (i++; i < src.length && !src[i].startsWith(fence); i++) code.push(src[i]);
      root.append(el("pre", "chat-code", code.join("\n")));
      continue;
    }
    if (/^\s*$/.test(line)) { endPara(); continue; }
    if (d.headings && (m = /^(#{1,6})\s+(.*)$/.exec(line))) {
      endPara();
      const h = el("div", "chat-h chat-h" + m[1].length);
      inline(m[2].replace(/\s+#+\s*$/, ""), d, h);
      root.append(h);
      continue;
    }
    if (d.quotes && /^>/.test(line)) {
      endPara();
      const q = el("blockquote");
      const ql = [];
      for (; i < src.length && /^>/.test(src[i]); i++) ql.push(src[i].replace(/^>\s?/, ""));
      i--;
      lines(ql, Object.assign({}, d, d.soft === "space" ? {} : { soft: "break" }), q);
      root.append(q);
      continue;
    }
    if (d.lists && LIST_ITEM.test(line)) {
      endPara();
      const ordered = /\d/.test(LIST_ITEM.exec(line)[2]);
      const list = el(ordered ? "ol" : "ul");
      for (; i < src.length && (m = LIST_ITEM.exec(src[i])); i++) {
        const li = el("li");
        inline(m[3], d, li);
        list.append(li);
      }
      i--;
      root.append(list);
      continue;
    }
    para.push(line);
  }
  endPara();
  return root;
}

// bubble is one chat message: the robot's avatar and name, then content.
function bubble(kind, content) {
  const row = el("div", "chat-row");
  row.append(el("div", "chat-avatar chat-avatar-" + kind, "C"));
  const col = el("div", "chat-col");
  col.append(el("div", "chat-name", t("chat.robot")));
  col.append(content);
  row.append(col);
  return row;
}

const FEISHU_HEADERS = ["blue", "wathet", "turquoise", "green", "yellow", "orange", "red", "carmine", "violet", "purple", "indigo", "grey"];

function feishuCard(body) {
  const card = (body && body.card) || {};
  const box = el("div", "chat-card");
  const head = card.header || {};
  const colour = FEISHU_HEADERS.includes(head.template) ? head.template : "blue";
  if (head.title) box.append(el("div", "chat-card-head chat-card-" + colour, head.title.content || ""));
  for (const e of card.elements || []) {
    if (e.tag === "markdown") {
      box.append(markdown(e.content || "", DIALECTS.feishu));
    } else if (e.tag === "div" && e.text) {
      box.append(markdown(e.text.content || "", DIALECTS.feishu));
    } else if (e.tag === "hr") {
      box.append(el("hr"));
    } else if (e.tag === "action") {
      const bar = el("div", "chat-actions");
      for (const b of e.actions || []) {
        const href = safeHref(b.url || "");
        const a = el(href ? "a" : "span", "chat-button chat-button-" + (b.type || "default"), (b.text && b.text.content) || "");
        if (href) { a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer"; }
        bar.append(a);
      }
      box.append(bar);
    }
  }
  return box;
}

// renderChat shows body (the JSON a robot of target is sent) in a phone
// frame: the notification line with the title where the client shows one,
// then the bubble.
function renderChat(target, body) {
  const phone = el("div", "chat-phone chat-" + target);
  phone.append(el("div", "chat-client", t("target." + target)));
  const screen = el("div", "chat-screen");
  let content;
  if (target === "feishu") {
    content = feishuCard(body);
  } else if (target === "dingtalk") {
    const md = (body && body.markdown) || {};
    if (md.title) screen.append(el("div", "chat-notice", t("chat.notification", md.title)));
    content = el("div", "chat-bubble");
    content.append(markdown(md.text || "", DIALECTS.dingtalk));
  } else {
    const v2 = body && body.msgtype === "markdown_v2";
    const md = (body && (v2 ? body.markdown_v2 : body.markdown)) || {};
    content = el("div", "chat-bubble");
    content.append(markdown(md.content || "", DIALECTS[v2 ? "wecom_v2" : "wecom"]));
  }
  screen.append(bubble(target === "wecom_v2" ? "wecom" : target, content));
  phone.append(screen);
  return phone;
}
