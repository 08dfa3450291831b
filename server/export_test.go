package server

import (
	"net/http"

	"github.com/coding-relay/coding-relay/server/console"
)

// Handler is the server as an http.Handler, for the tests.
func (s *Server) Handler() http.Handler { return s.echo }

// TemplateSource is the console's, where the tests build it.
type TemplateSource = console.TemplateSource
