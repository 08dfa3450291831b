package coding

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// A payload is parsed once, by jsontext, into a flat list of nodes that
// point into the body; the models are filled from it by the rules of
// lenient.go. Object members are kept in document order with their
// duplicates, which the rules need and a map[string]any would lose, and a
// plain string is a substring of the body, not a copy.

// node is one JSON value. kind is jsontext's: 'n', 'f', 't', '"', '0',
// '{' or '['. The members of an object follow it as name/value node
// pairs, the elements of an array as value nodes; next is the index of the
// first node after the value and its members.
type node struct {
	start, end int32 // a string's contents or a number's literal in the body
	next       int32
	kind       jsontext.Kind
}

// doc is a parsed payload.
type doc struct {
	src   string
	nodes []node
}

// v1Syntax makes jsontext accept exactly what encoding/json accepts: a
// repeated key (the rules take its last value) and invalid UTF-8 in
// strings (read as U+FFFD).
var v1Syntax = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// parser is a reusable jsontext decoder, the buffer it reads the body from
// and the document it parses into.
type parser struct {
	dec *jsontext.Decoder
	buf bytes.Buffer
	doc doc
}

var parsers = sync.Pool{New: func() any {
	p := new(parser)
	p.dec = jsontext.NewDecoder(&p.buf)
	return p
}}

// maxBody bounds a body so that offsets fit the nodes' int32.
const maxBody = 1 << 30

// maxPooledNodes keeps the node lists of huge payloads out of the pool.
const maxPooledNodes = 1 << 14

// newParser is a parser from the pool; release it when done with its
// document.
func newParser() *parser { return parsers.Get().(*parser) }

// release returns p to the pool, without the body it last read.
func (p *parser) release() {
	p.buf = bytes.Buffer{}
	p.dec.Reset(&p.buf)
	p.doc.src = ""
	if cap(p.doc.nodes) <= maxPooledNodes {
		parsers.Put(p)
	}
}

// parse parses body (src is the same bytes as a string) into p's document,
// whose strings are substrings of src. Malformed JSON fails with
// encoding/json's words.
func (p *parser) parse(body []byte, src string) (*doc, error) {
	if len(body) > maxBody {
		return nil, fmt.Errorf("decode webhook body: %d bytes, over the %d this decoder reads", len(body), maxBody)
	}
	// From a bytes.Buffer, jsontext reads the body in place, not a copy.
	p.buf = *bytes.NewBuffer(body)
	p.dec.Reset(&p.buf, v1Syntax...)
	nodes, err := p.read(p.doc.nodes[:0])
	p.doc = doc{src: src, nodes: nodes}
	if err != nil {
		return nil, malformed(body, err)
	}
	return &p.doc, nil
}

// read appends the nodes of the one JSON value of the input, which must
// be followed by nothing but white space.
func (p *parser) read(nodes []node) ([]node, error) {
	var open []int32 // the objects and arrays not closed yet
	for {
		switch kind := p.dec.PeekKind(); kind {
		case '{', '[':
			if _, err := p.dec.ReadToken(); err != nil {
				return nodes, err
			}
			open = append(open, int32(len(nodes)))
			nodes = append(nodes, node{kind: kind})
		case '}', ']':
			if _, err := p.dec.ReadToken(); err != nil {
				return nodes, err
			}
			nodes[open[len(open)-1]].next = int32(len(nodes))
			open = open[:len(open)-1]
		default: // a scalar or an object's name; 0 (an error) fails here
			v, err := p.dec.ReadValue()
			if err != nil {
				return nodes, err
			}
			end := int32(p.dec.InputOffset())
			nd := node{start: end - int32(len(v)), end: end, next: int32(len(nodes) + 1), kind: kind}
			if kind == '"' {
				nd.start, nd.end = nd.start+1, nd.end-1
			}
			nodes = append(nodes, nd)
		}
		if len(open) == 0 {
			break
		}
	}
	if _, err := p.dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the top-level value")
		}
		return nodes, err
	}
	return nodes, nil
}

// verbatim reports a string literal whose contents are its value: no
// escapes, valid UTF-8.
func verbatim(s string) bool {
	for i := range len(s) {
		if c := s[i]; c == '\\' || c >= utf8.RuneSelf {
			// Rare in names and ids, common in text.
			return strings.IndexByte(s, '\\') < 0 && utf8.ValidString(s)
		}
	}
	return true
}

// malformed is the error for a body jsontext rejected: encoding/json's
// description, which clients have always been given, when it rejects the
// body too (the fuzz test holds that it does), else jsontext's.
func malformed(body []byte, err error) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // no number is out of range
	var v any
	if jerr := dec.Decode(&v); jerr != nil {
		err = jerr
	} else if _, jerr := dec.Token(); jerr != io.EOF {
		err = errors.New("data after the top-level value")
	}
	return fmt.Errorf("decode webhook body: malformed JSON: %w", err)
}

// text is a node's text: a string's value, a number's literal.
func (d *doc) text(i int32) string {
	n := &d.nodes[i]
	s := d.src[n.start:n.end]
	if n.kind != '"' || verbatim(s) {
		return s
	}
	// The parser accepted the literal, so the only possible error is the
	// invalid UTF-8 that AppendUnquote replaced with U+FFFD, like
	// encoding/json.
	var buf [128]byte
	b, _ := jsontext.AppendUnquote(buf[:0], d.src[n.start-1:n.end+1])
	return string(b)
}

// members calls fn with each name and value node of object obj, in order.
func (d *doc) members(obj int32, fn func(name string, value int32)) {
	for k := obj + 1; k < d.nodes[obj].next; k = d.nodes[k+1].next {
		fn(d.text(k), k+1)
	}
}

// last is the value node of the last member of object obj named name, -1
// if there is none.
func (d *doc) last(obj int32, name string) int32 {
	v := int32(-1)
	d.members(obj, func(k string, value int32) {
		if k == name {
			v = value
		}
	})
	return v
}

// kindName says what a top-level value is, for the error of a body that
// is not an object.
func kindName(k jsontext.Kind) string {
	switch k {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	}
	return "null"
}
