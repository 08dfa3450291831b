package translate_test

import (
	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/coding"
)

// init runs before the tests of package translate, which decode with it
// (see source_test.go).
func init() {
	translate.SetTestSource(coding.Decode, coding.SampleEventName)
}
