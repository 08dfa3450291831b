package translate

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/templates"
)

// decodeCases are payloads that exercise the corners of lenient decoding:
// repeated keys, nulls, aliases, keys in another case, escapes, invalid
// UTF-8, numbers as strings and strings as numbers, wrong types.
var decodeCases = []string{
	`{}`,
	`{"event":"GIT_PUSHED"}`,
	`{"event":7}`,
	`{"event":null,"event":"ping"}`,
	`{"event":"ping","event":null}`,
	`{"event":{"a":1}}`,
	`{"repository":{"name":"a"},"repo":{"name":"b"}}`,
	`{"repository":null,"repo":{"name":"b"},"depot":{"name":"c"}}`,
	`{"repository":"x","repo":{"name":"b"}}`,
	`{"repo":null,"depot":{"name":"c"}}`,
	`{"Repository":{"Name":"cased","HTML_URL":"https://x.coding.net/p/a"}}`,
	`{"REPOSITORY":{"name":"a"},"repository":null}`,
	`{"sender":{"name":"a","name":"b"}}`,
	`{"sender":{"name":"a","name":null,"nickname":"n"}}`,
	`{"sender":{"Name":"A","Name":null}}`,
	`{"sender":{"id":12345678901234567890,"login":1.5e3,"name":true,"email":false}}`,
	`{"number":"42","created":"1","deleted":1,"compare":"<a href='https://x/c'>c</a>"}`,
	`{"number":4.7,"created":"yes","deleted":0.0}`,
	`{"number":1e400,"created":1e400}`,
	`{"number":"  12 ","created":" true "}`,
	`{"number":-9223372036854775808,"mergeRequest":{"number":"9223372036854775808"}}`,
	`{"number":true,"mergeRequest":{"iid":3,"number":null,"status":"CANMERGE"}}`,
	`{"commits":[null,{"id":"a","sha":"b"},5,"x",[],{"sha":"c","added":["a",null,1,true,{}]}]}`,
	`{"commits":{"id":"a"},"head_commit":[1]}`,
	`{"commits":[]}`,
	`{"member":{"login":"m","role":"admin","roleName":"x","global_key":"g"}}`,
	`{"member":{"role_name":"r","globalKey":"k","displayName":"d"}}`,
	`{"ref":"refs/heads/\u4e2d\u6587","before":"a\"b\\c\/d\b\f\n\r\t","after":"\ud83d\ude00 \ud800 x"}`,
	"{\"ref\":\"bad \xff utf8\",\"action\":\"\xc3\"}",
	`{"ci":{"build":{"number":"7","duration":83000.0,"status":"FAILED"}},"unknown":{"deep":[1,[2,{"x":null}]]}}`,
	`{"hook":{"events":["push",1,null,{"a":1}],"active":"false"},"zen":"z","hook_id":5}`,
	`{"task":{"content":"t","name":"n","htmlUrl":"javascript:alert(1)","url":"https://x/t","due_date":"1589451706000"}}`,
	`{"artifact":{"type":"maven","repoType":"npm","version":"1.0","artifactVersionName":null}}`,
	`{"artifacts":{"artifactType":"docker"},"Artifact":{"artifactType":"npm"}}`,
	`{"note":{"content":"c"},"comment":{"body":null}}`,
	`{"issue":{"iteration":{"title":"s"},"labels":[{"id":1,"name":"l"}],"dueDate":"x"}}`,
	` {"zen" : "spaces" } ` + "\n",
	`{"a\u0062c":1,"re\u0070ository":{"name":"escaped key"}}`,
	`{"sender":{"login":"\u212Aelvin","LOGIN":"fold"}}`,
	`{"ſender":{"login":"long s"}}`,
	`{"sender":{"html_url":"<A HREF=\"https://x/u\">u</A>","web_url":"https://y"}}`,
}

