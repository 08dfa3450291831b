package translate

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// fill and fillStruct are the generic path of Decode (decodeGeneric), used
// when the fast path (jsontape.go, plan.go) does not accept a body, and the
// reference the fast path is tested against: both apply the rules below.
//
// fill copies a generic JSON value (as produced by a json.Decoder with
// UseNumber) into dst, coercing where CODING is known to be inconsistent:
// ids arrive as numbers or strings, flags as booleans or 0/1, timestamps as
// numbers or numeric strings. A value that cannot be coerced is left at its
// zero value instead of failing the whole payload: a notification with one
// field missing is better than no notification.
//
// Struct fields are matched by their json tag name, then by the names in an
// optional `alias:"a,b"` tag, then case-insensitively. A field tagged
// `coding:"url"` is cleaned with cleanURL (HTML anchors, non-http schemes).
func fill(dst reflect.Value, src any) {
	if src == nil || !dst.CanSet() {
		return
	}
	switch dst.Kind() {
	case reflect.Pointer:
		if _, isMap := src.(map[string]any); dst.Type().Elem().Kind() == reflect.Struct && !isMap {
			return // an object was expected; keep the pointer nil
		}
		v := reflect.New(dst.Type().Elem())
		fill(v.Elem(), src)
		dst.Set(v)
	case reflect.Struct:
		obj, ok := src.(map[string]any)
		if !ok {
			return
		}
		fillStruct(dst, obj)
	case reflect.String:
		if s, ok := scalarString(src); ok {
			dst.SetString(s)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, ok := scalarInt(src); ok {
			dst.SetInt(n)
		}
	case reflect.Float32, reflect.Float64:
		if f, ok := scalarFloat(src); ok {
			dst.SetFloat(f)
		}
	case reflect.Bool:
		if b, ok := scalarBool(src); ok {
			dst.SetBool(b)
		}
	case reflect.Slice:
		arr, ok := src.([]any)
		if !ok {
			return
		}
		s := reflect.MakeSlice(dst.Type(), 0, len(arr))
		for _, item := range arr {
			if item == nil {
				continue
			}
			e := reflect.New(dst.Type().Elem()).Elem()
			fill(e, item)
			s = reflect.Append(s, e)
		}
		dst.Set(s)
	case reflect.Map:
		if obj, ok := src.(map[string]any); ok && dst.Type() == reflect.TypeOf(obj) {
			dst.Set(reflect.ValueOf(obj))
		}
	case reflect.Interface:
		dst.Set(reflect.ValueOf(src))
	}
}

func fillStruct(dst reflect.Value, obj map[string]any) {
	t := dst.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			fillStruct(dst.Field(i), obj)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		v, ok := lookup(obj, name, f.Tag.Get("alias"))
		if !ok {
			continue
		}
		fv := dst.Field(i)
		fill(fv, v)
		if f.Tag.Get("coding") == "url" && fv.Kind() == reflect.String {
			fv.SetString(cleanURL(fv.String()))
		}
	}
}

// lookup finds a key by its exact name, its aliases, then ignoring case.
func lookup(obj map[string]any, name, aliases string) (any, bool) {
	if v, ok := obj[name]; ok && v != nil {
		return v, true
	}
	if aliases != "" {
		for a := range strings.SplitSeq(aliases, ",") {
			if v, ok := obj[a]; ok && v != nil {
				return v, true
			}
		}
	}
	for k, v := range obj {
		if v != nil && strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

func scalarString(src any) (string, bool) {
	switch v := src.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

func scalarFloat(src any) (float64, bool) {
	switch v := src.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func scalarInt(src any) (int64, bool) {
	if n, ok := src.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i, true
		}
	}
	return floatToInt(scalarFloat(src))
}

// floatToInt converts a coerced float to an int64 when it is in range.
func floatToInt(f float64, ok bool) (int64, bool) {
	if !ok || math.IsNaN(f) || f > math.MaxInt64 || f < math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

func scalarBool(src any) (bool, bool) {
	switch v := src.(type) {
	case bool:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f != 0, err == nil
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		return b, err == nil
	}
	return false, false
}
