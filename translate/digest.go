package translate

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DigestItem is one coalesced message as the digest templates see it. It
// holds only what the queued Message carried: a digest is rendered from
// stored messages, not from their events.
type DigestItem struct {
	Event  string
	Action string
	Title  string
	// Summary is the item's digest line: one line of target markdown,
	// already escaped, with what tells it apart from the other items of
	// its kind (a push's head commit, a merge request's number and state,
	// a build's number and status, …), as the event's summary template
	// rendered it. A message stored before it was rendered for this
	// target has its title linked instead.
	Summary string
	Link    string
	// Outcome is the item's Message.Outcome.
	Outcome string
	// At is when the item's event arrived (zero when not known), Clock
	// the same as "15:04" in the renderer's zone ("12-07 15:04" on another
	// day than the digest is sent).
	At    time.Time
	Clock string
}

// Times are when the messages of a digest arrived (one each) and when it
// is sent. translate has no clock: the queue passes them in. The zero
// value shows no times.
type Times struct {
	Arrived []time.Time
	Sent    time.Time
}

// lateAfter is how long after its oldest item a digest is late: it then
// shows when each item happened.
const lateAfter = time.Minute

// DigestData is what digest.title and digest.text templates see.
type DigestData struct {
	Target Target
	// Headings, Colors, Lists, Quotes, Mentions and Card are the target's
	// Capabilities, as on Data.
	Headings, Colors, Lists, Quotes, Mentions, Card bool
	Lang                                            string
	Count                                           int
	// Items are the failures first, then the rest, each in arrival order.
	Items []DigestItem
	// Failed are the items whose outcome is a failure, in order, for a
	// title that puts them first.
	Failed []DigestItem
	// Late is set when the digest is sent a minute or more after its oldest
	// item arrived: the lines then say when each happened (DigestItem.Clock,
	// in Zone, e.g. "UTC+8").
	Late bool
	Zone string
	// Outcome is the digest's outcome (Message.Outcome): failure when an
	// item failed, else warning when one warns, success when all succeeded,
	// else "" (neutral).
	Outcome string

	depth int
}

func (d *DigestData) enter() int { d.depth++; return d.depth }
func (d *DigestData) leave()     { d.depth-- }

// Digest coalesces messages for target t (a robot that must not get them
// one by one, e.g. while throttled) into as few digest messages as
// possible: DigestPrefix of msgs, then of the rest, until none is left.
// Each digest lists the items' Summary lines in the original order, fits
// the target, and mentions everybody its items mentioned. A group of one
// keeps the original message when it was rendered for t.
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
// one message of target t, and returns it with how many messages it holds
// (at least one; 0 only for no messages). A prefix of one is the message
// itself when it was rendered for t and fits, else its digest, shortened
// to fit. A coalescing queue calls it once for its backlog, with the
// messages' times.
//
// It renders a few candidate digests, not one per prefix: two messages
// first, then doubling the prefix and then halving the gap, so the work
// grows with the logarithm of what fits, not with the backlog. The search
// takes it that a longer prefix never renders shorter.
func (r *Renderer) DigestPrefix(t Target, msgs []Message, at Times) (Message, int, error) {
	dl, ok := r.byName[t]
	if !ok {
		return Message{}, 0, fmt.Errorf("digest: unknown target %q", t)
	}
	if len(msgs) == 0 {
		return Message{}, 0, nil
	}
	// lo is the longest prefix known to fit (one always does: the message
	// is shortened if need be), best its digest; hi the shortest known
	// not to, len(msgs)+1 while none is known.
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

// clock is when an item arrived as a digest line shows it: the time of
// day in the renderer's zone, with the date when the digest is sent on
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
