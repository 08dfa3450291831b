package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/translate"
)

// renderRequest is the body of POST /api/render.
type renderRequest struct {
	Event    string `json:"event"`
	Target   string `json:"target"`
	Template string `json:"template"`
	// Robot renders as that robot sends (target and template must be empty).
	Robot   string          `json:"robot"`
	Payload json.RawMessage `json:"payload"`
	// Source is the payload's source; default the first (CODING).
	Source string `json:"source"`
}

func (s *Server) handleRender(c echo.Context) error {
	var req renderRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, int64(s.cfg.MaxBody)))
	if err := dec.Decode(&req); err != nil {
		return fail(http.StatusBadRequest, "body must be JSON {event, target, template, payload}: %v", err)
	}
	// Endpoints building the wire body: every kind's, the target's or the robot's.
	var endpoints []robot.Endpoint
	for _, k := range s.kinds {
		endpoints = append(endpoints, k.Preview(k.Dialects()[0].Name()))
	}
	if req.Target != "" {
		k, _, ok := robot.ForTarget(s.kinds, translate.Target(req.Target))
		if !ok {
			return fail(http.StatusBadRequest, "target must be one of %s", strings.Join(robot.Targets(s.kinds), ", "))
		}
		endpoints = []robot.Endpoint{k.Preview(translate.Target(req.Target))}
	}
	if len(req.Payload) == 0 {
		return fail(http.StatusBadRequest, "payload is required")
	}
	src := source.Named(s.sources, req.Source)
	if src == nil {
		return fail(http.StatusBadRequest, "no source named %q", req.Source)
	}
	ev, err := src.DecodePayload(req.Event, req.Payload)
	if err != nil {
		return fail(http.StatusBadRequest, "payload: %v", err)
	}
	template := req.Template
	var rb *robot.Robot
	if req.Robot != "" {
		if req.Target != "" || req.Template != "" {
			return fail(http.StatusBadRequest, "robot takes its target and template from RELAY_ROBOTS: leave target and template empty")
		}
		i := slices.IndexFunc(s.robots, func(r robot.Robot) bool { return r.Name == req.Robot })
		if i < 0 {
			return fail(http.StatusBadRequest, "no robot named %q", req.Robot)
		}
		rb = &s.robots[i]
		template = rb.Template
		endpoints = []robot.Endpoint{rb.Endpoint}
	}
	out := map[string]any{}
	r := s.templates.Current()
	for _, ep := range endpoints {
		t := ep.Target()
		_, d, _ := robot.ForTarget(s.kinds, t)
		pv, err := robot.RenderPreview(c.Request().Context(), r, ev, ep, d, template)
		var pe *robot.PreviewError
		switch {
		case errors.As(err, &pe) && pe.Stage == "template":
			return fail(http.StatusBadRequest, "%v", err)
		case err != nil:
			return fail(http.StatusUnprocessableEntity, "rendering for %s: %v", t, err)
		}
		res := map[string]any{"body": json.RawMessage(pv.Body), "bytes": len(pv.Body), "size": pv.Size, "limit": pv.Limit}
		if rb != nil {
			res["robot"], res["sent"] = rb.Name, rb.Wants(ev) // false: its filters drop the event
		}
		out[string(t)] = res
	}
	return c.JSON(http.StatusOK, out)
}
