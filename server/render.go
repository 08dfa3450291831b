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
	// Robot renders as that configured robot would send it: its kind,
	// template, format and keywords (then target and template must be empty).
	Robot   string          `json:"robot"`
	Payload json.RawMessage `json:"payload"`
	// Source names the webhook source the payload is from; default the
	// first (CODING).
	Source string `json:"source"`
}

// preview is one rendering /api/render shows: the wire body an endpoint
// would be sent, measured in its dialect.
type preview struct {
	endpoint robot.Endpoint
	dialect  translate.Dialect
}

func (s *Server) handleRender(c echo.Context) error {
	var req renderRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, int64(s.cfg.MaxBody)))
	if err := dec.Decode(&req); err != nil {
		return fail(http.StatusBadRequest, "body must be JSON {event, target, template, payload}: %v", err)
	}
	var previews []preview
	switch {
	case req.Target != "":
		k, d, ok := robot.ForTarget(s.kinds, translate.Target(req.Target))
		if !ok {
			return fail(http.StatusBadRequest, "target must be one of %s", strings.Join(robot.Targets(s.kinds), ", "))
		}
		previews = []preview{{k.Preview(d.Name()), d}}
	default:
		for _, k := range s.kinds {
			d := k.Dialects()[0]
			previews = append(previews, preview{k.Preview(d.Name()), d})
		}
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
		_, d, _ := robot.ForTarget([]robot.Kind{rb.Kind}, rb.Endpoint.Target())
		previews = []preview{{rb.Endpoint, d}}
	}
	out := map[string]any{}
	r := s.templates.Current()
	for _, p := range previews {
		t := p.endpoint.Target()
		pv, err := robot.RenderPreview(c.Request().Context(), r, ev, p.endpoint, p.dialect, template)
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
