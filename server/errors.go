package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/server/store"
)

// fail is an answer with status and a message safe to show the caller.
func fail(status int, format string, args ...any) error {
	return echo.NewHTTPError(status, fmt.Sprintf(format, args...))
}

// statuses maps domain errors to HTTP answers; an empty msg shows the error's
// own text, which is then safe (intake errors are written for the sender).
var statuses = []struct {
	err    error
	status int
	msg    string
}{
	{source.ErrUnauthorized, http.StatusUnauthorized, ""},
	{source.ErrBadRequest, http.StatusBadRequest, ""},
	{source.ErrUnsupported, http.StatusUnsupportedMediaType, ""},
	{queue.ErrShuttingDown, http.StatusServiceUnavailable, "relay is shutting down"},
	{store.ErrUnavailable, http.StatusServiceUnavailable, "the relay cannot store events now (its Redis is unreachable); nothing was stored"},
	{store.ErrNotFound, http.StatusNotFound, ""},
	{queue.ErrUnknownRobot, http.StatusConflict, ""},
}

// answerFor is err's status and message; !ok: unexpected (500, logged, hidden).
func answerFor(err error) (status int, msg string, ok bool) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if m, ok := he.Message.(string); ok {
			return he.Code, m, true
		}
		return he.Code, http.StatusText(he.Code), true
	}
	for _, s := range statuses {
		if errors.Is(err, s.err) {
			if s.msg == "" {
				return s.status, err.Error(), true
			}
			return s.status, s.msg, true
		}
	}
	return http.StatusInternalServerError, "internal error", false
}

// handleError answers every error as JSON {"error": "…"}: no traces, no secrets.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg, ok := answerFor(err)
	if !ok {
		s.log.Error("request failed", zap.String("path", c.Path()), zap.Error(err))
	}
	_ = c.JSON(status, map[string]string{"error": msg})
}
