package robot

import (
	"bytes"
	"encoding/json"
	"math"
)

// JSON encodes a wire body as the services take it: with <, > and & as
// they are (the services count bytes, and <font> stays short) and no
// trailing newline.
func JSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// JSONSize is len(JSON(v)), for a dialect's Size; math.MaxInt when v does
// not encode.
func JSONSize(v any) int {
	b, err := JSON(v)
	if err != nil {
		return math.MaxInt
	}
	return len(b)
}
