package translate

import (
	"cmp"
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// anchorHref finds the URL in an <a href='…'>, which old payloads send as URLs.
var anchorHref = regexp.MustCompile(`(?i)href\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\s>]+))`)

// CleanURL returns s as an http(s) URL safe in a markdown link destination,
// or "" when it is none (javascript:, an anchor without href, text).
func CleanURL(s string) string { return cleanURL(s) }

func cleanURL(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2 && strings.EqualFold(s[:2], "<a") {
		m := anchorHref.FindStringSubmatch(s)
		if m == nil {
			return ""
		}
		s = m[1] + m[2] + m[3]
	}
	s = strings.TrimSpace(html.UnescapeString(s))
	// EqualFold on len(scheme) bytes folds ASCII only: look-alikes are longer.
	if !hasPrefixFold(s, "https://") && !hasPrefixFold(s, "http://") {
		return ""
	}
	return urlEscaper.Replace(strings.Map(dropControl, s))
}

func dropControl(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}

// urlEscaper percent-encodes what would end a markdown link destination.
var urlEscaper = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E",
	"[", "%5B", "]", "%5D", `"`, "%22", "'", "%27", "`", "%60")

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// wordJoiner (U+2060, invisible) after "<" or "@" stops a tag, autolink or
// mention where no markdown escape is known to stop the robot's parser.
const wordJoiner = "\u2060"

// EscapeInline makes one line of user content inert in markdown, shown as written:
//   - line breaks become spaces, control characters go: no new block;
//   - backslash-escaped: [ ] * ` ~~, _ outside a word, \ before punctuation,
//     a leading block marker (#, >, -, +, =, "1.");
//   - "<" that could open a tag, autolink or WeCom <@userid>, and "@" before a
//     word rune (DingTalk @mobile, @all) get a word joiner: a backslash does not
//     stop the mention parsers, and DingTalk and WeCom document no entities;
//   - "&" that could start an entity becomes &amp;, so &lt; stays text.
func EscapeInline(s string) string {
	if strings.IndexFunc(s, inlineSpecial) < 0 && blockMarker(s) == 0 {
		return s
	}
	return escapeInline(s)
}

