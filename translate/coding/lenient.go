package coding

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/coding-relay/coding-relay/translate"
)

// The models (translate.Event and what it holds) are filled from a parsed
// payload by one set of rules, lenient because CODING is inconsistent and a
// notification with one field missing is better than none:
//
//   - A struct field takes the value of the member named by its json tag
//     (else by its Go name), else of the first of the names in its
//     `alias:"a,b"` tag that is present, else of a member whose name equals
//     its name ignoring case (strings.EqualFold). Fields of an embedded
//     struct count as the outer struct's.
//   - null is the same as absent; of a name that repeats, the last value
//     counts. Of several names that equal a field's ignoring case, the one
//     whose last value comes first in the object wins.
//   - A string takes a string, a number (its literal: ids come both ways)
//     or a boolean ("true", "false").
//   - An integer or a float takes a number, a string that strconv.ParseFloat
//     reads once trimmed (timestamps come both ways) or a boolean (1, 0); an
//     integer drops a fraction and takes nothing out of its range.
//   - A boolean takes a boolean, a number (not 0 is true) or a string that
//     strconv.ParseBool reads once trimmed ("1", "true", "F", …).
//   - A pointer to a struct is set only from an object, a struct only from
//     an object, a slice only from an array, whose nulls are skipped.
//   - A value that cannot be coerced leaves the zero value; it never fails
//     the payload.
//   - A string field tagged `coding:"url"` holds translate.CleanURL of its
//     value: old payloads send HTML anchors where a link belongs.
//
// The models use no other kinds (TestModelKinds holds them to that); Raw
// has the whole payload for anything they lack.

// structInfo is what the rules need to know of a struct type, worked out
// once: its fields, embedded ones flattened, and an index of their names.
type structInfo struct {
	fields []fieldInfo
	// stride is the most names (json name and aliases) of a field: slots
	// of fillStruct hold stride entries per field.
	stride int
	// index has every name and alias under its lower case: one lookup of
	// a member's lower-cased name finds its exact and case-insensitive
	// matches. (All names are ASCII, checked in buildInfo.)
	index  map[string]*match
	maxLen int // of the names
}

// fieldInfo is one field; names[0] is its json name, the aliases follow in
// order of preference.
type fieldInfo struct {
	index []int
	names []string
	url   bool
}

// match is what member names of one lower case can match.
type match struct {
	exact []exactRef // names and aliases spelled this way
	fold  []int32    // fields whose json name has this lower case
}

type exactRef struct {
	name        string
	field, prio int32
}

var infos sync.Map // reflect.Type → *structInfo

// infoFor is the structInfo of struct type t.
func infoFor(t reflect.Type) *structInfo {
	if st, ok := infos.Load(t); ok {
		return st.(*structInfo)
	}
	st, _ := infos.LoadOrStore(t, buildInfo(t))
	return st.(*structInfo)
}

func buildInfo(t reflect.Type) *structInfo {
	st := &structInfo{stride: 1, index: map[string]*match{}}
	addFields(st, t, nil)
	entry := func(name string) *match {
		if !isASCII(name) {
			// The index and foldHits rely on it; the models are ours.
			panic(fmt.Sprintf("coding: field name %q of %s is not ASCII", name, t))
		}
		st.maxLen = max(st.maxLen, len(name))
		lower := strings.ToLower(name)
		m := st.index[lower]
		if m == nil {
			m = &match{}
			st.index[lower] = m
		}
		return m
	}
	for i, f := range st.fields {
		st.stride = max(st.stride, len(f.names))
		for prio, name := range f.names {
			m := entry(name)
			m.exact = append(m.exact, exactRef{name, int32(i), int32(prio)})
		}
		m := entry(f.names[0])
		m.fold = append(m.fold, int32(i))
	}
	return st
}

