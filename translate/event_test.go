package translate

import (
	"reflect"
	"testing"
)

func TestEventAccessors(t *testing.T) {
	tests := []struct {
		name, header, body string
		branch, project    string
		actor, zen         string
	}{
		{"push branch", "push", `{"ref":"refs/heads/release/1.0","repository":{"name":"r"},"pusher":{"username":"tom"}}`, "release/1.0", "r", "tom", ""},
		{"tag", "push", `{"ref":"refs/tags/v1.2.0","sender":{"login":"amy"}}`, "v1.2.0", "", "amy", ""},
		{"mr target", "merge request", `{"mergeRequest":{"head":{"ref":"feat"},"base":{"ref":"main"},"user":{"login":"bo"}}}`, "main", "", "bo", ""},
		{"ci branch", "ci", `{"ci":{"build":{"branch":"refs/heads/dev"}},"project":{"name":"p"}}`, "dev", "p", "", ""},
		{"ping", "ping", `{"zen":"Keep it simple","hook":{"id":3}}`, "", "", "", "Keep it simple"},
		{"service hook project", "", `{"event":"ISSUE_CREATED","project":{"name":"p1","display_name":"Project One"},"sender":{"login":"x"}}`, "", "Project One", "x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Decode(tt.header, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.Branch; got != tt.branch {
				t.Errorf("Branch = %q, want %q", got, tt.branch)
			}
			if got := ev.ProjectName; got != tt.project {
				t.Errorf("ProjectName = %q, want %q", got, tt.project)
			}
			if got := ev.Actor; got != tt.actor {
				t.Errorf("Actor = %q, want %q", got, tt.actor)
			}
			if got := ev.Zen; got != tt.zen {
				t.Errorf("Zen = %q, want %q", got, tt.zen)
			}
		})
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
	cp := *ev
	if reflect.ValueOf(cp.Raw()).Pointer() != reflect.ValueOf(ev.Raw()).Pointer() {
		t.Error("a copy of the event decodes Raw again")
	}
	if (&Event{}).Raw() != nil || (*Event)(nil).Get("a") != nil {
		t.Error("an event without a payload has a Raw payload")
	}
	var other Event
	other.WithPayload(`[1]`)
	if other.Raw() != nil {
		t.Error("a payload that is not an object has a Raw map")
	}
}
