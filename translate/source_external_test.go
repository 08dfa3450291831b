package translate_test

import (
	"strings"

	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/coding"
	"github.com/coding-relay/coding-relay/translate/gitlab"
)

// init runs before the tests of package translate, which decode with it
// (see source_test.go): CODING's payloads, and the GitLab samples of the
// templates (samples/gitlab/, whose bodies name their events).
func init() {
	translate.SetTestSource(func(name string, body []byte) (*translate.Event, error) {
		if name == "gitlab/" {
			return gitlab.Decode("", body, "")
		}
		return coding.Decode(name, body)
	}, func(file string) string {
		if strings.HasPrefix(file, "gitlab/") {
			return "gitlab/"
		}
		return coding.SampleEventName(file)
	})
}
