package coding

import (
	"math"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// The tolerant scalars of CODING's payloads: CODING sends ids as numbers
// or strings, timestamps as numbers or numeric strings, flags as booleans,
// 0/1 or "true". Each type takes what means its value and leaves anything
// else (an object, an array, text that is no number) as its zero value
// without failing the payload.

// text is a string, also from a number (as written) or a boolean.
type text string

// UnmarshalJSONFrom reads a string, a number or a boolean; null is
// absent, so that a repeated member's last null wins.
func (t *text) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	s, ok, err := scalar(dec)
	if ok {
		*t = text(s)
	}
	return err
}

// num is an integer, also from a numeric string, a float (its fraction
// dropped) or a boolean (1 for true); out of range or no number is 0.
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

// flag is a boolean, also from 0/1 (any non-zero number is true) and
// "true"/"false"/"1"/"0" in any case.
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

// scalar reads the next value: a string's text, a number or a boolean as
// written, "" for null (ok true: the member is present and empty) and for
// an object or array, which it skips (ok false: leave the field as it is).
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
