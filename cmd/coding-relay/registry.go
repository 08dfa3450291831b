package main

import (
	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/server/source/coding"
)

// kinds are the robot kinds the relay is built with, in the order a robot
// URL's host is tried: the one place to add a kind.
var kinds = []robot.Kind{
	dingtalk.Kind{},
	wecom.Kind{},
	feishu.Kind{},
}

// registry is every kind and webhook source, the sources configured with
// the CODING token: the one place to add a source. Configuration is read
// with registry("") (it needs only the sources' event names), the relay
// runs with the token from that configuration.
func registry(codingToken string) server.Registry {
	return server.Registry{
		Kinds: kinds,
		Sources: []source.Source{
			coding.Source{Token: codingToken},
		},
	}
}
