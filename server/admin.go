package server

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/store"
)

// requireAdmin guards /api: 404 without RELAY_ADMIN_TOKEN, constant-time bearer check.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok := s.cfg.AdminToken
		if tok == "" {
			return fail(http.StatusNotFound, "admin API is disabled: set RELAY_ADMIN_TOKEN to enable it")
		}
		got, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(tok)) != 1 {
			return fail(http.StatusUnauthorized, "missing or wrong bearer token")
		}
		return next(c)
	}
}

func (s *Server) handleListDeliveries(c echo.Context) error {
	if s.queue == nil {
		return c.JSON(http.StatusOK, map[string]any{"deliveries": []queue.Delivery{}, "dry_run": true})
	}
	limit := 1000
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fail(http.StatusBadRequest, "limit must be a positive integer")
		}
		limit = n
	}
	read := s.queue.Pending
	switch c.QueryParam("status") {
	case "", "pending":
	case "dead":
		read = s.queue.Dead
	default:
		return fail(http.StatusBadRequest, "status must be pending or dead")
	}
	list, total, err := read(limit)
	if err != nil {
		return err
	}
	if list == nil {
		list = []queue.Delivery{}
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": list, "total": total})
}

func (s *Server) handleRetryDelivery(c echo.Context) error {
	if s.queue == nil {
		return fail(http.StatusNotFound, "no robots configured (dry run)")
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		return fail(http.StatusBadRequest, "id must be a number from GET /api/deliveries?status=dead")
	}
	d, err := s.queue.Retry(id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fail(http.StatusNotFound, "no dead letter with id %d", id)
	case errors.Is(err, queue.ErrUnknownRobot):
		return fail(http.StatusConflict, "dead letter %d: %v", id, err)
	case err != nil:
		return err
	}
	return c.JSON(http.StatusAccepted, d)
}
