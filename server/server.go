// Package server is the relay's HTTP side: the webhook intake (Echo) for
// every source, the probes, the admin API over the delivery queue
// (server/queue, backed by server/store), the web console (server/console)
// and the metrics. Robot kinds (server/robot/…) and webhook sources
// (server/source/…) plug in through small interfaces; cmd lists them. It
// renders with translate and never the other way round.
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
	// recent keeps the last webhooks for the console's playground; nil
	// while the console is off.
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
	// TemplateSource is where the templates come from, for the console's
	// playground to edit them in memory; nil turns editing off.
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

// routes registers every endpoint: one webhook route per source, probes,
// metrics, the admin API and the console.
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

// Serve answers on ln until ctx is done, then stops accepting and waits up
// to drain for requests in flight. http.ErrServerClosed is the normal end.
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
			// A client too slow to finish is cut off; that is the
			// deadline working, not a failure of the relay.
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

// handleReadyz answers whether an event sent now would be accepted:
// templates loaded, the queue not shutting down, and the store's last write
// not failed (a full disk answers every webhook 500, so Kubernetes should
// stop routing to this pod until a write succeeds). /healthz is liveness
// only and stays 200 meanwhile.
func (s *Server) handleReadyz(c echo.Context) error {
	if s.templates == nil || s.templates.Current() == nil {
		return fail(http.StatusServiceUnavailable, "templates not loaded")
	}
	if s.queue != nil {
		switch err := s.queue.Ready(); {
		case errors.Is(err, queue.ErrShuttingDown):
			return fail(http.StatusServiceUnavailable, "queue is shutting down")
		case err != nil:
			// The cause (a path, an errno) is in the log, not in an
			// unauthenticated answer.
			return fail(http.StatusServiceUnavailable, "the store cannot write; see the relay's log")
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