func escapeInline(s string) string {
	s = strings.Map(dropControl, inlineBreaks.Replace(s))
	rs := []rune(s)
	marker := blockMarker(s) // leading ASCII: bytes are runes
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range rs {
		prev, next := runeAt(rs, i-1), runeAt(rs, i+1)
		switch {
		case i == marker-1,
			r == '[' || r == ']' || r == '*' || r == '`',
			r == '~' && (prev == '~' || next == '~'),
			r == '_' && !(isWordRune(prev) && isWordRune(next)),
			// At the end, a lone backslash would eat the template's "]" or "**".
			r == '\\' && (next == 0 || next < utf8.RuneSelf && (unicode.IsPunct(next) || unicode.IsSymbol(next))):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '<' && (unicode.IsLetter(next) || next == '/' || next == '!' || next == '?' || next == '@'),
			r == '@' && isWordRune(next):
			b.WriteRune(r)
			b.WriteString(wordJoiner)
		case r == '&' && (next == '#' || unicode.IsLetter(next)):
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var inlineBreaks = strings.NewReplacer("\n", " ", "\r", " ", "\t", " ", "\v", " ", "\f", " ", "\u2028", "", "\u2029", "")

func inlineSpecial(r rune) bool {
	return r < 0x20 || strings.ContainsRune("\x7f<[]@*`~_\\&\u2028\u2029\uFFFD", r)
}

func runeAt(rs []rune, i int) rune {
	if i < 0 || i >= len(rs) {
		return 0
	}
	return rs[i]
}

func isWordRune(r rune) bool {
	return r != 0 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// blockMarker is the length of a leading block marker (after spaces), or 0.
func blockMarker(s string) int {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i == len(s) {
		return 0
	}
	switch c := s[i]; c {
	case '#', '>':
		return i + 1
	case '-', '+', '=':
		if i+1 == len(s) || s[i+1] == ' ' || s[i+1] == c {
			return i + 1
		}
		return 0
	}
	j := i
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	if j > i && j < len(s) && (s[j] == '.' || s[j] == ')') && (j+1 == len(s) || s[j+1] == ' ') {
		return j + 1
	}
	return 0
}

// NoPipes escapes "|", which in dialects with tables would build or split one.
func NoPipes(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// EscapeLinkText is EscapeInline for link text, where a leading # is no block.
func EscapeLinkText(s string) string {
	s = EscapeInline(s)
	if strings.HasPrefix(s, `\#`) {
		s = s[1:]
	}
	return s
}

// MarkdownLink is [label](href) with escaped label ("link" when empty) and a
// clean href; without href it is the label alone.
func MarkdownLink(label, href string) string {
	if label = cmp.Or(label, "link"); href == "" {
		return label
	}
	return "[" + label + "](" + href + ")"
}

// userLines splits user text into lines: controls dropped, ends trimmed,
// outer empty lines dropped, runs of empty lines collapsed to one.
func userLines(s string) []string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ").Replace(s)
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRightFunc(strings.Map(dropControl, line), unicode.IsSpace)
		if line != "" || len(out) > 0 && out[len(out)-1] != "" {
			out = append(out, line)
		}
	}
	if len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// QuoteLines writes each userLines line of s, left-trimmed and escaped, by
// line (an empty one as blank), joined by sep. A markdown quote is
//
//	QuoteLines(s, "\n", ">", func(l string) string { return "> " + l })
func QuoteLines(s, sep, blank string, line func(escaped string) string) string {
	lines := userLines(s)
	for i, l := range lines {
		lines[i] = blank
		if l != "" {
			lines[i] = line(EscapeInline(strings.TrimLeft(l, " ")))
		}
	}
	return strings.Join(lines, sep)
}

// clipLines cuts text to max runes, at a line end when near, ending "…".
func clipLines(max int, s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := runePrefix(s, max)
	if i := strings.LastIndexByte(cut, '\n'); i >= len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRightFunc(cut, unicode.IsSpace) + "…"
}

func runePrefix(s string, n int) string {
	for pos := range s {
		if n <= 0 {
			return s[:pos]
		}
		n--
	}
	return s
}

func truncateRunes(n int, s string) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimRightFunc(runePrefix(s, n-1), unicode.IsSpace) + "…"
}

// protectedSpan finds what a cut must not split: links, <font>, tags (<@userid>).
var protectedSpan = regexp.MustCompile(`!?\[[^\[\]\n]*\]\([^()\s]*\)|(?s)<font[^>]*>.*?</font>|<[^<>\n]*>`)

// cutMarkdown is the longest prefix within maxBytes that ends on a rune, outside
// a protectedSpan and not after an escaping backslash.
func cutMarkdown(s string, maxBytes int) string {
	if len(s) <= maxBytes {
		return s
	}
	if maxBytes <= 0 {
		return ""
	}
	cut := maxBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	for _, sp := range protectedSpan.FindAllStringIndex(s[:min(len(s), maxBytes+4096)], -1) {
		if sp[0] < cut && cut < sp[1] {
			cut = sp[0]
			break
		}
	}
	for cut > 0 && s[cut-1] == '\\' {
		cut--
	}
	return s[:cut]
}

// trimMarkdown fits s with its "…" line into maxBytes, dropping a dangling marker.
func trimMarkdown(s string, maxBytes int) string {
	const more = "\n\n…"
	if len(s) <= maxBytes {
		return s
	}
	cut := cutMarkdown(s, maxBytes-len(more))
	return strings.TrimRight(strings.TrimRightFunc(cut, unicode.IsSpace), ">-#* ") + more
}

// plainTitle is a chat-list title, which no robot parses for markup or
// mentions, so only invalid UTF-8 is replaced.
func plainTitle(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