// malformedCases must fail exactly as encoding/json makes them fail.
var malformedCases = []string{
	``, ` `, `{`, `}`, `{"a":}`, `[1,2]`, `"push"`, `{} {}`, `null`, `{}x`, `{},`,
	`{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`,
	`{"a":1e}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`, `{"a":"\x"}`, `{"a":"\u12"}`,
	"{\"a\":\"tab\there\"}", `{"a":[1,]}`, `{"a":[,1]}`, `{"a":"unterminated}`,
	"\xef\xbb\xbf{}", `{"a":NaN}`, `{"a":Infinity}`, `{"a":'x'}`,
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
}

// checkDecodeMatches decodes body by the fast path and by the generic one
// and fails when the events (or errors) differ.
func checkDecodeMatches(t *testing.T, name string, body []byte) {
	t.Helper()
	fast, ferr := Decode(name, body)
	slow, serr := decodeGeneric(name, body)
	if (ferr == nil) != (serr == nil) || (ferr != nil && ferr.Error() != serr.Error()) {
		t.Fatalf("Decode(%q, %q): error %v, generic path %v", name, body, ferr, serr)
	}
	if ferr != nil {
		return
	}
	if !reflect.DeepEqual(fast.Raw(), slow.Raw()) {
		t.Fatalf("Decode(%q, %q): Raw differs:\n%#v\n%#v", name, body, fast.Raw(), slow.Raw())
	}
	f, s := *fast, *slow
	f.raw, s.raw = nil, nil
	if !reflect.DeepEqual(f, s) {
		t.Fatalf("Decode(%q, %q):\nfast    %+v\ngeneric %+v", name, body, f, s)
	}
}

func TestDecodeFastMatchesGeneric(t *testing.T) {
	for _, c := range decodeCases {
		checkDecodeMatches(t, "push", []byte(c))
		checkDecodeMatches(t, "", []byte(c))
	}
	for _, c := range malformedCases {
		checkDecodeMatches(t, "push", []byte(c))
	}
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkDecodeMatches(t, SampleEventName(f), b)
	}
	for n, b := range templates.Samples() {
		checkDecodeMatches(t, SampleEventName(n), b)
	}
}

func TestRawAndGet(t *testing.T) {
	ev, err := Decode("star", []byte(`{"repository":{"name":"r"},"stars":[{"n":1}],"x":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.Get("stars.0.n"); got == nil || toString(got) != "1" {
		t.Errorf("Get(stars.0.n) = %#v", got)
	}
	if _, ok := ev.Raw()["x"]; !ok {
		t.Errorf("Raw lacks the null key x: %#v", ev.Raw())
	}
	cp := ev.forTemplates()
	if reflect.ValueOf(cp.Raw()).Pointer() != reflect.ValueOf(ev.Raw()).Pointer() {
		t.Error("a copy of the event decodes Raw again")
	}
	if (&Event{}).Raw() != nil || (*Event)(nil).Get("a") != nil {
		t.Error("an event not made by Decode has a Raw payload")
	}
}

// hasFoldTwins reports an object with two different keys that are equal
// ignoring case: the generic path picks one of them at random.
func hasFoldTwins(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k, x := range v {
			for _, o := range keys {
				if strings.EqualFold(o, k) {
					return true
				}
			}
			keys = append(keys, k)
			if hasFoldTwins(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasFoldTwins(x) {
				return true
			}
		}
	}
	return false
}

func FuzzDecode(f *testing.F) {
	for _, c := range decodeCases {
		f.Add("push", []byte(c))
	}
	for _, c := range malformedCases[:len(malformedCases)-2] {
		f.Add("", []byte(c))
	}
	for n, b := range templates.Samples() {
		f.Add(SampleEventName(n), b)
	}
	f.Fuzz(func(t *testing.T, name string, body []byte) {
		if ev, err := decodeGeneric(name, body); err == nil && hasFoldTwins(ev.Raw()) {
			t.Skip()
		}
		checkDecodeMatches(t, name, body)
	})
}
