package server

import "net/http"

// Handler is the server as an http.Handler, for the tests.
func (s *Server) Handler() http.Handler { return s.echo }
