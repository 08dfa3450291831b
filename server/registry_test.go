package server_test

import (
	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/server/source/coding"
	"github.com/coding-relay/coding-relay/server/source/gitlab"
)

// testRegistry is what cmd wires, for the tests of this package.
var testRegistry = server.Registry{
	Kinds:   []robot.Kind{dingtalk.Kind{}, wecom.Kind{}, feishu.Kind{}},
	Sources: []source.Source{coding.Source{}, gitlab.Source{}},
}

// registryWithToken is testRegistry with the CODING source signed.
func registryWithToken(token string) server.Registry {
	r := testRegistry
	r.Sources = []source.Source{coding.Source{Token: token}, gitlab.Source{}}
	return r
}

// parseRobots parses RELAY_ROBOTS as the relay does.
func parseRobots(s string) ([]robot.Robot, error) {
	return robot.Parser{Kinds: testRegistry.Kinds, Canonical: testRegistry.Sources[0].Canonical}.Parse(s)
}
