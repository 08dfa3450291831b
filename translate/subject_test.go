package translate

import "testing"

func TestSubject(t *testing.T) {
	for _, tt := range []struct {
		name, payload string
		want          Subject
	}{
		{"release_note", `{"action":"published","release":{"tag_name":"v1","name":"一","html_url":"https://t.coding.net/p/x/r/v1"},"sender":{"name":"a"}}`,
			Subject{Kind: "release", Event: "release_note", Verb: "published", Tag: "v1", Name: "一", URL: "https://t.coding.net/p/x/r/v1"}},
		{"deploy_finished", `{"deploy":{"number":58,"status":"FAILED","url":"https://t.coding.net/p/x/cd/1"},"project":{"name":"x"}}`,
			Subject{Kind: "deploy", Event: "deploy", Verb: "finished", Number: "58", Status: "FAILED", URL: "https://t.coding.net/p/x/cd/1"}},
		{"thing_happened", `{"zzz":{"title":"later"},"aaa":{"title":"first in order"},"hook":{"name":"not this"}}`,
			Subject{Kind: "aaa", Event: "thing", Verb: "happened", Title: "first in order"}},
		{"tag_push", `{"ref":"refs/tags/v2","object":{"id":1}}`,
			Subject{Event: "tag", Verb: "push", Tag: "v2"}},
		{"star", `{"action":"starred","repository":{"name":"r"}}`,
			Subject{Event: "star", Verb: "starred"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := &Event{Name: tt.name}
			ev.WithPayload(tt.payload)
			for _, k := range []string{"action"} {
				if v, ok := ev.Raw()[k].(string); ok {
					ev.Verb = v
				}
			}
			ev.Ref, _ = ev.Raw()["ref"].(string)
			ev.Complete()
			if got := ev.Subject; got == nil || *got != tt.want {
				t.Errorf("Subject = %+v, want %+v", got, tt.want)
			}
		})
	}
	push := &Event{Name: EventPush}
	if push.Complete(); push.Subject != nil {
		t.Error("a push has a Subject")
	}
}
