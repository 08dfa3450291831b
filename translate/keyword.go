package translate

import "strings"

// WithKeyword makes a message acceptable to a DingTalk robot secured by
// custom keywords (自定义关键词), which rejects a message whose text holds
// none of them with errcode 310000 — for every message, permanently. When
// the text already contains one of keywords, m is returned as it is;
// otherwise the first keyword is added as the text's last line (before the
// mention line DingTalk needs at the end) and the message is shortened if
// that took it over its size limit. Only the text is searched: whether
// DingTalk also looks at the title is not documented.
func WithKeyword(m Message, keywords []string) Message {
	kw := ""
	for _, k := range keywords {
		if k == "" {
			continue
		}
		if strings.Contains(m.Text, k) {
			return m
		}
		if kw == "" {
			kw = k
		}
	}
	if kw == "" {
		return m
	}
	line := mentionLine(m.Target, m.AtMobiles, m.AtUserIDs)
	core := m.Text
	if line != "" {
		core = strings.TrimSuffix(core, "\n\n"+line)
	}
	tail := "\n\n" + kw
	m.Text = strings.TrimRight(core, "\n") + tail
	if line != "" {
		m.Text += "\n\n" + line
	}
	if !Fits(m) {
		m = shrinkKeeping(m, tail)
	}
	return m
}
