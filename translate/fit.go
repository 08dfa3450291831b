package translate

import "strings"

// Size fitting: a message is rendered with ever smaller budgets until it
// fits its target (Fits), and cut as the last resort.

// budget is one step of shortening: how many commits and description runes.
type budget struct{ commits, desc int }

// budgets are tried in order until the message fits; the last resort after
// them is cutting the text. A push lists at most 10 commits (the newest):
// more do not read on a phone, and the compare link shows them all.
var budgets = []budget{{10, 1500}, {10, 600}, {5, 300}, {3, 120}, {1, 60}, {0, 0}}

// maxSummary bounds one summary line in bytes so that several fit in a
// WeCom digest.
const maxSummary = 1000

// shrink is the last resort: cut the text (keeping the mention line, which
// DingTalk requires in the text) until the message fits, then the title.
func shrink(m Message) Message { return shrinkKeeping(m, "") }

// shrinkKeeping is shrink for a text that ends in tail (before the mention
// line, if any), which is kept whole.
func shrinkKeeping(m Message, tail string) Message {
	line := mentionLine(m.Target, m.AtMobiles, m.AtUserIDs)
	suffix := tail
	if line != "" {
		suffix += "\n\n" + line
	}
	core := strings.TrimSuffix(m.Text, suffix)
	if !Fits(m) && core != "" {
		// Binary search for the longest cut that fits: JSON escaping makes
		// the body size a monotonic but not linear function of the cut.
		lo, hi := 0, len(core)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			m.Text = trimMarkdown(core, mid) + suffix
			if Fits(m) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		m.Text = trimMarkdown(core, lo) + suffix
		core = trimMarkdown(core, lo)
	}
	for i := 0; i < 64 && !Fits(m) && m.Title != ""; i++ {
		m.Title = truncateRunes(max(1, len([]rune(m.Title))/2), m.Title)
	}
	for !Fits(m) && (len(m.AtMobiles) > 0 || len(m.AtUserIDs) > 0) {
		// Only an absurd mention list can get here; drop mentions from the end.
		if len(m.AtUserIDs) > 0 {
			m.AtUserIDs = m.AtUserIDs[:len(m.AtUserIDs)-1]
		} else {
			m.AtMobiles = m.AtMobiles[:len(m.AtMobiles)-1]
		}
		line := mentionLine(m.Target, m.AtMobiles, m.AtUserIDs)
		m.Text = core + tail
		if line != "" {
			m.Text += "\n\n" + line
		}
	}
	return m
}
