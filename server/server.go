// Package server owns all of the relay's I/O: the webhook intake (Echo), the
// durable delivery queue, pacing and retries, and the robot clients below it
// (dingtalk, wecom). It renders with translate and never the other way round.
package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/translate"
)

// Server is the HTTP side of the relay.
type Server struct {
	cfg       *Config
	log       *zap.Logger
	m         *Metrics
	queue     *Queue // nil in dry-run mode
	robots    []Robot
	templates *Templates
	gatherer  prometheus.Gatherer
	echo      *echo.Echo
}

// Options are what New wires together; cmd builds them.
type Options struct {
	Config    *Config
	Logger    *zap.Logger
	Metrics   *Metrics
	Gatherer  prometheus.Gatherer
	Queue     *Queue // nil when no robot is configured (dry run)
	Templates *Templates
}

// New builds the server and registers its routes.
func New(o Options) *Server {
	s := &Server{
		cfg: o.Config, log: o.Logger, m: o.Metrics, queue: o.Queue,
		robots: o.Config.RobotList, templates: o.Templates, gatherer: o.Gatherer,
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	s.echo = e
	s.routes()
	return s
}

func (s *Server) routes() {
	e := s.echo
	e.POST("/webhook", s.handleWebhook)
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{})))
	api := e.Group("/api", s.requireAdmin)
	api.GET("/deliveries", s.handleListDeliveries)
	api.POST("/deliveries/:id/retry", s.handleRetryDelivery)
	api.POST("/render", s.handleRender)
}

// Handler is the server as an http.Handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve answers on ln until ctx is done, then stops accepting and waits up
// to drain for requests in flight. http.ErrServerClosed is the normal end.
func (s *Server) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          zap.NewStdLog(s.log.Named("http")),
	}
	errc := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), drain)
		defer cancel()
		errc <- srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	if err := <-errc; err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			// A client too slow to finish is cut off; that is the
			// deadline working, not a failure of the relay.
			s.log.Warn("requests still open at the shutdown deadline were cut off")
			return nil
		}
		return fmt.Errorf("shutting down HTTP: %w", err)
	}
	return nil
}

// apiError is an error with the status it maps to; its message is safe to
// show to the caller.
type apiError struct {
	status int
	msg    string
}

// Error is the message shown to the caller.
func (e *apiError) Error() string { return e.msg }

func fail(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// handleError is the one place errors become HTTP answers: always JSON
// {"error": "…"}, never a stack trace, never a secret.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := http.StatusInternalServerError, "internal error"
	var ae *apiError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
		status, msg = ae.status, ae.msg
	case errors.As(err, &he):
		status = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		} else {
			msg = http.StatusText(status)
		}
	default:
		s.log.Error("request failed", zap.String("path", c.Path()), zap.Error(err))
	}
	_ = c.JSON(status, map[string]string{"error": msg})
}

