package translate

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// anchorHref finds the URL in an HTML anchor: old CODING payloads send
// compare, commit url and repository html_url as <a href='…'>…</a>.
var anchorHref = regexp.MustCompile(`(?i)href\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\s>]+))`)

// CleanURL is cleanURL, for the sources: what they put in a link of the
// model must be a plain http(s) URL safe in a markdown link.
func CleanURL(s string) string { return cleanURL(s) }

// cleanURL turns what CODING put where a URL belongs into a plain http(s)
// URL that is safe inside a markdown link destination, or "" when it is not
// an http(s) URL at all (javascript:, an anchor without href, text).
func cleanURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > 2 && strings.EqualFold(s[:2], "<a") {
		m := anchorHref.FindStringSubmatch(s)
		if m == nil {
			return ""
		}
		s = m[1] + m[2] + m[3]
	}
	s = strings.TrimSpace(html.UnescapeString(s))
	// Only ASCII letters lower-case to the letters of the schemes, so an
	// ASCII case-insensitive prefix is what strings.ToLower would give.
	if !hasPrefixFold(s, "https://") && !hasPrefixFold(s, "http://") {
		return ""
	}
	if urlSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			// drop control characters (a newline would end the link)
		case r == ' ':
			b.WriteString("%20")
		case r < utf8.RuneSelf && urlUnsafe[r]:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[r>>4])
			b.WriteByte("0123456789ABCDEF"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// urlUnsafe are the characters cleanURL percent-encodes.
var urlUnsafe = [utf8.RuneSelf]bool{'(': true, ')': true, '<': true, '>': true, '[': true, ']': true, '"': true, '\'': true, '`': true}

// urlSafe reports whether cleanURL keeps s as it is: valid UTF-8 without
// control characters, spaces or characters it encodes.
func urlSafe(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			continue
		}
		if c <= ' ' || c == 0x7f || urlUnsafe[c] {
			return false
		}
	}
	return ascii || utf8.ValidString(s)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && asciiEqualFold(s[:len(prefix)], prefix)
}

// asciiEqualFold compares s with the lower-case ASCII string lower,
// ignoring the case of ASCII letters only.
func asciiEqualFold(s, lower string) bool {
	for i := range len(lower) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// EscapeInline makes user content (a title, a name, a commit subject) inert
// in markdown, on one line:
//   - line breaks become spaces (a title cannot start a new block);
//   - < becomes full-width ＜ so no raw HTML, no <font>, no WeCom <@userid>
//     mention and no autolink can form (a lone > is harmless mid-line);
//   - [ and ] become full-width ［ ］ so no link or image can be disguised;
//   - @ directly before a letter or digit becomes full-width ＠ so neither
//     DingTalk (@13800000000, @userid) nor anyone reading sees a mention, and
//     @all is inert;
//   - emphasis and code markers (* _ ` ~) and a backslash before punctuation
//     are backslash-escaped; an underscore inside a word is left alone, as
//     markdown does not treat it as emphasis there;
//   - block markers at the start (#, >, -, +, =, "1.") are escaped.
func EscapeInline(s string) string {
	if inlineSafe(s) {
		return s
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f':
			return ' '
		case r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029':
			return -1
		}
		return r
	}, s)
	return escapeLine(s)
}

// inlineSafe reports whether EscapeInline returns s unchanged: valid UTF-8
// with no character that any of its rules touches and no block marker at
// the start. It errs on the side of false.
func inlineSafe(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			continue
		}
		if inlineSpecial[c] {
			return false
		}
	}
	if !ascii && (!utf8.ValidString(s) || strings.Contains(s, "\u2028") || strings.Contains(s, "\u2029")) {
		return false
	}
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) {
		switch c := s[i]; {
		case c == '#' || c == '>' || c == '-' || c == '+' || c == '=' || ('0' <= c && c <= '9'):
			return false
		}
	}
	return true
}

// inlineSpecial are the ASCII characters EscapeInline may change: control
// characters and the markdown it escapes.
var inlineSpecial = func() (t [utf8.RuneSelf]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	for _, c := range "\x7f<[]@*`~_\\&" {
		t[c] = true
	}
	return t
}()

// NoPipes replaces every "|" by the full-width "｜", for dialects that
// render tables: a "|" in user content is what would build one (a table
// needs a delimiter row like |---|) or split a cell of one. Like < and [
// it is replaced rather than backslash-escaped, so that the message stays
// inert whatever the renderer does with backslashes.
func NoPipes(s string) string {
	if strings.IndexByte(s, '|') < 0 {
		return s
	}
	return strings.ReplaceAll(s, "|", "｜")
}

// EscapeLinkText is EscapeInline for the text of a link: inside [ ] a
// leading # or 1. starts no block, so it stays as it is.
func EscapeLinkText(s string) string {
	s = EscapeInline(s)
	if strings.HasPrefix(s, `\#`) {
		s = s[1:]
	}
	return s
}

// MarkdownLink is the markdown link [label](href) of a dialect's Link:
// label is the text already escaped ("link" when empty), href a clean URL;
// without href it is the label alone.
func MarkdownLink(label, href string) string {
	if label == "" {
		label = "link"
	}
	if href == "" {
		return label
	}
	return "[" + label + "](" + href + ")"
}

// escapeLine escapes one line of user text (no line breaks inside).
func escapeLine(s string) string {
	if inlineSafe(s) {
		return s
	}
	return escapeLineSlow(s)
}

