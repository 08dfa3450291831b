// Package console is the web console at /console/: delivery overview, pending,
// dead and recent messages with replay, and a template playground. An embedded
// page calls the JSON endpoints here behind a session cookie from
// RELAY_ADMIN_TOKEN; mounted on the server's Echo, it shares its error table.
package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/translate"
)

//go:embed assets
var assets embed.FS

// Options is what the console shows and acts on.
type Options struct {
	// Token is RELAY_ADMIN_TOKEN; empty turns the console off (API 404).
	Token string
	// Language is RELAY_LANGUAGE, the default page language.
	Language string
	Log      *zap.Logger
	// Queue is nil in dry-run mode.
	Queue   *queue.Queue
	Robots  []robot.Robot
	Kinds   []robot.Kind
	Sources []source.Source
	// RateOf is each robot's pacing (server.Config.RateOf).
	RateOf func(robot.Robot) robot.Limits
	// Renderer is the renderer in use now.
	Renderer func() *translate.Renderer
	// Templates is nil when the playground cannot edit templates.
	Templates *TemplateSource
	// Recent is the webhooks received lately; nil keeps none.
	Recent *Recent
	// MaxBody bounds a request body (RELAY_MAX_BODY).
	MaxBody int64
	// Revocations keeps logouts (the store); nil keeps them in memory.
	Revocations Revocations
}

const sessionTTL = 12 * time.Hour

// Console serves /console/.
type Console struct {
	opts     Options
	log      *zap.Logger
	sessions *sessions
	limiter  *loginLimiter
	index    []byte
	// composing bounds concurrent playground parses (ms of CPU, MBs each).
	composing chan struct{}
}

// New builds the console; Register mounts it.
func New(o Options) *Console {
	if o.Language != "en" {
		o.Language = "zh"
	}
	c := &Console{opts: o, log: o.Log.Named("console"), sessions: newSessions(o.Token, sessionTTL, time.Now, o.Revocations),
		limiter: newLoginLimiter(time.Now), composing: make(chan struct{}, 2)}
	c.index = c.page()
	return c
}

// page is /console/'s HTML: the app, or how to turn it on.
func (c *Console) page() []byte {
	name := "assets/index.html"
	if c.opts.Token == "" {
		name = "assets/off.html"
	}
	t := template.Must(template.ParseFS(assets, name))
	var b bytes.Buffer
	if err := t.Execute(&b, map[string]string{"Lang": c.opts.Language}); err != nil {
		panic(err) // the embedded page is known to execute
	}
	return b.Bytes()
}

// Register mounts the console's routes on e.
func (c *Console) Register(e *echo.Echo) {
	e.GET("/console", func(ctx echo.Context) error {
		return ctx.Redirect(http.StatusMovedPermanently, "/console/")
	})
	g := e.Group("/console", c.headers)
	g.GET("/", c.handlePage)
	static, _ := fs.Sub(assets, "assets")
	files := http.StripPrefix("/console/assets/", http.FileServer(http.FS(static)))
	g.GET("/assets/*", echo.WrapHandler(files))

	api := g.Group("/api", c.enabled)
	api.POST("/login", c.handleLogin, c.sameOrigin)
	api.POST("/logout", c.handleLogout, c.sameOrigin)
	api.GET("/session", c.handleSession)

	auth := api.Group("", c.requireSession)
	auth.GET("/overview", c.handleOverview)
	auth.GET("/deliveries", c.handleDeliveries)
	auth.POST("/deliveries/:id/replay", c.handleReplay, c.sameOrigin)
	auth.POST("/robots/:name/replay", c.handleReplayRobot, c.sameOrigin)
	auth.GET("/playground", c.handlePlayground)
	auth.GET("/samples/*", c.handleSample)
	auth.GET("/recent/:delivery", c.handleRecent)
	auth.GET("/template", c.handleTemplate)
	auth.POST("/render", c.handleRender, c.sameOrigin)
}

// contentSecurity allows only the page's own files: no inline script, no framing.
const contentSecurity = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (c *Console) headers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		h := ctx.Response().Header()
		h.Set("Content-Security-Policy", contentSecurity)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if strings.HasPrefix(ctx.Request().URL.Path, "/console/api/") {
			h.Set("Cache-Control", "no-store")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		return next(ctx)
	}
}

// enabled answers the API 404 while RELAY_ADMIN_TOKEN is unset.
func (c *Console) enabled(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		if c.opts.Token == "" {
			return echo.NewHTTPError(http.StatusNotFound, "the console is off: set RELAY_ADMIN_TOKEN to turn it on")
		}
		return next(ctx)
	}
}

func (c *Console) handlePage(ctx echo.Context) error {
	return ctx.HTMLBlob(http.StatusOK, c.index)
}

// bad is a 400 with a message for the page.
func bad(format string, args ...any) error {
	return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(format, args...))
}
