package translate

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DigestItem is one coalesced message as the digest templates see it:
// only what the stored Message carried, not its event.
type DigestItem struct {
	Event  string
	Action string
	Title  string
	// Summary is the escaped one-line digest line the summary template
	// rendered (else, for a message not rendered for this target, the
	// linked title).
	Summary string
	Link    string
	Outcome string
	// At is when the event arrived (zero if unknown), Clock the same as
	// "15:04", or "12-07 15:04" on another day than the digest is sent.
	At    time.Time
	Clock string
}

// Times are when a digest's messages arrived and when it is sent, passed
// in because translate has no clock. The zero value shows no times.
type Times struct {
	Arrived []time.Time
	Sent    time.Time
}

// lateAfter is the age of the oldest item from which a digest shows times.
const lateAfter = time.Minute

// DigestData is what digest.title and digest.text templates see.
type DigestData struct {
	Target Target
	// The target's Capabilities, as on Data.
	Headings, Colors, Lists, Quotes, Mentions, Card bool
	Lang                                            string
	Count                                           int
	// Items are the failures first, then the rest, in arrival order.
	Items  []DigestItem
	Failed []DigestItem
	// Late is set when the oldest item is lateAfter old: lines then show
	// DigestItem.Clock in Zone ("UTC+8").
	Late bool
	Zone string
	// Outcome is failure if an item failed, else warning if one warns,
	// success if all succeeded, else "".
	Outcome string

	depth int
}

func (d *DigestData) enter() int { d.depth++; return d.depth }
func (d *DigestData) leave()     { d.depth-- }

// Digest coalesces msgs for target t (e.g. a throttled robot) into as few
// fitting digests as possible by repeated DigestPrefix; each keeps the
// items' order and mentions everybody its items mentioned.
func (r *Renderer) Digest(t Target, msgs []Message) ([]Message, error) {
	if _, ok := r.byName[t]; !ok {
		return nil, fmt.Errorf("digest: unknown target %q", t)
	}
	var out []Message
	for len(msgs) > 0 {
		d, n, err := r.DigestPrefix(t, msgs, Times{})
		if err != nil {
			return nil, err
		}
		out, msgs = append(out, d), msgs[n:]
	}
	return out, nil
}

// DigestPrefix renders the digest of the longest prefix of msgs that fits
// one message of t and says how many it holds (≥1 unless msgs is empty); a
// prefix of one is the message itself if rendered for t and fitting.
// It gallops then bisects, so work grows with log(fit), not the backlog,
// assuming a longer prefix never renders shorter.
func (r *Renderer) DigestPrefix(t Target, msgs []Message, at Times) (Message, int, error) {
	dl, ok := r.byName[t]
	if !ok {
		return Message{}, 0, fmt.Errorf("digest: unknown target %q", t)
	}
	if len(msgs) == 0 {
		return Message{}, 0, nil
	}
	// lo fits (one always does, shortened), best is its digest; hi is the
	// shortest known not to fit, len(msgs)+1 while none is known.
	lo, hi := 1, len(msgs)+1
	var best Message
	for hi-lo > 1 {
		k := lo + (hi-lo)/2
		if hi > len(msgs) {
			k = min(2*lo, len(msgs)) // no bound yet: gallop
		}
		d, err := r.renderDigest(dl, msgs[:k], at)
		if err != nil {
			return Message{}, 0, err
		}
		if fits(dl, d) {
			lo, best = k, d
		} else {
			hi = k
		}
	}
	if lo > 1 {
		return best, lo, nil
	}
	head := msgs[0]
	if head.Target == t && fits(dl, head) {
		return head, 1, nil
	}
	d, err := r.renderDigest(dl, msgs[:1], at)
	if err != nil {
		return Message{}, 0, err
	}
	if !fits(dl, d) {
		d = shrink(dl, d)
	}
	return d, 1, nil
}

