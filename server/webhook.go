package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/console"
	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/translate"
)

// webhookAnswer is the 202 answer to the sender.
type webhookAnswer struct {
	Delivery  string `json:"delivery"`
	Event     string `json:"event"`
	Robots    int    `json:"robots"`
	Duplicate bool   `json:"duplicate,omitempty"`
	DryRun    bool   `json:"dry_run,omitempty"`
	Zen       string `json:"zen,omitempty"`
	// Ignored says why an event the source does not relay was not sent.
	Ignored string `json:"ignored,omitempty"`
}

// pingAnswer answers a ping no robot asked for.
type pingAnswer struct {
	Event    string `json:"event"`
	Delivery string `json:"delivery"`
	Zen      string `json:"zen"`
}

// handleWebhook answers 202 only once the event is rendered and durably stored.
func (s *Server) handleWebhook(src source.Source) echo.HandlerFunc {
	return func(c echo.Context) error {
		ev, delivery, raw, err := s.readEvent(c, src)
		if err != nil {
			name := src.EventHeader(c.Request().Header)
			if ev != nil {
				name = ev.Name
			}
			if errors.Is(err, source.ErrIgnored) {
				s.m.Events.WithLabelValues(src.Name(), metricEvent(src, name), "ignored").Inc()
				return c.JSON(http.StatusOK, webhookAnswer{Delivery: src.Delivery(c.Request().Header), Event: name, Ignored: err.Error()})
			}
			reason := "error"
			if status, _, ok := answerFor(err); ok {
				reason = strconv.Itoa(status)
			}
			s.m.Events.WithLabelValues(src.Name(), metricEvent(src, name), "rejected_"+reason).Inc()
			return err
		}
		if err := s.accept(c, src, ev, delivery); err != nil {
			return err
		}
		s.recent.Add(delivery, src.Name(), ev.Name, time.Now(), raw)
		return nil
	}
}

func (s *Server) accept(c echo.Context, src source.Source, ev *translate.Event, delivery string) error {
	label := metricEvent(src, ev.Name)
	r := s.templates.Current()
	ping := ev.Name == translate.EventPing
	if ping && (s.queue == nil || !slices.ContainsFunc(s.robots, robot.Robot.WantsPing)) {
		s.m.Events.WithLabelValues(src.Name(), label, "ping").Inc()
		return c.JSON(http.StatusOK, pingAnswer{Event: "ping", Delivery: delivery, Zen: ev.Zen})
	}
	if s.queue == nil {
		return s.dryRun(c, r, ev, delivery, src.Name(), label)
	}
	items, err := s.render(r, ev, delivery)
	if err != nil {
		s.m.Events.WithLabelValues(src.Name(), label, "render_error").Inc()
		s.log.Error("rendering event", zap.String("event", ev.Name), zap.String("delivery", delivery), zap.Error(err))
		return fail(http.StatusInternalServerError, "rendering %s event failed: %v", ev.Name, err)
	}
	ans := webhookAnswer{Delivery: delivery, Event: ev.Name, Robots: len(items)}
	// CODING's "test" button expects 200 and the zen, even if robots want pings.
	status := http.StatusAccepted
	if ping {
		status, ans.Zen = http.StatusOK, ev.Zen
	}
	if len(items) == 0 {
		s.m.Events.WithLabelValues(src.Name(), label, "filtered").Inc()
		return c.JSON(status, ans)
	}
	hasID := src.Delivery(c.Request().Header) != ""
	switch err := s.queue.Enqueue(delivery, hasID, items); {
	case errors.Is(err, store.ErrDuplicate):
		s.m.Events.WithLabelValues(src.Name(), label, "duplicate").Inc()
		ans.Duplicate, ans.Robots = true, 0
		return c.JSON(http.StatusOK, ans)
	case errors.Is(err, queue.ErrShuttingDown):
		s.m.Events.WithLabelValues(src.Name(), label, "unavailable").Inc()
		return err
	case errors.Is(err, store.ErrUnavailable):
		// CODING shows the failure; the cause (an address) is logged.
		s.m.Events.WithLabelValues(src.Name(), label, "store_unavailable").Inc()
		s.log.Error("storing event: the shared store is unreachable", zap.String("delivery", delivery), zap.Error(err))
		return err
	case err != nil:
		s.m.Events.WithLabelValues(src.Name(), label, "store_error").Inc()
		s.log.Error("storing event", zap.String("delivery", delivery), zap.Error(err))
		return fail(http.StatusInternalServerError, "could not store the event")
	}
	s.m.Events.WithLabelValues(src.Name(), label, "accepted").Inc()
	return c.JSON(status, ans)
}

// metricEvent bounds the label to known names, "other" or "none" (cardinality).
func metricEvent(src source.Source, name string) string {
	if c := src.Canonical(name); slices.Contains(translate.Events, c) {
		return c
	}
	if name == "" {
		return "none"
	}
	return "other"
}

// readEvent checks headers and size, then verifies and decodes. raw is the
// body, which the caller may keep: it is not reused.
func (s *Server) readEvent(c echo.Context, src source.Source) (ev *translate.Event, delivery string, raw []byte, err error) {
	req := c.Request()
	if err := src.Check(req.Header); err != nil {
		return nil, "", nil, err
	}
	var check func(io.Reader) error
	if v, ok := src.(source.Verifier); ok {
		check = func(body io.Reader) error { return v.Verify(req.Header, body) }
	}
	raw, release, err := s.readBody(c, check)
	defer release()
	if err != nil {
		return nil, "", nil, err
	}
	ev, err = src.Decode(req.Header, raw)
	if err != nil {
		return ev, "", nil, err
	}
	delivery = src.Delivery(req.Header)
	if delivery == "" {
		delivery = uuid.NewString()
	}
	return ev, delivery, raw, nil
}

