package store

import jsonv2 "github.com/go-json-experiment/json"

// UnmarshalItem decodes a stored item's JSON as DecodeItem does.
func UnmarshalItem(v []byte, it *Item) error {
	return jsonv2.Unmarshal(v, it, itemJSON)
}
