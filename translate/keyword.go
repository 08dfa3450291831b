package translate

import (
	"cmp"
	"strings"
)

// WithKeyword makes a message in dialect d acceptable to a robot secured
// by custom keywords (DingTalk's 自定义关键词, Feishu's), which rejects a
// message whose text holds none of them — for every message, permanently.
// When the text already contains one of keywords, m is returned as it is;
// otherwise the first keyword is added as the text's last line (before the
// dialect's mention line) and the message is shortened if that took it
// over its size limit. Only the text is searched: whether the services
// also look at the title is not documented.
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
