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
	"github.com/coding-relay/coding-relay/translate/gitlab"
)

// kinds are the robot kinds the tests of package translate render for.
var kinds = []robot.Kind{dingtalk.Kind{}, wecom.Kind{}, feishu.Kind{}}

// init runs before the tests of package translate, which decode and render
// with what it hands them (see source_test.go and kinds_test.go).
func init() {
	// CODING's payloads, and the GitLab and GitHub samples of the
	// templates (samples/gitlab/, samples/github/, whose bodies tell their
	// events).
	translate.SetTestSource(func(name string, body []byte) (*translate.Event, error) {
		switch name {
		case "gitlab/":
			return gitlab.Decode("", body, "")
		case "github/":
			return github.Decode("", body)
		}
		return coding.Decode(name, body)
	}, func(file string) string {
		if dir, _, ok := strings.Cut(file, "/"); ok {
			return dir + "/"
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
