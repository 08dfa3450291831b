package translate_test

import (
	"fmt"
	"strings"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/coding"
	"github.com/coding-relay/coding-relay/translate/github"
)

// kinds are the robot kinds the tests of package translate render for.
var kinds = []robot.Kind{dingtalk.Kind{}, wecom.Kind{}, feishu.Kind{}}

// init runs before the tests of package translate, which decode and render
// with what it hands them (see source_test.go and kinds_test.go).
func init() {
	translate.SetTestSource(decode, func(file string) string {
		if src, event := translate.SampleName(file); src != "" {
			return src + "." + event
		}
		return coding.SampleEventName(file)
	})
	translate.SetTestKinds(robot.Dialects(kinds), func(m translate.Message, msgUUID string) ([]byte, error) {
		k, _, ok := robot.ForTarget(kinds, m.Target)
		if !ok {
			return nil, fmt.Errorf("no kind renders %q", m.Target)
		}
		return k.Preview(m.Target).Body(m, msgUUID)
	})
}

// decode is CODING's decoder, and the GitHub source's for its samples
// (github.<event>).
func decode(name string, body []byte) (*translate.Event, error) {
	if event, ok := strings.CutPrefix(name, "github."); ok {
		return github.Decode(event, body)
	}
	return coding.Decode(name, body)
}
