package translate

import (
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// A plan is what fill needs to know about a type, worked out once per
// reflect.Type (tags parsed, fields flattened, keys indexed) instead of on
// every decode. Plans drive the fast path, which fills the models from a
// tape (jsontape.go) with exactly the rules fill applies to generic values:
// a field takes the value of its json name, else of its first alias present,
// else of a key equal to its name ignoring case; null counts as absent; when
// a key repeats, its last value counts.

type valueKind uint8

const (
	vkIgnore valueKind = iota // kinds fill leaves alone (uint, chan, ...)
	vkString
	vkInt
	vkFloat
	vkBool
	vkPointer
	vkStruct
	vkSlice
	vkMap // map[string]any only
	vkInterface
)

// valuePlan fills a value of one type.
type valuePlan struct {
	kind valueKind
	typ  reflect.Type
	elem *valuePlan  // pointer and slice element
	st   *structPlan // struct
}

// fieldPlan is one field of a struct, embedded structs flattened.
type fieldPlan struct {
	index   []int
	name    string
	aliases []string
	url     bool // coding:"url" on a string field
	value   *valuePlan
}

type slotRef struct{ field, prio int32 }

// structPlan fills a struct from an object.
type structPlan struct {
	fields []fieldPlan
	stride int                  // slots per field: the name and each alias
	keys   map[string][]slotRef // json names and aliases
	fold   map[string][]int32   // ASCII lower-case names (all ASCII)
	// foldAll is set when a name is not ASCII; folding then compares
	// every name with strings.EqualFold.
	foldAll bool
	// index has every name and alias under its ASCII lower case (when all
	// are ASCII, else it is nil): one lookup finds both the exact and the
	// case-insensitive matches of an ASCII key.
	index map[string]*keyEntry
}

// keyEntry is what keys of one lower case match.
type keyEntry struct {
	exact []exactRef // names and aliases, as spelled
	fold  []int32    // fields whose name has this lower case
}

type exactRef struct {
	key  string
	slot slotRef
}

var (
	planMu    sync.Mutex
	planCache sync.Map // reflect.Type → *valuePlan
)

var mapStringAny = reflect.TypeFor[map[string]any]()

// planFor returns the plan of t, building it on first use.
func planFor(t reflect.Type) *valuePlan {
	if p, ok := planCache.Load(t); ok {
		return p.(*valuePlan)
	}
	planMu.Lock()
	defer planMu.Unlock()
	building := map[reflect.Type]*valuePlan{}
	p := buildPlan(t, building)
	for t, p := range building {
		planCache.LoadOrStore(t, p)
	}
	got, _ := planCache.Load(t)
	if got == nil {
		return p
	}
	return got.(*valuePlan)
}

func buildPlan(t reflect.Type, building map[reflect.Type]*valuePlan) *valuePlan {
	if p, ok := planCache.Load(t); ok {
		return p.(*valuePlan)
	}
	if p, ok := building[t]; ok {
		return p // recursive type: filled in below by the outer call
	}
	p := &valuePlan{typ: t}
	building[t] = p
	switch t.Kind() {
	case reflect.String:
		p.kind = vkString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind = vkInt
	case reflect.Float32, reflect.Float64:
		p.kind = vkFloat
	case reflect.Bool:
		p.kind = vkBool
	case reflect.Pointer:
		p.kind = vkPointer
		p.elem = buildPlan(t.Elem(), building)
	case reflect.Slice:
		p.kind = vkSlice
		p.elem = buildPlan(t.Elem(), building)
	case reflect.Map:
		if t == mapStringAny {
			p.kind = vkMap
		}
	case reflect.Interface:
		p.kind = vkInterface
	case reflect.Struct:
		p.kind = vkStruct
		p.st = &structPlan{keys: map[string][]slotRef{}, fold: map[string][]int32{}}
		addFields(p.st, t, nil, building)
		st := p.st
		st.stride = 1
		for _, f := range st.fields {
			st.stride = max(st.stride, 1+len(f.aliases))
		}
		for i, f := range st.fields {
			st.keys[f.name] = append(st.keys[f.name], slotRef{int32(i), 0})
			for a, alias := range f.aliases {
				st.keys[alias] = append(st.keys[alias], slotRef{int32(i), int32(1 + a)})
			}
			if !isASCII(f.name) {
				st.foldAll = true
			}
			lower := strings.ToLower(f.name)
			st.fold[lower] = append(st.fold[lower], int32(i))
		}
		st.index = map[string]*keyEntry{}
		entry := func(k string) *keyEntry {
			e := st.index[strings.ToLower(k)]
			if e == nil {
				e = &keyEntry{}
				st.index[strings.ToLower(k)] = e
			}
			return e
		}
		for k, refs := range st.keys {
			if !isASCII(k) {
				st.index = nil
				break
			}
			for _, r := range refs {
				e := entry(k)
				e.exact = append(e.exact, exactRef{k, r})
			}
		}
		if st.index != nil && !st.foldAll {
			for i, f := range st.fields {
				e := entry(f.name)
				e.fold = append(e.fold, int32(i))
			}
		} else {
			st.index = nil
		}
	}
	return p
}

// addFields appends the fields of struct t (at index path prefix) the way
// fillStruct walks them.
func addFields(st *structPlan, t reflect.Type, prefix []int, building map[reflect.Type]*valuePlan) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		index := append(append([]int(nil), prefix...), i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			addFields(st, f.Type, index, building)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fp := fieldPlan{index: index, name: name, value: buildPlan(f.Type, building)}
		if aliases := f.Tag.Get("alias"); aliases != "" {
			fp.aliases = strings.Split(aliases, ",")
		}
		fp.url = f.Tag.Get("coding") == "url" && f.Type.Kind() == reflect.String
		st.fields = append(st.fields, fp)
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

// foldHit is a key that equals a field's name ignoring case (but not
// exactly); rare in real payloads.
type foldHit struct {
	field int32
	key   string
	value int32
}

// lookupASCII finds an ASCII key in the index: the entry of its lower
// case (nil when nothing matches it); ok is false when the index cannot
// answer (no index, a key that is not ASCII or longer than the buffer).
func (st *structPlan) lookupASCII(key string) (e *keyEntry, ok bool) {
	var buf [64]byte
	if st.index == nil || len(key) > len(buf) {
		return nil, false
	}
	for i := range len(key) {
		c := key[i]
		if c >= utf8.RuneSelf {
			return nil, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return st.index[string(buf[:len(key)])], true
}

// foldFields calls fn for every field whose name equals key ignoring case.
func (st *structPlan) foldFields(key string, fn func(int32)) {
	if !st.foldAll && isASCII(key) {
		var buf [64]byte
		if len(key) > len(buf) {
			return // longer than any name
		}
		for i := range len(key) {
			c := key[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		for _, fi := range st.fold[string(buf[:len(key)])] {
			fn(fi)
		}
		return
	}
	for i := range st.fields {
		if strings.EqualFold(key, st.fields[i].name) {
			fn(int32(i))
		}
	}
}

// fillStruct fills dst (a struct of plan st) from object node obj.
func (t *tape) fillStruct(dst reflect.Value, st *structPlan, obj int32) {
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
	end := t.nodes[obj].next
	for k := obj + 1; k < end; k = t.nodes[k+1].next {
		key := t.str(k)
		if e, ok := st.lookupASCII(key); ok {
			if e == nil {
				continue
			}
			for _, x := range e.exact {
				if x.key == key {
					slots[int(x.slot.field)*st.stride+int(x.slot.prio)] = k + 1
				}
			}
			for _, fi := range e.fold {
				if st.fields[fi].name != key {
					folds = append(folds, foldHit{fi, key, k + 1})
				}
			}
			continue
		}
		for _, r := range st.keys[key] {
			slots[int(r.field)*st.stride+int(r.prio)] = k + 1
		}
		st.foldFields(key, func(fi int32) {
			if st.fields[fi].name != key {
				folds = append(folds, foldHit{fi, key, k + 1})
			}
		})
	}
	for fi := range st.fields {
		f := &st.fields[fi]
		v := int32(-1)
		for prio := range 1 + len(f.aliases) {
			if s := slots[fi*st.stride+prio]; s >= 0 && t.nodes[s].kind != kindNull {
				v = s
				break
			}
		}
		if v < 0 && folds != nil {
			v = foldValue(t, folds, int32(fi))
		}
		if v < 0 {
			continue
		}
		var fv reflect.Value
		if len(f.index) == 1 {
			fv = dst.Field(f.index[0])
		} else {
			fv = dst.FieldByIndex(f.index)
		}
		t.fill(fv, f.value, v)
		if f.url {
			if s := fv.String(); s != "" {
				fv.SetString(cleanURL(s))
			}
		}
	}
}

// foldValue picks, for field fi, a case-insensitively matching key whose
// last value is not null; -1 if none.
func foldValue(t *tape, folds []foldHit, fi int32) int32 {
	for i, h := range folds {
		if h.field != fi || t.nodes[h.value].kind == kindNull {
			continue
		}
		last := true
		for _, later := range folds[i+1:] {
			if later.key == h.key {
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

// fill fills dst (of plan p) from node i, coercing like fill in lenient.go.
func (t *tape) fill(dst reflect.Value, p *valuePlan, i int32) {
	nd := &t.nodes[i]
	if nd.kind == kindNull {
		return
	}
	switch p.kind {
	case vkString:
		if s, ok := t.scalarString(i); ok {
			dst.SetString(s)
		}
	case vkInt:
		if n, ok := t.scalarInt(i); ok {
			dst.SetInt(n)
		}
	case vkFloat:
		if f, ok := t.scalarFloat(i); ok {
			dst.SetFloat(f)
		}
	case vkBool:
		if b, ok := t.scalarBool(i); ok {
			dst.SetBool(b)
		}
	case vkPointer:
		if p.elem.typ.Kind() == reflect.Struct && nd.kind != kindObject {
			return // an object was expected; keep the pointer nil
		}
		v := reflect.New(p.elem.typ)
		t.fill(v.Elem(), p.elem, i)
		dst.Set(v)
	case vkStruct:
		if nd.kind == kindObject {
			t.fillStruct(dst, p.st, i)
		}
	case vkSlice:
		if nd.kind != kindArray {
			return
		}
		n := 0
		for k := i + 1; k < nd.next; k = t.nodes[k].next {
			if t.nodes[k].kind != kindNull {
				n++
			}
		}
		s := reflect.MakeSlice(p.typ, n, n)
		j := 0
		for k := i + 1; k < nd.next; k = t.nodes[k].next {
			if t.nodes[k].kind != kindNull {
				t.fill(s.Index(j), p.elem, k)
				j++
			}
		}
		dst.Set(s)
	case vkMap:
		if nd.kind == kindObject {
			dst.Set(reflect.ValueOf(t.generic(i)))
		}
	case vkInterface:
		dst.Set(reflect.ValueOf(t.generic(i)))
	}
}
