package coding_test

import (
	"os"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/translate/coding"
)

// A Service Hook tag event carries only {"tag": {"name": …}}: it links the
// tag's page, or the tag list once the tag is deleted.
func TestTagEventLinksTheTag(t *testing.T) {
	body, err := os.ReadFile("../testdata/GIT_TAG_CREATED.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, want string }{
		{"GIT_TAG_CREATED", "https://demo-team.coding.net/p/uc-api/d/uc-api/git/tree/v2.0.0-beta.1"},
		{"GIT_TAG_DELETED", "https://demo-team.coding.net/p/uc-api/d/uc-api/git/tags"},
	} {
		b := strings.Replace(string(body), "GIT_TAG_CREATED", tc.name, 1)
		ev, err := coding.Decode("", []byte(b))
		if err != nil {
			t.Fatal(err)
		}
		if ev.ObjectURL != tc.want || ev.Link != tc.want {
			t.Errorf("%s: ObjectURL %q, Link %q, want %q", tc.name, ev.ObjectURL, ev.Link, tc.want)
		}
	}
}
