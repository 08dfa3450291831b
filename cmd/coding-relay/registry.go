package main

import (
	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/server/source/coding"
	"github.com/coding-relay/coding-relay/server/source/github"
)

// kinds are the robot kinds the relay is built with, in the order a robot
// URL's host is tried: the one place to add a kind.
var kinds = []robot.Kind{
	dingtalk.Kind{},
	wecom.Kind{},
	feishu.Kind{},
}

// registry is every kind and webhook source, the sources configured with
// cfg's tokens and secrets: the one place to add a source. Configuration
// is read with registry(nil) (it needs only the sources' event names), the
// relay runs with the secrets from that configuration.
func registry(cfg *server.Config) server.Registry {
	if cfg == nil {
		cfg = &server.Config{}
	}
	return server.Registry{
		Kinds: kinds,
		Sources: []source.Source{
			coding.Source{Token: cfg.CodingToken},
			github.Source{Secret: cfg.GitHubSecret},
		},
	}
}
