package translate

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The fast path of Decode parses the body once into a flat tape of nodes
// and fills the models straight from it (see lenient.go); no generic
// map[string]any is built unless a template asks for Event.Raw. The parser
// is strict: whatever it rejects goes to the slow path (encoding/json), which
// then reports the error exactly as before, so only JSON that encoding/json
// accepts is ever accepted.

// Node kinds of the tape.
const (
	kindNull uint8 = iota
	kindFalse
	kindTrue
	kindNumber
	kindString
	kindObject
	kindArray
)

// node is one JSON value on the tape. Strings span their contents between
// the quotes; numbers their literal; containers their whole text. The
// members of an object are key/value node pairs following it; next is the
// index of the first node after the value (its subtree included).
type node struct {
	start, end int32
	next       int32
	n          int32 // members (object) or elements (array)
	kind       uint8
	raw        bool // a string that is not plain valid UTF-8 without escapes
}

// tape is a parsed document; src is the body as a string, so that plain
// strings of the payload are substrings of it, not copies.
type tape struct {
	src   string
	nodes []node
}

// maxTapeDepth bounds nesting like encoding/json (10000); deeper documents
// go to the slow path, which reports them.
const maxTapeDepth = 10000

var errTape = errors.New("not handled by the fast JSON path")

// parseTape parses src as exactly one JSON value with only white space
// around it.
func parseTape(src string, nodes []node) (tape, error) {
	p := tapeParser{src: src, nodes: nodes[:0]}
	p.skipSpace()
	if err := p.value(0); err != nil {
		return tape{}, err
	}
	p.skipSpace()
	if p.pos != len(p.src) || len(p.src) > 1<<30 {
		return tape{}, errTape
	}
	return tape{src: src, nodes: p.nodes}, nil
}

type tapeParser struct {
	src   string
	pos   int
	nodes []node
}

func (p *tapeParser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *tapeParser) value(depth int) error {
	if p.pos >= len(p.src) {
		return errTape
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", kindTrue)
	case c == 'f':
		return p.literal("false", kindFalse)
	case c == 'n':
		return p.literal("null", kindNull)
	}
	return errTape
}

func (p *tapeParser) literal(lit string, kind uint8) error {
	if len(p.src)-p.pos < len(lit) || p.src[p.pos:p.pos+len(lit)] != lit {
		return errTape
	}
	p.nodes = append(p.nodes, node{start: int32(p.pos), end: int32(p.pos + len(lit)), next: int32(len(p.nodes) + 1), kind: kind})
	p.pos += len(lit)
	return nil
}

func (p *tapeParser) object(depth int) error {
	if depth > maxTapeDepth {
		return errTape
	}
	at := len(p.nodes)
	p.nodes = append(p.nodes, node{start: int32(p.pos), kind: kindObject})
	p.pos++ // {
	p.skipSpace()
	n := 0
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
	} else {
		for {
			if p.pos >= len(p.src) || p.src[p.pos] != '"' {
				return errTape
			}
			if err := p.string(); err != nil {
				return err
			}
			p.skipSpace()
			if p.pos >= len(p.src) || p.src[p.pos] != ':' {
				return errTape
			}
			p.pos++
			p.skipSpace()
			if err := p.value(depth); err != nil {
				return err
			}
			n++
			p.skipSpace()
			if p.pos >= len(p.src) {
				return errTape
			}
			if p.src[p.pos] == ',' {
				p.pos++
				p.skipSpace()
				continue
			}
			if p.src[p.pos] == '}' {
				p.pos++
				break
			}
			return errTape
		}
	}
	nd := &p.nodes[at]
	nd.end, nd.next, nd.n = int32(p.pos), int32(len(p.nodes)), int32(n)
	return nil
}

func (p *tapeParser) array(depth int) error {
	if depth > maxTapeDepth {
		return errTape
	}
	at := len(p.nodes)
	p.nodes = append(p.nodes, node{start: int32(p.pos), kind: kindArray})
	p.pos++ // [
	p.skipSpace()
	n := 0
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
	} else {
		for {
			if err := p.value(depth); err != nil {
				return err
			}
			n++
			p.skipSpace()
			if p.pos >= len(p.src) {
				return errTape
			}
			if p.src[p.pos] == ',' {
				p.pos++
				p.skipSpace()
				continue
			}
			if p.src[p.pos] == ']' {
				p.pos++
				break
			}
			return errTape
		}
	}
	nd := &p.nodes[at]
	nd.end, nd.next, nd.n = int32(p.pos), int32(len(p.nodes)), int32(n)
	return nil
}