// escapeLineSlow is escapeLine without the shortcut for text that needs no
// escaping.
func escapeLineSlow(s string) string {
	rs := []rune(s)
	marker := leadingBlockMarker(rs)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := range rs {
		if i == marker-1 {
			b.WriteByte('\\')
			b.WriteRune(rs[i])
			continue
		}
		if e := escapeRune(rs, i); e != "" {
			b.WriteString(e)
		} else {
			b.WriteRune(rs[i])
		}
	}
	return b.String()
}

// escapeRune is the escaped form of rs[i], "" when it stays as it is.
func escapeRune(rs []rune, i int) string {
	r := rs[i]
	prev, next := rune(0), rune(0)
	if i > 0 {
		prev = rs[i-1]
	}
	if i+1 < len(rs) {
		next = rs[i+1]
	}
	switch r {
	case '<':
		return "＜"
	case '[':
		return "［"
	case ']':
		return "］"
	case '@':
		if unicode.IsLetter(next) || unicode.IsDigit(next) {
			return "＠"
		}
	case '*', '`':
		return `\` + string(r)
	case '~':
		if prev == '~' || next == '~' {
			return `\~`
		}
	case '_':
		if !(isWordRune(prev) && isWordRune(next)) {
			return `\_`
		}
	case '\\':
		// At the end of the value the next character is the template's own
		// (a link's "]", a closing "**"), which a lone backslash would eat.
		if next == 0 || (next < utf8.RuneSelf && (unicode.IsPunct(next) || unicode.IsSymbol(next))) {
			return `\\`
		}
	case '&':
		// &lt; and friends would come back as markup in renderers that
		// decode entities before looking for tags.
		if next == '#' || unicode.IsLetter(next) {
			return "&amp;"
		}
	}
	return ""
}

func isWordRune(r rune) bool {
	return r != 0 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// leadingBlockMarker returns the length in runes of a block marker at the
// start of a line (after spaces), 0 if none.
func leadingBlockMarker(rs []rune) int {
	i := 0
	for i < len(rs) && rs[i] == ' ' {
		i++
	}
	if i >= len(rs) {
		return 0
	}
	switch rs[i] {
	case '#', '>':
		return i + 1
	case '-', '+', '=':
		if i+1 == len(rs) || rs[i+1] == ' ' || rs[i+1] == rs[i] {
			return i + 1
		}
		return 0
	}
	j := i
	for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
		j++
	}
	if j > i && j < len(rs) && (rs[j] == '.' || rs[j] == ')') && (j+1 == len(rs) || rs[j+1] == ' ') {
		return j + 1
	}
	return 0
}

// userLines splits multi-line user text into its lines: CRLF normalised,
// trailing blanks trimmed, leading/trailing empty lines dropped and runs of
// empty lines collapsed to one.
func userLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var out []string
	blank := false
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		line = strings.Map(func(r rune) rune {
			if r == '\t' {
				return ' '
			}
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, line)
		if line == "" {
			if len(out) > 0 {
				blank = true
			}
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return out
}

// QuoteLines is the building block of a dialect's Quote: the lines of
// multi-line user text (CRLF normalised, trailing blanks trimmed, runs of
// empty lines collapsed to one), each without its leading spaces, escaped
// as EscapeInline does and written by line, an empty one as blank, joined by sep.
// A markdown quote is
//
//	QuoteLines(s, "\n", ">", func(l string) string { return "> " + l })
func QuoteLines(s, sep, blank string, line func(escaped string) string) string {
	lines := userLines(s)
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteString(sep)
		}
		if l == "" {
			b.WriteString(blank)
			continue
		}
		b.WriteString(line(escapeLine(strings.TrimLeft(l, " "))))
	}
	return b.String()
}

// clipLines shortens multi-line text to at most max runes, cutting at a line
// boundary when one is near enough and ending with "…". max <= 0 gives "".
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

// runePrefix is the longest prefix of s with at most n runes.
func runePrefix(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// truncateRunes shortens one-line text to at most n runes, ending with "…".
func truncateRunes(n int, s string) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimRightFunc(runePrefix(s, n-1), unicode.IsSpace) + "…"
}

// protectedSpan finds markdown a cut must not split: links (and images),
// <font …>…</font> elements, and tags such as WeCom's <@userid>.
var protectedSpan = regexp.MustCompile(`!?\[[^\[\]\n]*\]\([^()\s]*\)|(?s)<font[^>]*>.*?</font>|<[^<>\n]*>`)

// cutMarkdown returns the longest prefix of s of at most maxBytes bytes that
// ends on a rune boundary, outside any link, font element or tag, and not
// right after an escaping backslash.
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

// trimMarkdown shortens markdown to fit maxBytes including the ellipsis
// line it appends, using cutMarkdown, and drops a dangling partial line
// marker.
func trimMarkdown(s string, maxBytes int) string {
	const more = "\n\n…"
	if len(s) <= maxBytes {
		return s
	}
	cut := cutMarkdown(s, maxBytes-len(more))
	cut = strings.TrimRightFunc(cut, unicode.IsSpace)
	cut = strings.TrimRight(cut, ">-#* ")
	return cut + more
}

// plainTitle is a title as the chat list shows it: plain text, which no
// robot parses for markup or mentions (DingTalk's markdown title, a Feishu
// card's plain_text header), so what people wrote is shown as written;
// only invalid UTF-8 is replaced.
func plainTitle(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
