package translate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestEventViewMirrorsEvent keeps EventView in step with Event: every field
// of Event is a field of the view with the same type, and
// every exported method of *Event is reachable under its name, as a method
// with the same signature or, for a method without arguments, as a field of
// its result type. User templates written against Event keep working.
func TestEventViewMirrorsEvent(t *testing.T) {
	et, vt := reflect.TypeFor[Event](), reflect.TypeFor[EventView]()
	for f := range et.Fields() {
		if !f.IsExported() {
			continue
		}
		vf, ok := vt.FieldByName(f.Name)
		if !ok || vf.Type != f.Type {
			t.Errorf("EventView lacks field %s %s", f.Name, f.Type)
		}
	}
	ept, vpt := reflect.PointerTo(et), reflect.PointerTo(vt)
	for m := range ept.Methods() {
		if vm, ok := vpt.MethodByName(m.Name); ok {
			// Compare without the receivers.
			if !sameSignature(m.Type, vm.Type) {
				t.Errorf("EventView.%s is %s, Event.%s is %s", m.Name, vm.Type, m.Name, m.Type)
			}
			continue
		}
		vf, ok := vt.FieldByName(m.Name)
		if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || vf.Type != m.Type.Out(0) {
			t.Errorf("EventView has neither a method nor a field for Event.%s %s", m.Name, m.Type)
		}
	}
}

func sameSignature(a, b reflect.Type) bool {
	if a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() || a.IsVariadic() != b.IsVariadic() {
		return false
	}
	for i := 1; i < a.NumIn(); i++ {
		if a.In(i) != b.In(i) {
			return false
		}
	}
	for i := range a.NumOut() {
		if a.Out(i) != b.Out(i) {
			return false
		}
	}
	return true
}

// TestEventViewValues checks that the view holds Event's field values and
// method results, for an event with every field set and for every test
// payload, and that it marshals to the same JSON.
func TestEventViewValues(t *testing.T) {
	full := &Event{}
	fillNonZero(reflect.ValueOf(full).Elem())
	events := map[string]*Event{"every field set": full, "empty": {}}
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test payloads: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := Decode(SampleEventName(f), b)
		if err != nil {
			continue // payloads that test decode errors
		}
		events[filepath.Base(f)] = ev.forTemplates()
	}
	for name, ev := range events {
		v := newEventView(ev)
		ev2, vv := reflect.ValueOf(ev), reflect.ValueOf(v)
		for f := range ev2.Elem().Type().Fields() {
			if !f.IsExported() {
				continue
			}
			vf := vv.Elem().FieldByName(f.Name)
			if !vf.IsValid() {
				continue // reported by TestEventViewMirrorsEvent
			}
			if got, want := vf.Interface(), ev2.Elem().FieldByIndex(f.Index).Interface(); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: view.%s = %#v, want %#v", name, f.Name, got, want)
			}
		}
		for m := range ev2.Type().Methods() {
			if m.Type.NumIn() != 1 || m.Type.NumOut() != 1 {
				continue
			}
			want := ev2.Method(m.Index).Call(nil)[0].Interface()
			var got any
			if vm := vv.MethodByName(m.Name); vm.IsValid() {
				got = vm.Call(nil)[0].Interface()
			} else if vf := vv.Elem().FieldByName(m.Name); vf.IsValid() {
				got = vf.Interface()
			} else {
				continue // reported by TestEventViewMirrorsEvent
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: view.%s = %#v, want %#v", name, m.Name, got, want)
			}
		}
		if ev.CommitURL("abc") != v.CommitURL("abc") || !reflect.DeepEqual(ev.Get("repository.name"), v.Get("repository.name")) {
			t.Errorf("%s: CommitURL or Get differ", name)
		}
		ej, err1 := json.Marshal(ev)
		vj, err2 := json.Marshal(v)
		if err1 != nil || err2 != nil || string(ej) != string(vj) {
			t.Errorf("%s: view JSON differs (%v, %v):\n%s\n%s", name, err1, err2, vj, ej)
		}
	}
}

// fillNonZero sets every exported field of the struct v to a non-zero value,
// so that a field the view forgets to copy shows.
func fillNonZero(v reflect.Value) {
	for i := range v.NumField() {
		if !v.Type().Field(i).IsExported() {
			continue
		}
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("refs/tags/x" + v.Type().Field(i).Name)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(i + 1))
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
			if f.Elem().Kind() == reflect.Struct {
				fillNonZero(f.Elem())
			}
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		}
	}
}
