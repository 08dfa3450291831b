package main

import (
	"fmt"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/server/source/coding"
	"github.com/coding-relay/coding-relay/server/source/github"
	"github.com/coding-relay/coding-relay/server/source/gitlab"
)

// kinds are the robot kinds, in the order a URL's host is tried: add one here.
var kinds = []robot.Kind{
	dingtalk.Kind{},
	wecom.Kind{},
	feishu.Kind{},
}

// registry is every kind and source, with secrets from cfg: add a source here.
func registry(cfg *server.Config) (server.Registry, error) {
	var gl gitlab.Source
	var codingToken, githubSecret string
	if cfg != nil {
		codingToken, gl.Token, githubSecret = cfg.CodingToken, cfg.GitLabToken, cfg.GitHubSecret
		if cfg.GitLabKey != "" {
			key, err := gitlab.ParseKey(cfg.GitLabKey)
			if err != nil {
				return server.Registry{}, fmt.Errorf("RELAY_GITLAB_SIGNING_KEY: %w", err)
			}
			gl.Key = key
		}
	}
	return server.Registry{
		Kinds: kinds,
		Sources: []source.Source{
			coding.Source{Token: codingToken},
			gl,
			github.Source{Secret: githubSecret},
		},
	}, nil
}

// plain is the registry without secrets, for config parsing and previews.
func plain() server.Registry {
	r, _ := registry(nil) // without a configuration nothing can fail
	return r
}
