// Package server is the relay's HTTP side (intake, probes, admin API, console,
// metrics); robot kinds and sources plug in via cmd; it renders with translate.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/console"
	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/source"
)

// Server is the HTTP side of the relay.
type Server struct {
	cfg       *Config
	log       *zap.Logger
	m         *Metrics
	queue     *queue.Queue // nil in dry-run mode
	robots    []robot.Robot
	kinds     []robot.Kind
	sources   []source.Source
	templates *Templates
	echo      *echo.Echo
	budget    *bodyBudget
	// recent keeps the last webhooks for the playground; nil if console off.
	recent *console.Recent
}

// Options are what New wires together; cmd builds them.
type Options struct {
	Config    *Config
	Registry  Registry
	Logger    *zap.Logger
	Metrics   *Metrics
	Gatherer  prometheus.Gatherer
	Queue     *queue.Queue // nil when no robot is configured (dry run)
	Templates *Templates
	// TemplateSource lets the playground edit templates; nil turns that off.
	TemplateSource *console.TemplateSource
	// Revocations keeps console logouts: the store (nil: in memory).
	Revocations console.Revocations
}

// New builds the server and registers its routes.
func New(o Options) *Server {
	s := &Server{
		cfg: o.Config, log: o.Logger, m: o.Metrics, queue: o.Queue, templates: o.Templates,
		robots: o.Config.RobotList, kinds: o.Registry.Kinds, sources: o.Registry.Sources,
		budget: newBodyBudget(int64(o.Config.BodyBudget), int64(o.Config.MaxBody), o.Metrics.BodyBytes),
	}
	o.Metrics.BodyBudget.Set(float64(o.Config.BodyBudget))
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	s.echo = e
	if o.Config.AdminToken != "" {
		s.recent = console.NewRecent()
	}
	con := console.Options{Revocations: o.Revocations,
		Token: s.cfg.AdminToken, Language: s.cfg.Language, Log: s.log, Queue: s.queue,
		Robots: s.robots, Kinds: s.kinds, Sources: s.sources, RateOf: s.cfg.RateOf,
		Renderer: s.templates.Current, Recent: s.recent, MaxBody: int64(s.cfg.MaxBody), Templates: o.TemplateSource,
	}
	s.routes(console.New(con), o.Gatherer)
	return s
}

// routes registers webhooks per source, probes, metrics, admin and console.
func (s *Server) routes(con *console.Console, metrics prometheus.Gatherer) {
	e := s.echo
	for _, src := range s.sources {
		h := s.handleWebhook(src)
		for _, path := range source.Routes(src) {
			e.POST(path, h)
		}
	}
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(metrics, promhttp.HandlerOpts{})))
	api := e.Group("/api", s.requireAdmin)
	api.GET("/deliveries", s.handleListDeliveries)
	api.POST("/deliveries/:id/retry", s.handleRetryDelivery)
	api.POST("/render", s.handleRender)
	con.Register(e)
}

// Serve answers on ln until ctx is done, then drains requests in flight.
func (s *Server) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	lim := newConnLimit(ln, maxConns, s.m.Connections)
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       bodyDeadline,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          zap.NewStdLog(s.log.Named("http")),
		ConnState:         lim.state,
	}
	errc := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), drain)
		defer cancel()
		errc <- srv.Shutdown(sctx)
	}()
	if err := srv.Serve(lim); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	if err := <-errc; err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			// A too-slow client cut off is the deadline working, not a failure.
			s.log.Warn("requests still open at the shutdown deadline were cut off")
			return nil
		}
		return fmt.Errorf("shutting down HTTP: %w", err)
	}
	return nil
}

func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers whether an event would be accepted now: templates
// loaded, queue open, last store write ok (a full disk 500s every webhook, so
// Kubernetes should route elsewhere). /healthz is liveness only.
func (s *Server) handleReadyz(c echo.Context) error {
	if s.templates == nil || s.templates.Current() == nil {
		return fail(http.StatusServiceUnavailable, "templates not loaded")
	}
	if s.queue != nil {
		switch err := s.queue.Ready(); {
		case errors.Is(err, queue.ErrShuttingDown):
			return fail(http.StatusServiceUnavailable, "queue is shutting down")
		case err != nil:
			// The cause (a path, an errno) goes to the log, not this answer.
			return fail(http.StatusServiceUnavailable, "the store cannot write; see the relay's log")
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
