package translate_test

import (
	"strings"

	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/coding"
	"github.com/coding-relay/coding-relay/translate/github"
)

// init runs before the tests of package translate, which decode with it
// (see source_test.go): CODING's payloads, and the samples of the GitHub
// source, named github.<event>.
func init() {
	translate.SetTestSource(decode, func(file string) string {
		if src, event := translate.SampleName(file); src != "" {
			return src + "." + event
		}
		return coding.SampleEventName(file)
	})
}

func decode(name string, body []byte) (*translate.Event, error) {
	if event, ok := strings.CutPrefix(name, "github."); ok {
		return github.Decode(event, body)
	}
	return coding.Decode(name, body)
}