func (p *tapeParser) string() error {
	p.pos++ // opening quote
	start := p.pos
	raw := false
	var high byte // OR of the bytes, to know whether any is not ASCII
	s := p.src
	for i := p.pos; i < len(s); i++ {
		c := s[i]
		if plainByte[c] {
			high |= c
			continue
		}
		switch {
		case c == '"':
			if high >= utf8.RuneSelf && !raw && !utf8.ValidString(s[start:i]) {
				raw = true // invalid UTF-8: encoding/json substitutes U+FFFD
			}
			p.nodes = append(p.nodes, node{start: int32(start), end: int32(i), next: int32(len(p.nodes) + 1), kind: kindString, raw: raw})
			p.pos = i + 1
			return nil
		case c == '\\':
			raw = true
			i++
			if i >= len(s) {
				return errTape
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) {
					return errTape
				}
				i += 4
			default:
				return errTape
			}
		default: // a control character
			return errTape
		}
	}
	return errTape
}

// plainByte are the bytes a JSON string holds as they are: not a quote, a
// backslash or a control character.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number accepts exactly the JSON number grammar:
// -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?
func (p *tapeParser) number() error {
	s := p.src
	i := p.pos
	if s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return errTape
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return errTape
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return errTape
		}
	}
	p.nodes = append(p.nodes, node{start: int32(p.pos), end: int32(i), next: int32(len(p.nodes) + 1), kind: kindNumber})
	p.pos = i
	return nil
}

// text is a node's source text: a string's contents (still escaped), a
// number's literal.
func (t *tape) text(i int32) string {
	n := &t.nodes[i]
	return t.src[n.start:n.end]
}

// str decodes a string node as encoding/json does.
func (t *tape) str(i int32) string {
	n := &t.nodes[i]
	if !n.raw {
		return t.src[n.start:n.end]
	}
	return unquote(t.src[n.start:n.end])
}

// unquote decodes the contents of a JSON string the parser validated,
// exactly as encoding/json does: escapes resolved, a lone or invalid
// surrogate and invalid UTF-8 replaced with U+FFFD.
func unquote(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for r := 0; r < len(s); {
		switch c := s[r]; {
		case c == '\\':
			r++
			switch s[r] {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				rr := getu4(s[r-1:])
				r += 5
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
						r += 6
						b.WriteRune(dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				b.WriteRune(rr)
				continue
			default: // " \ /
				b.WriteByte(s[r])
			}
			r++
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			r++
		default:
			rr, size := utf8.DecodeRuneInString(s[r:])
			r += size
			b.WriteRune(rr)
		}
	}
	return b.String()
}

// getu4 decodes \uXXXX at the start of s, -1 if there is none.
func getu4(s string) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// scalarString, scalarFloat, scalarInt and scalarBool mirror the functions
// of the same names for generic values (lenient.go).
func (t *tape) scalarString(i int32) (string, bool) {
	switch t.nodes[i].kind {
	case kindString:
		return t.str(i), true
	case kindNumber:
		return t.text(i), true
	case kindTrue:
		return "true", true
	case kindFalse:
		return "false", true
	}
	return "", false
}

func (t *tape) scalarFloat(i int32) (float64, bool) {
	switch t.nodes[i].kind {
	case kindNumber:
		f, err := strconv.ParseFloat(t.text(i), 64)
		return f, err == nil
	case kindString:
		return scalarFloat(t.str(i))
	case kindTrue:
		return 1, true
	case kindFalse:
		return 0, true
	}
	return 0, false
}

func (t *tape) scalarInt(i int32) (int64, bool) {
	if t.nodes[i].kind == kindNumber {
		if n, err := strconv.ParseInt(t.text(i), 10, 64); err == nil {
			return n, true
		}
	}
	f, ok := t.scalarFloat(i)
	return floatToInt(f, ok)
}

func (t *tape) scalarBool(i int32) (bool, bool) {
	switch t.nodes[i].kind {
	case kindTrue:
		return true, true
	case kindFalse:
		return false, true
	case kindNumber:
		f, err := strconv.ParseFloat(t.text(i), 64)
		return f != 0, err == nil
	case kindString:
		return scalarBool(t.str(i))
	}
	return false, false
}

// generic builds the value encoding/json (with UseNumber) would have made
// of node i; only needed for model fields of interface or map type.
func (t *tape) generic(i int32) any {
	n := &t.nodes[i]
	switch n.kind {
	case kindString:
		return t.str(i)
	case kindNumber:
		return json.Number(t.text(i))
	case kindTrue:
		return true
	case kindFalse:
		return false
	case kindObject:
		m := make(map[string]any, n.n)
		for k := i + 1; k < n.next; k = t.nodes[k+1].next {
			m[t.str(k)] = t.generic(k + 1)
		}
		return m
	case kindArray:
		a := make([]any, 0, n.n)
		for k := i + 1; k < n.next; k = t.nodes[k].next {
			a = append(a, t.generic(k))
		}
		return a
	}
	return nil
}
