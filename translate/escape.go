package translate

import (
	"cmp"
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// anchorHref finds the URL in an HTML anchor: old CODING payloads send
// compare, commit url and repository html_url as <a href='…'>…</a>.
var anchorHref = regexp.MustCompile(`(?i)href\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\s>]+))`)

// CleanURL turns what a source put where a URL belongs into a plain http(s)
// URL that is safe inside a markdown link destination, or "" when it is not
// an http(s) URL at all (javascript:, an anchor without href, text).
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
	// EqualFold of as many bytes as the scheme has folds ASCII letters only:
	// a non-ASCII look-alike takes more bytes than the letter it folds to.
	if !hasPrefixFold(s, "https://") && !hasPrefixFold(s, "http://") {
		return ""
	}
	// Control characters go (a newline would end the link).
	return urlEscaper.Replace(strings.Map(dropControl, s))
}

// dropControl drops control characters, for strings.Map.
func dropControl(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}

// urlEscaper percent-encodes what would end or break a markdown link
// destination.
var urlEscaper = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E",
	"[", "%5B", "]", "%5D", `"`, "%22", "'", "%27", "`", "%60")

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// wordJoiner (U+2060) is invisible and joins nothing a reader sees; put
// after "<" or "@" it keeps a tag, an autolink or a mention from forming
// where no markdown escape is known to stop the robot from parsing one.
const wordJoiner = "\u2060"

// EscapeInline makes one line of user content (a title, a name, a commit
// subject) inert in markdown while showing it as written:
//   - line breaks become spaces and other control characters go, so a
//     title cannot start a new block;
//   - the markdown that could build a link, emphasis, code or a block is
//     backslash-escaped: [ ] * ` and ~~, _ unless inside a word (where
//     markdown does not read it), a backslash before punctuation, and a
//     block marker at the start (#, >, -, +, =, "1.");
//   - "<" before what could start a tag, an autolink or a WeCom <@userid>
//     mention, and "@" before a letter or digit (a DingTalk @mobile, @all)
//     get a word joiner after them: a backslash does not stop the robots'
//     mention parsers, and DingTalk and WeCom do not document entities;
//   - "&" that could start an entity becomes &amp;, so &lt; shows as
//     written and never comes back as markup.
func EscapeInline(s string) string {
	if strings.IndexFunc(s, inlineSpecial) < 0 && blockMarker(s) == 0 {
		return s
	}
	return escapeInline(s)
}

// escapeInline is EscapeInline without the shortcut for text it keeps.
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
			// At the end of the value the next character is the template's
			// own (a link's "]", a closing "**"), which a lone backslash
			// would eat.
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

// inlineBreaks are what breaks a line, which EscapeInline keeps on one.
var inlineBreaks = strings.NewReplacer("\n", " ", "\r", " ", "\t", " ", "\v", " ", "\f", " ", "\u2028", "", "\u2029", "")

// inlineSpecial reports whether EscapeInline may change r.
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

// blockMarker is the length of a block marker at the start of a line
// (after spaces), 0 if none; markers and spaces are ASCII.
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

// NoPipes backslash-escapes every "|", for dialects that render tables: a
// "|" in user content is what would build one (with a delimiter row like
// |---|) or split a cell of one.
func NoPipes(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// EscapeLinkText is EscapeInline for the text of a link: inside [ ] a
// leading # starts no block, so it stays as it is.
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
	if label = cmp.Or(label, "link"); href == "" {
		return label
	}
	return "[" + label + "](" + href + ")"
}

// userLines splits multi-line user text into its lines: CRLF normalised,
// control characters dropped, trailing blanks trimmed, leading and trailing
// empty lines dropped and runs of empty lines collapsed to one.
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

// QuoteLines is the building block of a dialect's Quote: the lines of
// multi-line user text (see userLines), each without its leading spaces,
// escaped by EscapeInline and written by line, an empty one as blank,
// joined by sep. A markdown quote is
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
	for pos := range s {
		if n <= 0 {
			return s[:pos]
		}
		n--
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
	return strings.TrimRight(strings.TrimRightFunc(cut, unicode.IsSpace), ">-#* ") + more
}

// plainTitle is a title as the chat list shows it: plain text, which no
// robot parses for markup or mentions (DingTalk's markdown title, a Feishu
// card's plain_text header), so what people wrote is shown as written;
// only invalid UTF-8 is replaced.
func plainTitle(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
