package coding

// Temporary: coding.Decode against the translate.Decode it replaces, on
// the corner cases, every payload and fuzzed input. Removed with the old
// decoder.

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
)

var diffCases = []string{
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
	``, ` `, `{`, `}`, `{"a":}`, `[1,2]`, `"push"`, `{} {}`, `null`, `{}x`, `{},`,
	`{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`,
	`{"a":1e}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`, `{"a":"\x"}`, `{"a":"\u12"}`,
	"{\"a\":\"tab\there\"}", `{"a":[1,]}`, `{"a":[,1]}`, `{"a":"unterminated}`,
	"\xef\xbb\xbf{}", `{"a":NaN}`, `{"a":Infinity}`, `{"a":'x'}`, `true`, `3`, `[]`,
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`{"a":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}`,
	`{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
}

func exported(tb testing.TB, ev *translate.Event) string {
	tb.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		tb.Fatal(err)
	}
	return ev.Name + "|" + ev.Code + "|" + b.String()
}

func checkSame(t *testing.T, name string, body []byte) {
	t.Helper()
	want, werr := translate.Decode(name, body)
	got, gerr := Decode(name, body)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("Decode(%q, %q): error %v, old %v", name, body, gerr, werr)
	}
	if werr != nil {
		return
	}
	if g, w := exported(t, got), exported(t, want); g != w {
		t.Fatalf("Decode(%q, %q):\ngot %s\nold %s", name, body, g, w)
	}
	if !reflect.DeepEqual(got.Raw(), want.Raw()) {
		t.Fatalf("Decode(%q, %q): Raw differs", name, body)
	}
	if got.Verb() != want.Verb() {
		t.Fatalf("Decode(%q, %q): Verb %q, old %q", name, body, got.Verb(), want.Verb())
	}
}

func TestDiffOld(t *testing.T) {
	for _, c := range diffCases {
		checkSame(t, "push", []byte(c))
		checkSame(t, "", []byte(c))
	}
	files, _ := filepath.Glob("../testdata/*.json")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		checkSame(t, SampleEventName(f), b)
		checkSame(t, "", b)
	}
	for n, b := range templates.Samples() {
		checkSame(t, SampleEventName(n), b)
	}
}

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

func FuzzDiffOld(f *testing.F) {
	for _, c := range diffCases[:len(diffCases)-3] {
		f.Add("push", []byte(c))
	}
	for n, b := range templates.Samples() {
		f.Add(SampleEventName(n), b)
	}
	f.Fuzz(func(t *testing.T, name string, body []byte) {
		checkSame(t, name, body)
	})
}
