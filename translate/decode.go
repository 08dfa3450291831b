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

// DecodeObject decodes a JSON object body into v tolerantly: unknown
// members are ignored, a wrongly typed one is left empty, and names match
// fields ignoring case, _ and - (html_url fills HTMLURL). Only a non-object
// fails, with an error that does not quote the body.
func DecodeObject(body []byte, v any) error {
	if k := jsontext.Value(body).Kind(); k != '{' {
		if !jsonv1.Valid(body) {
			return fmt.Errorf("decode webhook body: malformed JSON: %w", syntaxError(body))
		}
		return fmt.Errorf("decode webhook body: want a JSON object, got %s", cmp.Or(valueNames[k], "a number"))
	}
	err := json.Unmarshal(body, v, jsonv1.DefaultOptionsV1(), jsonv1.MatchCaseSensitiveDelimiter(false))
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
