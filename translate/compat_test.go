package translate

import (
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/templates"
)

// TestRemovedFieldsFailAtStart: a user template still using a removed
// field is refused by New, naming where, the field and its replacement,
// however the field is reached; other fields and the defaults pass.
func TestRemovedFieldsFailAtStart(t *testing.T) {
	removedFields[".Event.Gone"] = ".Event.Here" // a prefix matches its longer chains
	t.Cleanup(func() { delete(removedFields, ".Event.Gone") })
	user := mapFS{
		"a.tmpl": `{{define "push.text"}}{{if not .IsFeishu}}#### x{{end}}` + "\n" +
			`{{range .Commits}}{{$.IsDingTalk}}{{end}}{{with .Event}}{{.Name}}{{end}}{{end}}`,
		"b.tmpl":  `{{define "x"}}{{template "y" (.IsWeCom)}}{{printf "%v" .Event.Gone.Deep}}{{(.Event).Gone}}{{end}}`,
		"ok.tmpl": `{{define "ci.text"}}{{if .Headings}}{{.Event.Name}}{{end}}{{$x := .}}{{$x.IsFeishu}}{{end}}`,
	}
	_, err := New(templates.FS, user, Options{Dialects: testKinds.dialects})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"user/a.tmpl:1:31: .IsFeishu is gone: use .Card",
		"user/a.tmpl:2:21: .IsDingTalk is gone: use a capability",
		"user/b.tmpl:1:30: .IsWeCom is gone: use not .Lists",
		"user/b.tmpl:1:61: .Event.Gone is gone: use .Event.Here",
		"user/b.tmpl:1:83: .Event.Gone is gone",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "ok.tmpl") || strings.Count(err.Error(), "\n") != 5 {
		t.Errorf("error names more than the uses:\n%v", err)
	}
	if _, err := New(templates.FS, mapFS{"ok.tmpl": user["ok.tmpl"]}, Options{Dialects: testKinds.dialects}); err != nil {
		t.Errorf("no removed field: %v", err)
	}
}

// TestRenamedEventFields: templates written against CODING's payload
// objects are refused with the model's field to use, the most specific
// rename first.
func TestRenamedEventFields(t *testing.T) {
	user := mapFS{"old.tmpl": `{{define "merge_request.text"}}{{.Event.MergeRequest.Title}} {{.Event.MergeRequest.Head.Ref}}{{end}}` + "\n" +
		`{{define "ci.text"}}{{.Event.CI.Build.Status}} {{duration .Event.CI.Build.Duration}} {{.Event.Pusher.Name}}{{end}}`}
	_, err := New(templates.FS, user, Options{Dialects: testKinds.dialects})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		".Event.MergeRequest.Title is gone: use .Event.Title",
		".Event.MergeRequest is gone: use the model's fields",
		".Event.CI.Build.Status is gone: use .Event.Status",
		".Event.CI.Build.Duration is gone: use .Event.Duration",
		".Event.Pusher is gone: use .Event.ActorUser",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, field := range []string{".Event.Title", ".Event.Status"} {
		tmpl := mapFS{"new.tmpl": `{{define "ci.text"}}{{` + field + `}}{{end}}`}
		if _, err := New(templates.FS, tmpl, Options{Dialects: testKinds.dialects}); err != nil {
			t.Errorf("%s: %v", field, err)
		}
	}
}