// readBody reads up to RELAY_MAX_BODY within the memory budget; call release
// once the body is unused (also after an error).
func (s *Server) readBody(c echo.Context, check func(io.Reader) error) (body []byte, release func(), err error) {
	req := c.Request()
	limit := int64(s.cfg.MaxBody)
	if req.ContentLength > limit {
		return nil, func() {}, fail(http.StatusRequestEntityTooLarge, "body is larger than RELAY_MAX_BODY (%d bytes)", limit)
	}
	body, release, err = s.budget.read(req.Context(), console.ClientAddr(req), http.MaxBytesReader(c.Response(), req.Body, limit), check)
	if err != nil {
		// Close rather than let net/http drain the unwanted rest for reuse.
		c.Response().Header().Set("Connection", "close")
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return nil, release, fail(http.StatusRequestEntityTooLarge, "body is larger than RELAY_MAX_BODY (%d bytes)", limit)
		case errors.As(err, new(*source.Error)):
			return nil, release, err // the source's check refused it
		case errors.Is(err, errBusy):
			s.log.Warn("webhook refused: the bodies' memory budget, or this client's share of it, is spent (RELAY_BODY_BUDGET)",
				zap.Int64("budget_bytes", s.budget.total), zap.Int64("share_bytes", s.budget.share), zap.String("remote", req.RemoteAddr))
			return nil, release, err
		}
		// The error names socket addresses: log it, answer a fixed text.
		s.log.Info("reading a webhook body failed", zap.String("remote", req.RemoteAddr), zap.Error(err))
		return nil, release, classifyReadError(err)
	}
	return body, release, nil
}

// render builds one item per wanting robot, one rendering per target and variant.
func (s *Server) render(r *translate.Renderer, ev *translate.Event, delivery string) ([]*store.Item, error) {
	type variant struct {
		target translate.Target
		tmpl   string
	}
	cache := map[variant]translate.Message{}
	now := time.Now()
	var items []*store.Item
	var errs []error
	for _, rb := range s.robots {
		if !rb.Wants(ev) {
			continue
		}
		v := variant{rb.Endpoint.Target(), rb.Template}
		msg, ok := cache[v]
		if !ok {
			var err error
			if msg, err = s.renderFor(r, ev, rb); err != nil {
				// This robot's message is lost, not the others'.
				errs = append(errs, fmt.Errorf("%s for %s: %w", v.target, rb.Name, err))
				continue
			}
			cache[v] = msg
		}
		items = append(items, &store.Item{
			Robot: rb.Name, Dest: rb.Fingerprint, Delivery: delivery, Event: ev.Name, Action: ev.Action,
			Message: msg, Created: now, UUID: uuid.NewString(),
		})
	}
	if len(items) == 0 && len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, err := range errs {
		s.log.Error("rendering event for a robot failed; the other robots get it", zap.String("event", ev.Name), zap.String("delivery", delivery), zap.Error(err))
	}
	return items, nil
}

// renderFor renders ev for rb. A template failing on this event must not lose
// it: fall back to no variant, then the embedded defaults; log and count.
func (s *Server) renderFor(r *translate.Renderer, ev *translate.Event, rb robot.Robot) (translate.Message, error) {
	t := rb.Endpoint.Target()
	msg, err := r.Render(ev, t, rb.Template)
	if err == nil {
		return msg, nil
	}
	s.m.RenderFallbacks.WithLabelValues(rb.Name).Inc()
	s.log.Error("template failed; falling back", zap.String("robot", rb.Name), zap.String("event", ev.Name), zap.Error(err))
	if rb.Template != "" {
		if msg, err2 := r.Render(ev, t, ""); err2 == nil {
			return msg, nil
		}
	}
	if fb := s.templates.Fallback(); fb != nil {
		if msg, err2 := fb.Render(ev, t, ""); err2 == nil {
			return msg, nil
		}
	}
	return translate.Message{}, err
}

// dryRun logs every kind's default-dialect message when no robot is configured.
func (s *Server) dryRun(c echo.Context, r *translate.Renderer, ev *translate.Event, delivery, source, label string) error {
	for _, k := range s.kinds {
		d := k.Dialects()[0]
		pv, err := robot.RenderPreview(c.Request().Context(), r, ev, k.Preview(d.Name()), d, "")
		if err != nil {
			return fail(http.StatusInternalServerError, "rendering %s event for %s failed: %v", ev.Name, d.Name(), err)
		}
		s.log.Info("dry run: no RELAY_ROBOTS, message not sent",
			zap.String("event", ev.Name), zap.String("delivery", delivery), zap.String("target", string(d.Name())),
			zap.String("title", pv.Message.Title), zap.String("text", pv.Message.Text), zap.Int("body_bytes", len(pv.Body)))
	}
	s.m.Events.WithLabelValues(source, label, "dry_run").Inc()
	return c.JSON(http.StatusAccepted, webhookAnswer{Delivery: delivery, Event: ev.Name, DryRun: true})
}