func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(c echo.Context) error {
	if s.templates == nil || s.templates.Current() == nil {
		return fail(http.StatusServiceUnavailable, "templates not loaded")
	}
	if s.queue != nil && !s.queue.Accepting() {
		return fail(http.StatusServiceUnavailable, "queue is shutting down")
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// webhookAnswer is the 202 answer to CODING.
type webhookAnswer struct {
	Delivery  string `json:"delivery"`
	Event     string `json:"event"`
	Robots    int    `json:"robots"`
	Duplicate bool   `json:"duplicate,omitempty"`
	DryRun    bool   `json:"dry_run,omitempty"`
	Zen       string `json:"zen,omitempty"`
}

// pingAnswer answers a ping no robot asked for.
type pingAnswer struct {
	Event    string `json:"event"`
	Delivery string `json:"delivery"`
	Zen      string `json:"zen"`
}

func (s *Server) handleWebhook(c echo.Context) error {
	ev, delivery, err := s.readEvent(c)
	if err != nil {
		name := c.Request().Header.Get("X-Coding-Event")
		if ev != nil {
			name = ev.Name
		}
		var ae *apiError
		reason := "error"
		if errors.As(err, &ae) {
			reason = strconv.Itoa(ae.status)
		}
		s.m.Events.WithLabelValues(metricEvent(name), "rejected_"+reason).Inc()
		return err
	}
	r := s.templates.Current()
	ping := ev.Name == "ping"
	if ping && (s.queue == nil || !s.anyRobotWantsPing()) {
		s.m.Events.WithLabelValues("ping", "ping").Inc()
		return c.JSON(http.StatusOK, pingAnswer{Event: "ping", Delivery: delivery, Zen: ev.Zen()})
	}
	if s.queue == nil {
		return s.dryRun(c, r, ev, delivery)
	}
	items, err := s.render(r, ev, delivery)
	if err != nil {
		s.m.Events.WithLabelValues(metricEvent(ev.Name), "render_error").Inc()
		s.log.Error("rendering event", zap.String("event", ev.Name), zap.String("delivery", delivery), zap.Error(err))
		return fail(http.StatusInternalServerError, "rendering %s event failed: %v", ev.Name, err)
	}
	ans := webhookAnswer{Delivery: delivery, Event: ev.Name, Robots: len(items)}
	// CODING's "test" button expects 200 and the zen, also when a robot
	// asked to see pings.
	status := http.StatusAccepted
	if ping {
		status, ans.Zen = http.StatusOK, ev.Zen()
	}
	if len(items) == 0 {
		s.m.Events.WithLabelValues(metricEvent(ev.Name), "filtered").Inc()
		return c.JSON(status, ans)
	}
	hasID := c.Request().Header.Get("X-Coding-Delivery") != ""
	switch err := s.queue.Enqueue(delivery, hasID, items); {
	case errors.Is(err, ErrDuplicate):
		s.m.Events.WithLabelValues(metricEvent(ev.Name), "duplicate").Inc()
		ans.Duplicate, ans.Robots = true, 0
		return c.JSON(http.StatusOK, ans)
	case errors.Is(err, errShuttingDown):
		s.m.Events.WithLabelValues(metricEvent(ev.Name), "unavailable").Inc()
		return fail(http.StatusServiceUnavailable, "relay is shutting down")
	case err != nil:
		s.m.Events.WithLabelValues(metricEvent(ev.Name), "store_error").Inc()
		s.log.Error("storing event", zap.String("delivery", delivery), zap.Error(err))
		return fail(http.StatusInternalServerError, "could not store the event")
	}
	s.m.Events.WithLabelValues(metricEvent(ev.Name), "accepted").Inc()
	return c.JSON(status, ans)
}

// knownEvents bounds the event label so arbitrary names cannot blow up the
// metric's cardinality.
var knownEvents = map[string]bool{
	"ping": true, "push": true, "merge_request": true, "task": true, "document": true, "member": true,
	"ci": true, "artifact": true, "issue": true, "iteration": true, "wiki": true, "file": true,
}

func metricEvent(name string) string {
	if c := translate.CanonicalEvent(name); knownEvents[c] {
		return c
	}
	if name == "" {
		return "none"
	}
	return "other"
}

func (s *Server) anyRobotWantsPing() bool {
	for _, r := range s.robots {
		for _, e := range r.Events {
			if e == "ping" {
				return true
			}
		}
	}
	return false
}

// readEvent checks and decodes the request: media type, size, signature,
// event name and JSON, in that order.
func (s *Server) readEvent(c echo.Context) (*translate.Event, string, error) {
	req := c.Request()
	mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "application/x-www-form-urlencoded") {
		return nil, "", fail(http.StatusUnsupportedMediaType, "Content-Type must be application/json or application/x-www-form-urlencoded")
	}
	limit := int64(s.cfg.MaxBody)
	if req.ContentLength > limit {
		return nil, "", fail(http.StatusRequestEntityTooLarge, "body is larger than RELAY_MAX_BODY (%d bytes)", limit)
	}
	// One allocation of the announced size instead of ReadAll's doublings
	// (at thousands of webhooks a second that is a good part of the
	// garbage), but no more than a real payload needs before the bytes have
	// arrived: an unsigned client announcing RELAY_MAX_BODY and sending
	// nothing must not cost that much memory per connection.
	var body bytes.Buffer
	if n := req.ContentLength; n > 0 {
		body.Grow(int(min(n, preallocMax)) + bytes.MinRead)
	}
	_, err = body.ReadFrom(http.MaxBytesReader(c.Response(), req.Body, limit))
	raw := body.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", fail(http.StatusRequestEntityTooLarge, "body is larger than RELAY_MAX_BODY (%d bytes)", limit)
		}
		return nil, "", fail(http.StatusBadRequest, "reading body: %v", err)
	}
	if tok := s.cfg.CodingToken; tok != "" {
		if err := verifySignature(tok, req.Header.Get("X-Coding-Signature"), raw); err != nil {
			return nil, "", err
		}
	}
	payload := raw
	if mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, "", fail(http.StatusBadRequest, "malformed form body: %v", err)
		}
		p := form.Get("payload")
		if p == "" {
			return nil, "", fail(http.StatusBadRequest, "form body has no payload field")
		}
		payload = []byte(p)
	}
	name := req.Header.Get("X-Coding-Event")
	if name == "" {
		name = req.Header.Get("X-Coding-Service-Hook-Event")
	}
	ev, err := translate.Decode(name, payload)
	if err != nil {
		if errors.Is(err, translate.ErrNoEventName) {
			return nil, "", fail(http.StatusBadRequest, "no event name: set X-Coding-Event or X-Coding-Service-Hook-Event, or an event field in the body")
		}
		return nil, "", fail(http.StatusBadRequest, "malformed JSON payload: %v", err)
	}
	delivery := req.Header.Get("X-Coding-Delivery")
	if delivery == "" {
		delivery = uuid.NewString()
	} else if len(delivery) > 200 {
		return ev, "", fail(http.StatusBadRequest, "X-Coding-Delivery is longer than 200 characters")
	}
	return ev, delivery, nil
}

