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

// JSONSize is len(JSON(v)) without keeping the bytes (math.MaxInt if v
// does not encode); rendering asks it for every message.
func JSONSize(v any) int {
	var n counter
	enc := json.NewEncoder(&n)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return math.MaxInt
	}
	return int(n) - 1
}

// counter counts what is written to it.
type counter int

func (c *counter) Write(p []byte) (int, error) {
	*c += counter(len(p))
	return len(p), nil
}
