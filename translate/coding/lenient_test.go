package coding

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
)

// eventJSON is every model field of ev (the json-tagged ones), for
// comparing decoded events whole: nil and empty differ, and so do a nil
// pointer and an empty object.
func eventJSON(tb testing.TB, ev *translate.Event) string {
	tb.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// TestLenientRules decodes payloads that exercise each rule of lenient.go
// and compares every model field with what the rule says.
func TestLenientRules(t *testing.T) {
	tests := []struct {
		rule, body string
		want       translate.Event
	}{
		{"unknown members are ignored", `{"unknown":{"deep":[1,[2,{"x":null}]]},"zen":"z"}`, translate.Event{ZenText: "z"}},
		{"white space around the object", " {\"zen\" : \"spaces\" } \n", translate.Event{ZenText: "spaces"}},

		{"json name before alias", `{"repository":{"name":"a"},"repo":{"name":"b"}}`, translate.Event{Repository: &translate.Repository{Name: "a"}}},
		{"null json name: first alias present", `{"repository":null,"repo":{"name":"b"},"depot":{"name":"c"}}`, translate.Event{Repository: &translate.Repository{Name: "b"}}},
		{"null alias: next alias", `{"repo":null,"depot":{"name":"c"}}`, translate.Event{Repository: &translate.Repository{Name: "c"}}},
		{"present but not coercible still wins", `{"repository":"x","repo":{"name":"b"}}`, translate.Event{}},
		{"alias of a scalar", `{"sender":{"global_key":"g","nickname":"n","htmlUrl":"https://x/u"}}`, translate.Event{Sender: &translate.User{Login: "g", Name: "n", HTMLURL: "https://x/u"}}},
		{"alias order counts, not member order", `{"sender":{"displayName":"d","nickname":"n"}}`, translate.Event{Sender: &translate.User{Name: "n"}}},
		{"case-insensitive name", `{"Repository":{"Name":"cased","HTML_URL":"https://x.coding.net/p/a"}}`, translate.Event{Repository: &translate.Repository{Name: "cased", HTMLURL: "https://x.coding.net/p/a"}}},
		{"null exact name: case-insensitive one", `{"REPOSITORY":{"name":"a"},"repository":null}`, translate.Event{Repository: &translate.Repository{Name: "a"}}},
		{"alias before case-insensitive name", `{"Repository":{"name":"a"},"repo":{"name":"b"}}`, translate.Event{Repository: &translate.Repository{Name: "b"}}},
		{"aliases match exactly only", `{"REPO":{"name":"a"}}`, translate.Event{}},
		{"Unicode case folding", `{"ſender":{"login":"long s"}}`, translate.Event{Sender: &translate.User{Login: "long s"}}},
		{"Kelvin sign folds to k", `{"tas\u212A":{"title":"\u212A"}}`, translate.Event{Task: &translate.Task{Title: "\u212A"}}},
		{"first of several case-insensitive names", `{"sender":{"LOGIN":"a","Login":"b"}}`, translate.Event{Sender: &translate.User{Login: "a"}}},
		{"a case-insensitive name repeated: its last value", `{"sender":{"LOGIN":"a","Login":"b","LOGIN":"c"}}`, translate.Event{Sender: &translate.User{Login: "b"}}},
		{"a case-insensitive name last null: the next", `{"sender":{"LOGIN":"a","Login":"b","LOGIN":null}}`, translate.Event{Sender: &translate.User{Login: "b"}}},
		{"escaped member names", `{"a\u0062c":1,"re\u0070ository":{"name":"escaped key"}}`, translate.Event{Repository: &translate.Repository{Name: "escaped key"}}},
		{"embedded struct fields", `{"member":{"role_name":"r","globalKey":"k","displayName":"d"}}`, translate.Event{Member: &translate.Member{User: translate.User{Login: "k", Name: "d"}, Role: "r"}}},
		{"embedded struct: json names first", `{"member":{"login":"m","role":"admin","roleName":"x","global_key":"g"}}`, translate.Event{Member: &translate.Member{User: translate.User{Login: "m"}, Role: "admin"}}},
		{"json:\"-\" fields are not read", `{"Name":"n","Code":"c","CodeVerb":"v"}`, translate.Event{}},

		{"last duplicate wins", `{"sender":{"name":"a","name":"b"}}`, translate.Event{Sender: &translate.User{Name: "b"}}},
		{"null is absent", `{"sender":{"name":null,"login":null}}`, translate.Event{Sender: &translate.User{}}},
		{"last duplicate null: absent, alias used", `{"sender":{"name":"a","name":null,"nickname":"n"}}`, translate.Event{Sender: &translate.User{Name: "n"}}},
		{"last duplicate null: absent", `{"sender":{"Name":"A","Name":null}}`, translate.Event{Sender: &translate.User{}}},
		{"null object", `{"sender":null,"comment":{"body":null}}`, translate.Event{Comment: &translate.Comment{}}},

		{"strings from numbers and booleans", `{"sender":{"id":12345678901234567890,"login":1.5e3,"name":true,"email":false}}`, translate.Event{Sender: &translate.User{ID: "12345678901234567890", Login: "1.5e3", Name: "true", Email: "false"}}},
		{"strings from objects and arrays: none", `{"ref":{"a":1},"before":[1]}`, translate.Event{}},
		{"escapes", `{"ref":"refs/heads/\u4e2d\u6587","before":"a\"b\\c\/d\b\f\n\r\t","after":"\ud83d\ude00 \ud800 x \udc00\ud800"}`, translate.Event{Ref: "refs/heads/中文", Before: "a\"b\\c/d\b\f\n\r\t", After: "😀 \ufffd x \ufffd\ufffd"}},
		{"invalid UTF-8 reads as U+FFFD", "{\"ref\":\"bad \xff utf8\",\"action\":\"\xc3\",\"after\":\"\xe4\xb8\"}", translate.Event{Ref: "bad \ufffd utf8", Action: "\ufffd", After: "\ufffd\ufffd"}},

		{"integers from numeric strings and booleans", `{"number":"42","ci":{"build":{"number":" 7 ","duration":true}}}`, translate.Event{Number: 42, CI: &translate.CI{Build: &translate.Build{Number: 7, Duration: 1}}}},
		{"integers drop a fraction", `{"number":4.7,"ci":{"build":{"number":"-2.9","duration":83000.0}}}`, translate.Event{Number: 4, CI: &translate.CI{Build: &translate.Build{Number: -2, Duration: 83000}}}},
		{"integers from exponents", `{"number":1e3,"mergeRequest":{"number":"1E2"}}`, translate.Event{Number: 1000, MergeRequest: &translate.MergeRequest{Number: 100}}},
		{"integers at the ends of the range", `{"number":-9223372036854775808,"mergeRequest":{"number":9223372036854775807}}`, translate.Event{Number: math.MinInt64, MergeRequest: &translate.MergeRequest{Number: math.MaxInt64}}},
		{"integers out of range: none", `{"number":9223372036854775808,"mergeRequest":{"number":"9223372036854775808"},"ci":{"build":{"number":1e400,"duration":"-1e19"}}}`, translate.Event{MergeRequest: &translate.MergeRequest{}, CI: &translate.CI{Build: &translate.Build{}}}},
		{"integers from text: none", `{"number":"x","mergeRequest":{"number":"NaN","comments":"0x10","commits":""}}`, translate.Event{MergeRequest: &translate.MergeRequest{}}},
		{"timestamps both ways", `{"commits":[{"timestamp":"1589451706000"},{"timestamp":1589451706000}]}`, translate.Event{Commits: []translate.Commit{{Timestamp: 1589451706000}, {Timestamp: 1589451706000}}}},

		{"booleans from 0/1 and strings", `{"created":"1","deleted":1,"repository":{"private":" true "},"hook":{"active":"F"}}`, translate.Event{Created: true, Deleted: true, Repository: &translate.Repository{Private: true}, Hook: &translate.Hook{}}},
		{"booleans from numbers", `{"created":0.5,"deleted":0.0}`, translate.Event{Created: true}},
		{"booleans from other text: none", `{"created":"yes","deleted":1e400,"commits":[{"distinct":[]}]}`, translate.Event{Commits: []translate.Commit{{}}}},

		{"pointer from an object only", `{"sender":"x","pusher":[1],"head_commit":5,"repository":{}}`, translate.Event{Repository: &translate.Repository{}}},
		{"slice from an array only", `{"commits":{"id":"a"},"head_commit":[1]}`, translate.Event{}},
		{"empty array", `{"commits":[]}`, translate.Event{Commits: []translate.Commit{}}},
		{"slice: nulls skipped, others coerced or zero", `{"commits":[null,{"id":"a","sha":"b"},5,"x",[],{"sha":"c","added":["a",null,1,true,{}]}]}`,
			translate.Event{Commits: []translate.Commit{{ID: "a"}, {}, {}, {}, {ID: "c", Added: []string{"a", "1", "true", ""}}}}},
		{"slice of structs", `{"issue":{"iteration":{"title":"s"},"labels":[{"id":1,"name":"l"}],"dueDate":"x"}}`, translate.Event{Issue: &translate.Issue{Iteration: &translate.Iteration{Name: "s"}, Labels: []translate.Label{{ID: "1", Name: "l"}}}}},

		{"urls cleaned", `{"compare":"<a href='https://x/c'>c</a>","sender":{"html_url":"<A HREF=\"https://x/u\">u</A>","web_url":"https://y"}}`, translate.Event{Compare: "https://x/c", Sender: &translate.User{HTMLURL: "https://x/u"}}},
		{"urls that are none: empty", `{"task":{"htmlUrl":"javascript:alert(1)","url":"https://x/t"},"commits":[{"url":"ftp://x"}]}`, translate.Event{Task: &translate.Task{}, Commits: []translate.Commit{{}}}},
		{"url from a number: none", `{"compare":7}`, translate.Event{}},
		{"urls made safe for markdown", `{"compare":" https://x/a b(c) "}`, translate.Event{Compare: "https://x/a%20b%28c%29"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			ev, err := Decode("star", []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := eventJSON(t, ev), eventJSON(t, &tt.want); got != want {
				t.Errorf("Decode(%s):\ngot  %s\nwant %s", tt.body, got, want)
			}
		})
	}
}

// TestModelKinds holds the models to the kinds the rules fill: a field of
// another kind would silently stay empty.
func TestModelKinds(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, path string) {
		switch typ.Kind() {
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Float32, reflect.Float64:
		case reflect.Pointer, reflect.Slice:
			walk(typ.Elem(), path+"[]")
		case reflect.Struct:
			if seen[typ] {
				return
			}
			seen[typ] = true
			for f := range typ.Fields() {
				if f.IsExported() && f.Tag.Get("json") != "-" {
					walk(f.Type, path+"."+f.Name)
				}
			}
		default:
			t.Errorf("%s is a %s, which the rules do not fill", path, typ)
		}
	}
	walk(reflect.TypeFor[translate.Event](), "Event")
	// And every field name is ASCII, which buildInfo requires.
	for typ := range seen {
		infoFor(typ)
	}
}

// TestRawKeepsThePayload checks that Raw and Get read the payload as it
// came, nulls and numbers included, whatever the models made of it.
func TestRawKeepsThePayload(t *testing.T) {
	ev, err := Decode("star", []byte(`{"repository":{"name":"r"},"stars":[{"n":1.50}],"x":null,"number":"7"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.Get("stars.0.n"); got != json.Number("1.50") {
		t.Errorf("Get(stars.0.n) = %#v", got)
	}
	if v, ok := ev.Raw()["x"]; !ok || v != nil {
		t.Errorf("Raw lacks the null key x: %#v", ev.Raw())
	}
	if ev.Get("number") != "7" || ev.Number != 7 {
		t.Errorf("number: Get %#v, model %d", ev.Get("number"), ev.Number)
	}
}

// FuzzDecode holds that Decode never panics, accepts a body exactly when
// encoding/json reads it as an object (given an event name), and that the
// strings it decodes are encoding/json's.
func FuzzDecode(f *testing.F) {
	for _, body := range []string{`{}`, `{"event":"x","ref":"a\u00e9\ud800","sender":{"LOGIN":1}}`, "{\"ref\":\"\xff\"}", `[1]`, `{"a":1,}`, `{} {}`} {
		f.Add("push", []byte(body))
	}
	for n, b := range templates.Samples() {
		f.Add(SampleEventName(n), b)
	}
	f.Fuzz(func(t *testing.T, name string, body []byte) {
		ev, err := Decode(name, body)
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		jerr := dec.Decode(&v)
		if _, terr := dec.Token(); jerr == nil && terr != io.EOF {
			jerr = errors.New("data after the top-level value")
		}
		obj, isObject := v.(map[string]any)
		named := strings.TrimSpace(name) != "" || eventName(obj) != ""
		if want := jerr == nil && isObject && named; (err == nil) != want {
			t.Fatalf("Decode(%q, %q): error %v; encoding/json: %v, object %v, named %v", name, body, err, jerr, isObject, named)
		}
		if err != nil {
			return
		}
		if s, ok := obj["ref"].(string); ok && !hasFoldTwin(obj, "ref") && ev.Ref != s {
			t.Fatalf("Decode(%q): Ref %q, encoding/json %q", body, ev.Ref, s)
		}
	})
}

// eventName is the body's "event" as Decode reads it.
func eventName(obj map[string]any) string {
	switch v := obj["event"].(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return string(v)
	case bool:
		return "true"
	}
	return ""
}

// hasFoldTwin reports a key other than name equal to it ignoring case; the
// map cannot tell which of them came first.
func hasFoldTwin(obj map[string]any, name string) bool {
	for k := range obj {
		if k != name && strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}
