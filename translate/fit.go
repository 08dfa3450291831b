package translate

import "strings"

// budget is one step of shortening: how many commits and description runes.
type budget struct{ commits, desc int }

// budgets are tried in order until the message fits, then the text is
// cut. Five commits fit a phone screen; the compare link shows them all.
var budgets = []budget{{5, 1500}, {5, 600}, {5, 300}, {3, 120}, {1, 60}, {0, 0}}

// maxSummary bounds a summary line's bytes so several fit a WeCom digest.
const maxSummary = 1000

// fits reports whether m is within the limit of d.
func fits(d Dialect, m Message) bool { return d.Size(m) <= d.Limit() }

// shrink is the last resort: cut the text (keeping the mention line, which
// DingTalk requires in the text) until the message fits, then the title.
func shrink(d Dialect, m Message) Message { return shrinkKeeping(d, m, "") }

// shrinkKeeping is shrink keeping tail (before any mention line) whole.
func shrinkKeeping(d Dialect, m Message, tail string) Message {
	suffix := tail
	if line := d.MentionLine(m.AtMobiles, m.AtUserIDs); line != "" {
		suffix += "\n\n" + line
	}
	core := strings.TrimSuffix(m.Text, suffix)
	if !fits(d, m) && core != "" {
		// Binary search for the longest cut that fits: JSON escaping makes
		// the body size a monotonic but not linear function of the cut.
		lo, hi := 0, len(core)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			m.Text = trimMarkdown(core, mid) + suffix
			if fits(d, m) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		m.Text = trimMarkdown(core, lo) + suffix
		core = trimMarkdown(core, lo)
	}
	for i := 0; i < 64 && !fits(d, m) && m.Title != ""; i++ {
		m.Title = truncateRunes(max(1, len([]rune(m.Title))/2), m.Title)
	}
	for !fits(d, m) && (len(m.AtMobiles) > 0 || len(m.AtUserIDs) > 0) {
		// Only an absurd mention list can get here; drop mentions from the end.
		mobiles, ids := m.AtMobiles, m.AtUserIDs
		if len(ids) > 0 {
			ids = ids[:len(ids)-1]
		} else {
			mobiles = mobiles[:len(mobiles)-1]
		}
		m.Text = core + tail
		m = withMentions(d, m, mobiles, ids)
	}
	return m
}
