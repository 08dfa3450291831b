package coding

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	jsonv1 "github.com/go-json-experiment/json/v1"
)

// The tolerant scalars of CODING's payloads: CODING sends ids as numbers
// or strings, timestamps as numbers or numeric strings, flags as booleans,
// 0/1 or "true". Each type takes what means its value and leaves anything
// else (an object, an array, text that is no number) as its zero value
// without failing the payload.

// text is a string, also from a number (as written) or a boolean.
type text string

// UnmarshalJSON reads a string, a number or a boolean.
func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0:
	case b[0] == '"':
		var s string
		if jsonv1.Unmarshal(b, &s) == nil {
			*t = text(s)
		}
	case b[0] == 'n':
		*t = "" // null is absent: a repeated member's last null wins
	case b[0] == '{' || b[0] == '[':
	default:
		*t = text(b)
	}
	return nil
}

// num is an integer, also from a numeric string, a float (its fraction
// dropped) or a boolean (1 for true); out of range or no number is 0.
type num int64

// UnmarshalJSON reads a number, a numeric string or a boolean.
func (n *num) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	switch {
	case s == "true":
		*n = 1
		return nil
	case strings.HasPrefix(s, `"`):
		var q string
		if jsonv1.Unmarshal(b, &q) != nil {
			return nil
		}
		s = strings.TrimSpace(q)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = num(i)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err == nil && !math.IsNaN(f) && f < math.MaxInt64 && f >= math.MinInt64 {
		*n = num(int64(f))
	}
	return nil
}

// flag is a boolean, also from 0/1 (any non-zero number is true) and
// "true"/"false"/"1"/"0" in any case.
type flag bool

// UnmarshalJSON reads a boolean, a number or a boolean's text.
func (f *flag) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if strings.HasPrefix(s, `"`) {
		var q string
		if jsonv1.Unmarshal(b, &q) != nil {
			return nil
		}
		s = strings.TrimSpace(q)
	}
	if v, err := strconv.ParseBool(s); err == nil {
		*f = flag(v)
	} else if x, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
		*f = x != 0
	}
	return nil
}

// str is the text as a Go string.
func (t text) str() string { return string(t) }
