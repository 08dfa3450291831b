package gitlab

import (
	"errors"
	"testing"
)

func TestParseHook(t *testing.T) {
	for name, want := range map[string]Hook{
		"Push Hook": "Push Hook", "push hook": "Push Hook", "Push_Hook": "Push Hook", "push": "Push Hook",
		"Tag Push Hook": "Tag Push Hook", "tag_push": "Tag Push Hook", "System Hook": HookSystem,
		"Merge Request Hook": "Merge Request Hook", "merge_request": "Merge Request Hook",
		"user_add_to_group": "Member Hook", "subgroup_destroy": "Subgroup Hook", "project_create": "Project Hook",
		"access_token": "Resource Access Token Hook", "Confidential Note Hook": "Confidential Note Hook",
		"wiki_page": "Wiki Page Hook", "Build Hook": "Build Hook",
	} {
		if got, ok := ParseHook(name); !ok || got != want {
			t.Errorf("ParseHook(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "Hook", "Review Hook", "GIT_PUSHED"} {
		if h, ok := ParseHook(name); ok {
			t.Errorf("ParseHook(%q) = %q; GitLab sends no such hook", name, h)
		}
	}
}

func TestDecodeNamesTheEvent(t *testing.T) {
	tests := []struct {
		name, hook, body string
		kind, code       string
		err              error
	}{
		{"header", "Pipeline Hook", `{}`, "ci", "Pipeline Hook", nil},
		{"object_kind", "", `{"object_kind":"wiki_page"}`, "wiki", "Wiki Page Hook", nil},
		{"event_name of a group hook", "", `{"event_name":"subgroup_create"}`, "subgroup", "Subgroup Hook", nil},
		{"object_kind before event_name", "", `{"object_kind":"access_token","event_name":"expiring_access_token"}`, "access_token", "Resource Access Token Hook", nil},
		{"a push by its look", "", `{"ref":"refs/heads/dev","after":"b"}`, "push", "Push Hook", nil},
		{"a tag push by its look", "", `{"ref":"refs/tags/v2","before":"a"}`, "push", "Tag Push Hook", nil},
		{"an unknown event_name is no name", "", `{"event_name":"repository_update"}`, "", "", ErrNoEventName},
		{"nothing", "", `{"ref":"refs/heads/dev"}`, "", "", ErrNoEventName},
		{"an undocumented hook", "Review Hook", `{}`, "review", "Review Hook", nil},
	}
	for _, tt := range tests {
		ev, err := Decode(tt.hook, []byte(tt.body), "")
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: err = %v, want %v", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || ev.Name != tt.kind || ev.Code != tt.code {
			t.Errorf("%s: %+v, %v; want %s (%s)", tt.name, ev, err, tt.kind, tt.code)
		}
	}
	for _, bad := range []string{``, `[]`, `"push"`, `{"object_kind":`, `nul`} {
		if _, err := Decode("Push Hook", []byte(bad), ""); err == nil {
			t.Errorf("Decode(%q) succeeded", bad)
		}
	}
}
