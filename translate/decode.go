package translate

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// DecodeObject decodes a webhook body, which must be a JSON object, into a
// source's payload struct v with encoding/json's tolerance: unknown members
// are ignored, and one of the wrong type is left empty while the rest is
// decoded. opts are added to v1's (a source matching names without their
// delimiters passes jsonv1.MatchCaseSensitiveDelimiter(false)). Only
// malformed JSON, or JSON that is no object, fails; the error says which
// without quoting the body.
func DecodeObject(body []byte, v any, opts ...json.Options) error {
	if k := jsontext.Value(body).Kind(); k != '{' {
		if !jsonv1.Valid(body) {
			return fmt.Errorf("decode webhook body: malformed JSON: %w", syntaxError(body))
		}
		return fmt.Errorf("decode webhook body: want a JSON object, got %s", cmp.Or(valueNames[k], "a number"))
	}
	err := json.Unmarshal(body, v, append([]json.Options{jsonv1.DefaultOptionsV1()}, opts...)...)
	if _, mismatch := errors.AsType[*jsonv1.UnmarshalTypeError](err); err != nil && (!mismatch || !jsonv1.Valid(body)) {
		return fmt.Errorf("decode webhook body: malformed JSON: %w", syntaxError(body))
	}
	return nil
}

// valueNames name the valid JSON values other than an object and a number.
var valueNames = map[jsontext.Kind]string{'[': "an array", '"': "a string", 't': "a boolean", 'f': "a boolean", 'n': "null"}

// syntaxError is why a body is not JSON, without quoting the body.
func syntaxError(body []byte) error {
	var v any
	err := jsonv1.Unmarshal(body, &v)
	if se, ok := errors.AsType[*jsonv1.SyntaxError](err); ok {
		return errors.New(strings.TrimPrefix(se.Error(), "json: "))
	}
	if err != nil {
		return err
	}
	return errors.New("invalid JSON")
}
