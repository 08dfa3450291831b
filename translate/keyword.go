package translate

import (
	"cmp"
	"strings"
)

// WithKeyword makes m pass a robot's custom keywords (DingTalk's
// 自定义关键词, Feishu's), which reject a text holding none: else the first
// keyword is added as the last line (before mentions), shortening m to fit.
// Only the text is searched: title matching is undocumented.
func WithKeyword(d Dialect, m Message, keywords []string) Message {
	kw := ""
	for _, k := range keywords {
		if k == "" {
			continue
		}
		if strings.Contains(m.Text, k) {
			return m
		}
		kw = cmp.Or(kw, k)
	}
	if kw == "" {
		return m
	}
	line := d.MentionLine(m.AtMobiles, m.AtUserIDs)
	core := m.Text
	if line != "" {
		core = strings.TrimSuffix(core, "\n\n"+line)
	}
	tail := "\n\n" + kw
	m.Text = strings.TrimRight(core, "\n") + tail
	if line != "" {
		m.Text += "\n\n" + line
	}
	return shrinkKeeping(d, m, tail)
}