// addFields appends the fields of struct t, at index path prefix.
func addFields(st *structInfo, t reflect.Type, prefix []int) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		index := append(append([]int(nil), prefix...), i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			addFields(st, f.Type, index)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fi := fieldInfo{index: index, names: []string{name}}
		if aliases := f.Tag.Get("alias"); aliases != "" {
			fi.names = append(fi.names, strings.Split(aliases, ",")...)
		}
		fi.url = f.Tag.Get("coding") == "url" && f.Type.Kind() == reflect.String
		st.fields = append(st.fields, fi)
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldHit is a member whose name equals a field's ignoring case but not
// exactly; rare in real payloads.
type foldHit struct {
	field int32
	name  string
	value int32
}

// fillStruct fills dst, a struct described by st, from object node obj.
func (d *doc) fillStruct(dst reflect.Value, st *structInfo, obj int32) {
	// slots[field*stride+prio] is the value node of the last member named
	// by that name of the field, -1 if none.
	var buf [256]int32
	var slots []int32
	if n := len(st.fields) * st.stride; n <= len(buf) {
		slots = buf[:n]
	} else {
		slots = make([]int32, n)
	}
	for i := range slots {
		slots[i] = -1
	}
	var folds []foldHit
	for k := obj + 1; k < d.nodes[obj].next; k = d.nodes[k+1].next {
		name, value := d.text(k), k+1
		if !isASCII(name) {
			// No exact match is possible, but "ſ" folds to "s" and "K"
			// (Kelvin) to "k".
			folds = st.foldHits(folds, name, value)
			continue
		}
		m := st.lookup(name)
		if m == nil {
			continue
		}
		for _, x := range m.exact {
			if x.name == name {
				slots[int(x.field)*st.stride+int(x.prio)] = value
			}
		}
		for _, fi := range m.fold {
			if st.fields[fi].names[0] != name {
				folds = append(folds, foldHit{fi, name, value})
			}
		}
	}
	for fi := range st.fields {
		f := &st.fields[fi]
		v := int32(-1)
		for prio := range f.names {
			if s := slots[fi*st.stride+prio]; s >= 0 && d.nodes[s].kind != 'n' {
				v = s
				break
			}
		}
		if v < 0 && folds != nil {
			v = d.foldValue(folds, int32(fi))
		}
		if v < 0 {
			continue
		}
		fv := dst.Field(f.index[0])
		if len(f.index) > 1 {
			fv = dst.FieldByIndex(f.index)
		}
		d.fill(fv, v)
		if f.url {
			if s := fv.String(); s != "" {
				fv.SetString(translate.CleanURL(s))
			}
		}
	}
}

// lookup finds the match of an ASCII member name, nil if none.
func (st *structInfo) lookup(name string) *match {
	var lower [64]byte
	if len(name) > st.maxLen || len(name) > len(lower) {
		return nil // longer than every field name
	}
	for i := range len(name) {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return st.index[string(lower[:len(name)])]
}

// foldHits appends the fields whose name equals name ignoring case.
func (st *structInfo) foldHits(folds []foldHit, name string, value int32) []foldHit {
	for i := range st.fields {
		if strings.EqualFold(name, st.fields[i].names[0]) {
			folds = append(folds, foldHit{int32(i), name, value})
		}
	}
	return folds
}

// foldValue is the value for field fi of the first case-insensitive match
// whose last value is not null; -1 if none.
func (d *doc) foldValue(folds []foldHit, fi int32) int32 {
	for i, h := range folds {
		if h.field != fi || d.nodes[h.value].kind == 'n' {
			continue
		}
		last := true
		for _, later := range folds[i+1:] {
			if later.name == h.name {
				last = false
				break
			}
		}
		if last {
			return h.value
		}
	}
	return -1
}

// fill fills dst from node i by the rules above.
func (d *doc) fill(dst reflect.Value, i int32) {
	n := &d.nodes[i]
	if n.kind == 'n' {
		return
	}
	switch dst.Kind() {
	case reflect.String:
		if s, ok := d.str(i); ok {
			dst.SetString(s)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if x, ok := d.int(i); ok {
			dst.SetInt(x)
		}
	case reflect.Float32, reflect.Float64:
		if f, ok := d.float(i); ok {
			dst.SetFloat(f)
		}
	case reflect.Bool:
		if b, ok := d.bool(i); ok {
			dst.SetBool(b)
		}
	case reflect.Pointer:
		elem := dst.Type().Elem()
		if elem.Kind() == reflect.Struct && n.kind != '{' {
			return // an object was expected; keep the pointer nil
		}
		p := reflect.New(elem)
		d.fill(p.Elem(), i)
		dst.Set(p)
	case reflect.Struct:
		if n.kind == '{' {
			d.fillStruct(dst, infoFor(dst.Type()), i)
		}
	case reflect.Slice:
		if n.kind != '[' {
			return
		}
		count := 0
		for k := i + 1; k < n.next; k = d.nodes[k].next {
			if d.nodes[k].kind != 'n' {
				count++
			}
		}
		s := reflect.MakeSlice(dst.Type(), count, count)
		j := 0
		for k := i + 1; k < n.next; k = d.nodes[k].next {
			if d.nodes[k].kind != 'n' {
				d.fill(s.Index(j), k)
				j++
			}
		}
		dst.Set(s)
	}
}

// str coerces node i to a string.
func (d *doc) str(i int32) (string, bool) {
	switch d.nodes[i].kind {
	case '"', '0':
		return d.text(i), true
	case 't':
		return "true", true
	case 'f':
		return "false", true
	}
	return "", false
}

// float coerces node i to a float64.
func (d *doc) float(i int32) (float64, bool) {
	switch d.nodes[i].kind {
	case '0':
		f, err := strconv.ParseFloat(d.text(i), 64)
		return f, err == nil
	case '"':
		f, err := strconv.ParseFloat(strings.TrimSpace(d.text(i)), 64)
		return f, err == nil
	case 't':
		return 1, true
	case 'f':
		return 0, true
	}
	return 0, false
}

// int coerces node i to an int64: an integer literal exactly, anything
// else by way of float.
func (d *doc) int(i int32) (int64, bool) {
	if d.nodes[i].kind == '0' {
		if x, err := strconv.ParseInt(d.text(i), 10, 64); err == nil {
			return x, true
		}
	}
	// 2⁶³ is the first float out of range; converting it would give
	// whatever the CPU makes of it.
	f, ok := d.float(i)
	if !ok || math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

// bool coerces node i to a bool.
func (d *doc) bool(i int32) (bool, bool) {
	switch d.nodes[i].kind {
	case 't':
		return true, true
	case 'f':
		return false, true
	case '0':
		f, err := strconv.ParseFloat(d.text(i), 64)
		return f != 0, err == nil
	case '"':
		b, err := strconv.ParseBool(strings.TrimSpace(d.text(i)))
		return b, err == nil
	}
	return false, false
}
