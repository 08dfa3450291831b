package console

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/translate"
)

// playground is GET /console/api/playground: what the page offers to pick.
type playground struct {
	Samples  []sample      `json:"samples"`
	Sources  []string      `json:"sources"`
	Robots   []robotChoice `json:"robots"`
	Targets  []targetInfo  `json:"targets"`
	Variants []string      `json:"variants"`
	Files    []string      `json:"files"`
	Editable bool          `json:"editable"`
	Recent   []Payload     `json:"recent"`
	Language string        `json:"language"`
}

type sample struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	Event  string `json:"event"`
}

type robotChoice struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Target   string `json:"target"`
	Template string `json:"template,omitempty"`
}

type targetInfo struct {
	Target string `json:"target"`
	Kind   string `json:"kind"`
	Limit  int    `json:"limit"`
}

func (c *Console) handlePlayground(ctx echo.Context) error {
	r := c.opts.Renderer()
	out := playground{Samples: []sample{}, Robots: []robotChoice{}, Targets: []targetInfo{}, Variants: r.Variants(),
		Files: []string{}, Editable: c.opts.Templates != nil, Recent: c.opts.Recent.List(), Language: r.Language()}
	if out.Variants == nil {
		out.Variants = []string{}
	}
	if t := c.opts.Templates; t != nil {
		for _, name := range slices.Sorted(maps.Keys(t.Samples())) {
			out.Samples = append(out.Samples, c.sample(name))
		}
		files, err := t.Files()
		if err != nil {
			return err
		}
		out.Files = append(out.Files, slices.Sorted(maps.Keys(files))...)
	}
	for _, s := range c.opts.Sources {
		out.Sources = append(out.Sources, s.Name())
	}
	for _, rb := range c.opts.Robots {
		out.Robots = append(out.Robots, robotChoice{Name: rb.Name, Kind: rb.KindName(), Target: string(rb.Endpoint.Target()), Template: rb.Template})
	}
	for _, k := range c.opts.Kinds {
		for _, d := range k.Dialects() {
			out.Targets = append(out.Targets, targetInfo{Target: string(d.Name()), Kind: k.Name(), Limit: d.Limit()})
		}
	}
	return ctx.JSON(http.StatusOK, out)
}

func (c *Console) handleSample(ctx echo.Context) error {
	name := ctx.Param("*")
	var body []byte
	if t := c.opts.Templates; t != nil {
		body = t.Samples()[name]
	}
	if body == nil {
		return echo.NewHTTPError(http.StatusNotFound, "no sample named "+name)
	}
	s := c.sample(name)
	return ctx.JSON(http.StatusOK, map[string]string{"name": name, "source": s.Source, "event": s.Event, "payload": string(body)})
}

func (c *Console) handleRecent(ctx echo.Context) error {
	p, ok := c.opts.Recent.Get(ctx.Param("delivery"))
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "that webhook is no longer kept (the playground keeps the last few this process received)")
	}
	return ctx.JSON(http.StatusOK, map[string]any{"delivery": p.Delivery, "event": p.Event, "source": p.Source, "at": p.At, "payload": string(p.Body)})
}

func (c *Console) handleTemplate(ctx echo.Context) error {
	if c.opts.Templates == nil {
		return echo.NewHTTPError(http.StatusNotFound, "template editing is not available")
	}
	files, err := c.opts.Templates.Files()
	if err != nil {
		return err
	}
	name := ctx.QueryParam("name")
	text, ok := files[name]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "no template file "+name)
	}
	return ctx.JSON(http.StatusOK, map[string]string{"name": name, "text": text})
}

// renderRequest is POST /console/api/render: payload (and event name), robot
// or target and variant, and the page's edited template files.
type renderRequest struct {
	Event   string            `json:"event"`
	Source  string            `json:"source"`
	Payload string            `json:"payload"`
	Robot   string            `json:"robot"`
	Target  string            `json:"target"`
	Variant string            `json:"variant"`
	Edits   map[string]string `json:"edits"`
}

func (c *Console) handleRender(ctx echo.Context) error {
	var req renderRequest
	dec := json.NewDecoder(http.MaxBytesReader(ctx.Response(), ctx.Request().Body, c.opts.MaxBody))
	if err := dec.Decode(&req); err != nil {
		return bad("body must be JSON {event, payload, robot or target, variant, edits}")
	}
	if req.Payload == "" {
		return bad("payload is required")
	}
	src := source.Named(c.opts.Sources, req.Source)
	if src == nil {
		return bad("no source named %q", req.Source)
	}
	var p preview
	switch {
	case req.Robot != "":
		if req.Target != "" || req.Variant != "" {
			return bad("a robot renders with its own target and template: leave target and variant empty")
		}
		i := slices.IndexFunc(c.opts.Robots, func(r robot.Robot) bool { return r.Name == req.Robot })
		if i < 0 {
			return bad("no robot named %q", req.Robot)
		}
		rb := c.opts.Robots[i]
		p = preview{endpoint: rb.Endpoint, variant: rb.Template, robot: &rb}
	default:
		t := translate.Target(req.Target)
		if t == "" {
			t = c.opts.Kinds[0].Dialects()[0].Name()
		}
		k, _, ok := robot.ForTarget(c.opts.Kinds, t)
		if !ok {
			return bad("no target %q", req.Target)
		}
		p = preview{endpoint: k.Preview(t), variant: req.Variant}
	}
	r := c.opts.Renderer()
	if len(req.Edits) > 0 {
		if c.opts.Templates == nil {
			return bad("template editing is not available")
		}
		c.composing <- struct{}{}
		var err error
		r, err = c.opts.Templates.Compose(req.Edits)
		<-c.composing
		if errors.Is(err, errNoFile) {
			return bad("%v", err)
		}
		if err != nil {
			return ctx.JSON(http.StatusOK, renderAnswer{Problem: problemOf("template", err)})
		}
	}
	return ctx.JSON(http.StatusOK, p.render(c.opts.Kinds, r, src, req.Event, []byte(req.Payload)))
}

// sample is a sample file's source (default the first) and event; see source.Sample.
func (c *Console) sample(file string) sample {
	src, event := source.Sample(file)
	if src == "" {
		src = c.opts.Sources[0].Name()
	}
	return sample{Name: file, Source: src, Event: event}
}