// preallocMax bounds the body buffer reserved before reading: CODING's
// payloads are a few KiB, a large push a few dozen.
const preallocMax = 64 << 10

// verifySignature checks X-Coding-Signature: sha1=<hex HMAC-SHA1(token, body)>
// in constant time over the raw bytes.
func verifySignature(token, header string, body []byte) error {
	if header == "" {
		return fail(http.StatusUnauthorized, "missing X-Coding-Signature (RELAY_CODING_TOKEN is set)")
	}
	algo, sig, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(algo, "sha1") {
		return fail(http.StatusUnauthorized, "X-Coding-Signature must be sha1=<hex>")
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return fail(http.StatusUnauthorized, "X-Coding-Signature must be sha1=<hex>")
	}
	m := hmac.New(sha1.New, []byte(token))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return fail(http.StatusUnauthorized, "signature does not match the body")
	}
	return nil
}

// render builds one item per robot that wants the event. Robots of the same
// kind and template variant share one rendering.
func (s *Server) render(r *translate.Renderer, ev *translate.Event, delivery string) ([]*Item, error) {
	type variant struct {
		kind translate.Target
		tmpl string
	}
	cache := map[variant]translate.Message{}
	now := time.Now()
	var items []*Item
	var errs []error
	for _, rb := range s.robots {
		if !rb.Wants(ev) {
			continue
		}
		v := variant{rb.Target(), rb.Template}
		msg, ok := cache[v]
		if !ok {
			var err error
			if msg, err = s.renderFor(r, ev, rb); err != nil {
				// This robot's message is lost, not the others'.
				errs = append(errs, fmt.Errorf("%s for %s: %w", v.kind, rb.Name, err))
				continue
			}
			cache[v] = msg
		}
		items = append(items, &Item{
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

// renderFor renders ev as rb gets it. A template that parses but fails on
// this event (an index out of range, a nil field) must not cost the event:
// the robot gets the message without its variant, then the embedded
// defaults, and the failure is logged and counted.
func (s *Server) renderFor(r *translate.Renderer, ev *translate.Event, rb Robot) (translate.Message, error) {
	t := rb.Target()
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

// dryRun logs what would have been sent when no robot is configured, so a
// fresh install shows its output without anything else running.
func (s *Server) dryRun(c echo.Context, r *translate.Renderer, ev *translate.Event, delivery string) error {
	for _, t := range []translate.Target{translate.DingTalk, translate.WeCom} {
		msg, err := r.Render(ev, t, "")
		if err != nil {
			return fail(http.StatusInternalServerError, "rendering %s event failed: %v", ev.Name, err)
		}
		body, err := translate.Body(msg, "")
		if err != nil {
			return fail(http.StatusInternalServerError, "building %s body failed: %v", t, err)
		}
		s.log.Info("dry run: no RELAY_ROBOTS, message not sent",
			zap.String("event", ev.Name), zap.String("delivery", delivery), zap.String("target", string(t)),
			zap.String("title", msg.Title), zap.String("text", maskMobiles(msg.Text, msg.AtMobiles)), zap.Int("body_bytes", len(body)))
	}
	s.m.Events.WithLabelValues(metricEvent(ev.Name), "dry_run").Inc()
	return c.JSON(http.StatusAccepted, webhookAnswer{Delivery: delivery, Event: ev.Name, DryRun: true})
}

// maskMobiles hides the phone numbers of mentions (from RELAY_MENTIONS, a
// secret) in logged text: 13812345678 → 138****5678.
func maskMobiles(text string, mobiles []string) string {
	for _, m := range mobiles {
		masked := "****"
		if len(m) >= 7 {
			masked = m[:3] + "****" + m[len(m)-4:]
		}
		text = strings.ReplaceAll(text, m, masked)
	}
	return text
}

// requireAdmin guards /api: off (404) without RELAY_ADMIN_TOKEN, 401 on a
// missing or wrong bearer token, compared in constant time.
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
		return c.JSON(http.StatusOK, map[string]any{"deliveries": []Delivery{}, "dry_run": true})
	}
	limit := 1000
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fail(http.StatusBadRequest, "limit must be a positive integer")
		}
		limit = n
	}
	var list []Delivery
	var total int
	switch status := c.QueryParam("status"); status {
	case "", "pending":
		var err error
		if list, total, err = s.queue.Pending(limit); err != nil {
			return err
		}
	case "dead":
		var err error
		if list, total, err = s.queue.Dead(limit); err != nil {
			return err
		}
	default:
		return fail(http.StatusBadRequest, "status must be pending or dead")
	}
	if list == nil {
		list = []Delivery{}
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
	case errors.Is(err, errNotFound):
		return fail(http.StatusNotFound, "no dead letter with id %d", id)
	case errors.Is(err, errUnknownRobot):
		return fail(http.StatusConflict, "dead letter %d: %v", id, err)
	case errors.Is(err, errShuttingDown):
		return fail(http.StatusServiceUnavailable, "relay is shutting down")
	case err != nil:
		return err
	}
	return c.JSON(http.StatusAccepted, d)
}

// renderRequest is the body of POST /api/render.
type renderRequest struct {
	Event    string `json:"event"`
	Target   string `json:"target"`
	Template string `json:"template"`
	// Robot renders as that configured robot would send it: its kind,
	// template, format and keywords (then target and template must be empty).
	Robot   string          `json:"robot"`
	Payload json.RawMessage `json:"payload"`
}

func (s *Server) handleRender(c echo.Context) error {
	var req renderRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, int64(s.cfg.MaxBody)))
	if err := dec.Decode(&req); err != nil {
		return fail(http.StatusBadRequest, "body must be JSON {event, target, template, payload}: %v", err)
	}
	if req.Target != "" && !slices.Contains(translate.Targets, translate.Target(req.Target)) {
		return fail(http.StatusBadRequest, "target must be dingtalk, wecom or wecom_v2")
	}
	if len(req.Payload) == 0 {
		return fail(http.StatusBadRequest, "payload is required")
	}
	ev, err := translate.Decode(req.Event, req.Payload)
	if err != nil {
		return fail(http.StatusBadRequest, "payload: %v", err)
	}
	targets := []translate.Target{translate.DingTalk, translate.WeCom}
	if req.Target != "" {
		targets = []translate.Target{translate.Target(req.Target)}
	}
	rb := Robot{Format: "markdown", Template: req.Template}
	if req.Robot != "" {
		if req.Target != "" || req.Template != "" {
			return fail(http.StatusBadRequest, "robot takes its target and template from RELAY_ROBOTS: leave target and template empty")
		}
		i := slices.IndexFunc(s.robots, func(r Robot) bool { return r.Name == req.Robot })
		if i < 0 {
			return fail(http.StatusBadRequest, "no robot named %q", req.Robot)
		}
		rb = s.robots[i]
		targets = []translate.Target{rb.Target()}
	}
	out := map[string]any{}
	for _, t := range targets {
		msg, err := s.templates.Current().Render(ev, t, rb.Template)
		if err != nil {
			return fail(http.StatusUnprocessableEntity, "rendering for %s: %v", t, err)
		}
		body, err := rb.Body(msg, "")
		if err != nil {
			return fail(http.StatusUnprocessableEntity, "building %s body: %v", t, err)
		}
		res := map[string]any{"body": json.RawMessage(body), "bytes": len(body)}
		if req.Robot != "" {
			res["robot"], res["sent"] = rb.Name, rb.Wants(ev) // false: its filters drop the event
		}
		out[string(t)] = res
	}
	return c.JSON(http.StatusOK, out)
}
