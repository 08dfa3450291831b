package coding

import (
	"math"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Tolerant scalars: CODING sends ids as numbers or strings, flags as
// booleans, 0/1 or "true". Anything else leaves the zero value rather than
// failing the payload.

// text is a string, also from a number (as written) or a boolean.
type text string

// UnmarshalJSONFrom reads a string, number or boolean; null clears it, so
// a repeated member's last null wins.
func (t *text) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	s, ok, err := scalar(dec)
	if ok {
		*t = text(s)
	}
	return err
}

// num is an integer, also from a numeric string, a float (truncated) or a
// boolean; out of range is 0.
type num int64

// UnmarshalJSONFrom reads a number, a numeric string or a boolean.
func (n *num) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	s, _, err := scalar(dec)
	*n = 0
	s = strings.TrimSpace(s)
	if s == "true" {
		*n = 1
	} else if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = num(i)
	} else if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && f < math.MaxInt64 && f >= math.MinInt64 {
		*n = num(int64(f))
	}
	return err
}

// flag is a boolean, also from a number (non-zero is true) or its text.
type flag bool

// UnmarshalJSONFrom reads a boolean, a number or a boolean's text.
func (f *flag) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	s, _, err := scalar(dec)
	s = strings.TrimSpace(s)
	*f = false
	if v, err := strconv.ParseBool(s); err == nil {
		*f = flag(v)
	} else if x, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
		*f = x != 0
	}
	return err
}

// scalar reads the next value as text: "" and ok for null; an object or
// array is skipped with ok false (leave the field as it is).
func scalar(dec *jsontext.Decoder) (s string, ok bool, err error) {
	switch dec.PeekKind() {
	case '{', '[':
		return "", false, dec.SkipValue()
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return "", false, err
	}
	if tok.Kind() == 'n' {
		return "", true, nil
	}
	return tok.String(), true, nil
}

// str is the text as a Go string.
func (t text) str() string { return string(t) }
