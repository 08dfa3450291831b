package translate

import (
	"fmt"
	"slices"
	"strings"
)

// DigestItem is one coalesced message as the digest templates see it.
type DigestItem struct {
	Event   string
	Action  string
	Title   string
	Summary string // one line, target markdown, already escaped
	Link    string
}

// DigestData is what digest.title and digest.text templates see.
type DigestData struct {
	Target Target
	Lang   string
	Count  int
	Items  []DigestItem
	// Outcome is the digest's outcome (Message.Outcome): failure when an
	// item failed, else warning when one warns, success when all succeeded,
	// else "" (neutral).
	Outcome string

	depth int
}

func (d *DigestData) enter() int { d.depth++; return d.depth }
func (d *DigestData) leave()     { d.depth-- }

// IsDingTalk reports a DingTalk render.
func (d *DigestData) IsDingTalk() bool { return d.Target == DingTalk }

// IsWeCom reports a WeCom markdown (v1) render; false for WeComV2, as on
// Data.
func (d *DigestData) IsWeCom() bool { return d.Target == WeCom }

// IsWeComV2 reports a WeCom markdown_v2 render.
func (d *DigestData) IsWeComV2() bool { return d.Target == WeComV2 }

// Digest coalesces messages for target t (a robot that must not get them
// one by one, e.g. while throttled) into as few digest messages as
// possible. Each digest lists the items' Summary lines in the original
// order, fits the target, and mentions everybody its items mentioned. A
// group of one keeps the original message when it was rendered for t.
func (r *Renderer) Digest(t Target, msgs []Message) ([]Message, error) {
	if _, ok := r.sets[t]; !ok {
		return nil, fmt.Errorf("digest: unknown target %q", t)
	}
	var out []Message
	var group []Message
	var rendered Message
	flush := func() {
		if len(group) == 0 {
			return
		}
		if len(group) == 1 && group[0].Target == t && Fits(group[0]) {
			out = append(out, group[0])
		} else {
			out = append(out, rendered)
		}
		group = nil
	}
	for _, m := range msgs {
		candidate := append(slices.Clip(group), m)
		dm, err := r.renderDigest(t, candidate)
		if err != nil {
			return nil, err
		}
		if Fits(dm) {
			group, rendered = candidate, dm
			continue
		}
		flush()
		group = []Message{m}
		if rendered, err = r.renderDigest(t, group); err != nil {
			return nil, err
		}
		if !Fits(rendered) {
			rendered = shrink(rendered)
		}
	}
	flush()
	return out, nil
}

func (r *Renderer) renderDigest(t Target, msgs []Message) (Message, error) {
	d := &DigestData{Target: t, Lang: r.lang, Count: len(msgs), Outcome: digestOutcome(msgs)}
	var ms mentions
	for _, m := range msgs {
		summary := m.Summary
		if summary == "" || m.Target != t {
			// A message queued before its robot changed format (WeCom v1
			// and markdown_v2) has a summary in the other dialect: rebuild
			// one from the plain title and the link.
			summary = mdLink(t, m.Title, m.Link)
		}
		d.Items = append(d.Items, DigestItem{Event: m.Event, Action: m.Action, Title: m.Title, Summary: summary, Link: m.Link})
		for _, mob := range m.AtMobiles {
			ms.add(Mention{DingTalkMobile: mob})
		}
		for _, id := range m.AtUserIDs {
			switch {
			case t == Feishu || m.Target == Feishu:
				// Feishu ids mean nothing to the other kinds, nor theirs
				// to Feishu.
				if m.Target == t {
					ms.add(Mention{FeishuOpenID: id})
				}
			case t == WeCom:
				ms.add(Mention{WeComUserID: id})
			default:
				ms.add(Mention{DingTalkUserID: id})
			}
		}
	}
	title, err := r.execDigest(t, "title", d)
	if err != nil {
		return Message{}, err
	}
	text, err := r.execDigest(t, "text", d)
	if err != nil {
		return Message{}, err
	}
	if title == "" {
		title = fmt.Sprintf("[%d] %s", len(msgs), msgs[0].Title)
	}
	if text == "" {
		var b strings.Builder
		for _, it := range d.Items {
			b.WriteString(bullet(t) + it.Summary + "\n")
		}
		text = b.String()
	}
	m := Message{Target: t, Event: "digest", Title: truncateRunes(128, oneLine(title)), Text: tidyText(text), Link: msgs[0].Link, Outcome: d.Outcome, Lang: r.lang}
	m.Summary = escapeFor(t, m.Title)
	switch t {
	case DingTalk:
		m.AtMobiles, m.AtUserIDs = ms.mobiles, ms.dingIDs
	case WeCom:
		m.AtUserIDs = ms.wecomIDs
	case WeComV2:
		// markdown_v2 cannot mention: the items' mentions are dropped.
	case Feishu:
		m.AtUserIDs = ms.feishuIDs
	}
	if line := mentionLine(t, m.AtMobiles, m.AtUserIDs); line != "" {
		m.Text += "\n\n" + line
	}
	return m, nil
}

func (r *Renderer) execDigest(t Target, part string, d *DigestData) (string, error) {
	tm := r.lookup(t, "digest", "", part)
	if tm == nil {
		return "", nil
	}
	var b strings.Builder
	if err := tm.Execute(&b, d); err != nil {
		return "", fmt.Errorf("render %s for %s: %w", tm.Name(), t, err)
	}
	return b.String(), nil
}