func (r *Renderer) renderDigest(dl *dialect, msgs []Message, at Times) (Message, error) {
	t, c := dl.Name(), dl.caps
	d := &DigestData{Target: t, Lang: r.lang, Count: len(msgs), Outcome: digestOutcome(msgs),
		Headings: c.Headings, Colors: c.Colors, Lists: c.Lists, Quotes: c.Quotes, Mentions: c.Mentions, Card: c.Card}
	var ms mentions
	var rest []DigestItem
	for i, m := range msgs {
		summary := m.Summary
		if summary == "" || m.Target != t {
			// A message queued before its robot changed format (WeCom v1
			// and markdown_v2) has a summary in the other dialect: rebuild
			// one from the plain title and the link.
			summary = link(dl, m.Title, m.Link)
		}
		it := DigestItem{Event: m.Event, Action: m.Action, Title: m.Title, Summary: summary, Link: m.Link, Outcome: m.Outcome}
		if i < len(at.Arrived) {
			it.At, it.Clock = at.Arrived[i], r.clock(at.Arrived[i], at.Sent)
			d.Late = d.Late || !it.At.IsZero() && at.Sent.Sub(it.At) >= lateAfter
		}
		if it.Outcome == OutcomeFailure {
			d.Failed = append(d.Failed, it)
		} else {
			rest = append(rest, it)
		}
		if m.Target == t {
			// Ids in another dialect's message are not this one's.
			for _, mob := range m.AtMobiles {
				ms.addIDs(mob, "")
			}
			for _, id := range m.AtUserIDs {
				ms.addIDs("", id)
			}
		}
	}
	d.Items = append(slices.Clip(d.Failed), rest...)
	if d.Late {
		d.Zone = zoneName(at.Sent.In(r.opts.Location))
	}
	title, err := execDigest(dl, "title", d)
	if err != nil {
		return Message{}, err
	}
	text, err := execDigest(dl, "text", d)
	if err != nil {
		return Message{}, err
	}
	if title == "" {
		title = fmt.Sprintf("[%d] %s", len(msgs), msgs[0].Title)
	}
	if text == "" {
		var b strings.Builder
		for _, it := range d.Items {
			b.WriteString(dl.Bullet() + it.Summary + "\n")
		}
		text = b.String()
	}
	link := msgs[0].Link
	if len(d.Failed) > 0 && d.Failed[0].Link != "" {
		link = d.Failed[0].Link // the title names the first failure
	}
	m := Message{Target: t, Event: "digest", Title: truncateRunes(128, oneLine(title)), Text: tidyText(text), Link: link, Outcome: d.Outcome, Lang: r.lang}
	m.Summary = dl.Escape(m.Title)
	return withMentions(dl, m, ms.mobiles, ms.ids), nil
}

func execDigest(dl *dialect, part string, d *DigestData) (string, error) {
	tm := lookup(dl, "digest", "", part)
	if tm == nil {
		return "", nil
	}
	var b strings.Builder
	if err := tm.Execute(&b, d); err != nil {
		return "", fmt.Errorf("render %s for %s: %w", tm.Name(), dl.Name(), err)
	}
	return b.String(), nil
}

// clock formats t in the renderer's zone, with the date when sent is on
// another day.
func (r *Renderer) clock(t, sent time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, sent = t.In(r.opts.Location), sent.In(r.opts.Location)
	if t.YearDay() != sent.YearDay() || t.Year() != sent.Year() {
		return t.Format("01-02 15:04")
	}
	return t.Format("15:04")
}

// zoneName names t's zone by its offset, as English times say it: UTC+8.
func zoneName(t time.Time) string {
	_, off := t.Zone()
	name := "UTC"
	if off != 0 {
		name += fmt.Sprintf("%+d", off/3600)
		if m := off % 3600 / 60; m != 0 {
			name += fmt.Sprintf(":%02d", max(m, -m))
		}
	}
	return name
}
