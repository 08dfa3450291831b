// Command coding-relay relays webhooks of code hosts (the sources in
// registry.go) to group chat robots (the kinds there). All configuration
// comes from RELAY_* environment variables; run `coding-relay -h` for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/sethvargo/go-envconfig"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/console"
	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

// stopProfiling ends a -tags pprof build's CPU profile (profile.go); else nil.
var stopProfiling func()

func main() {
	// A random pool saves a getrandom call per msgUuid (an idempotency key,
	// not a secret); uuid requires enabling it before any concurrency.
	uuid.EnableRandPool()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr, envconfig.OsLookuper())
	stop()
	if stopProfiling != nil {
		stopProfiling()
	}
	if errors.Is(err, flag.ErrHelp) {
		return // a subcommand's -h printed its usage
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "coding-relay:", err)
		os.Exit(1)
	}
}

// realMain dispatches subcommands; tests pass their own environment and output.
func realMain(ctx context.Context, args []string, stdout, stderr io.Writer, env envconfig.Lookuper) error {
	if len(args) == 0 {
		return serve(ctx, env, stderr)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return nil
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, version)
		return nil
	case "serve":
		return serve(ctx, env, stderr)
	case "healthcheck":
		addr, _ := env.Lookup("RELAY_ADDR") // healthzURLs defaults it
		return healthcheck(ctx, addr, stdout)
	case "pause":
		return pause(ctx, args[1:])
	case "render":
		return renderCommand(ctx, args[1:], stdout, stderr, env)
	case "templates":
		return templatesCommand(ctx, args[1:], stdout, stderr, env)
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `coding-relay %s: CODING webhooks to group chat robots.

Usage:
  coding-relay [serve]                      run the relay (POST /webhook)
  coding-relay healthcheck                  probe the local relay's /healthz (exit code)
  coding-relay pause DURATION               wait (a preStop hook in an image without sleep)
  coding-relay render [--event NAME] [--target %s] [--robot URL]
                      [--template NAME] [--templates DIR] FILE|-
                                            print the JSON body that would be sent
  coding-relay templates export [--force] [--language zh|en] DIR
                                            write the default templates to DIR
  coding-relay templates check [DIR]        render every sample event with DIR's templates
  coding-relay version

Environment:
`, version, strings.Join(robot.Targets(kinds), "|"))
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	for _, v := range server.Variables() {
		def := v.Default
		if def == "" {
			def = "(unset)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, def, v.Help)
	}
	fmt.Fprintln(tw, "\nRobot kinds:\ttargets\tpacing unless RELAY_RATE_LIMIT\tRELAY_MENTIONS keys")
	for _, k := range kinds {
		var keys []string
		for _, d := range k.Dialects() {
			for _, mk := range d.MentionKeys() {
				keys = append(keys, mk.Name)
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", k.Name(), strings.Join(robot.Targets([]robot.Kind{k}), ", "), k.Limits(), strings.Join(keys, ", "))
	}
	_ = tw.Flush()
}

// newLogger writes cfg's level and format (both checked by LoadConfig) to w.
func newLogger(cfg *server.Config, w io.Writer) *zap.Logger {
	level, _ := zapcore.ParseLevel(cfg.LogLevel)
	ec := zap.NewProductionEncoderConfig()
	ec.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	if cfg.LogFormat == "console" {
		ec.EncodeLevel = zapcore.CapitalLevelEncoder
		enc = zapcore.NewConsoleEncoder(ec)
	} else {
		enc = zapcore.NewJSONEncoder(ec)
	}
	return zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), level))
}

// sourceOf is where cfg's templates come from, for loading and the playground.
func sourceOf(cfg *server.Config) (*console.TemplateSource, error) {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("RELAY_TIMEZONE: %w", err)
	}
	mentions, err := parseMentions(cfg.Mentions)
	if err != nil {
		return nil, fmt.Errorf("RELAY_MENTIONS: %w", err)
	}
	return &console.TemplateSource{Defaults: templates.FS, Dir: cfg.TemplatesDir, Options: translate.Options{
		Location: loc, Language: cfg.Language, Mentions: mentions, Dialects: robot.Dialects(kinds)}}, nil
}

// history keeps delivered messages for the console in the store, unless the
// console is off (nobody could read it; it costs µs per send) or RELAY_HISTORY_MAX=0.
func history(cfg *server.Config, st queue.Store) queue.History {
	h, ok := st.(queue.History)
	if !ok || cfg.AdminToken == "" || cfg.HistoryMax == 0 {
		return nil
	}
	return h
}

func serve(ctx context.Context, env envconfig.Lookuper, logOut io.Writer) error {
	cfg, err := server.LoadConfig(ctx, env, plain())
	if err != nil {
		return err
	}
	plugins, err := registry(cfg)
	if err != nil {
		return err
	}
	log := newLogger(cfg, logOut)
	defer func() { _ = log.Sync() }()
	tuneMemory(log)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := server.NewMetrics(reg)
	qm := queue.NewMetrics(reg)

	src, err := sourceOf(cfg)
	if err != nil {
		return err
	}
	tmpls, err := server.NewTemplates(src.Load, log, m)
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	// Embedded defaults, so a robot whose templates fail still gets a message.
	defaults := *src
	defaults.Dir = ""
	tmpls.SetFallback(defaults.Load)

	for _, r := range cfg.RobotList {
		if r.Template != "" && !tmpls.Current().HasVariant(r.Template) {
			return fmt.Errorf("RELAY_ROBOTS: robot %s: template=%q is not defined (known variants: %s)",
				r.Name, r.Template, strings.Join(tmpls.Current().Variants(), ", "))
		}
	}

	// Listen before anything slow so a taken port fails at once.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("RELAY_ADDR: %w", err)
	}

	var q *queue.Queue
	var revoked console.Revocations // console logouts: the store's, in memory without one
	if len(cfg.RobotList) > 0 {
		st, shared, err := openStore(ctx, cfg, log)
		if err != nil {
			_ = ln.Close()
			return err
		}
		revoked, _ = st.(console.Revocations)
		client := &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConns:        64,
			MaxIdleConnsPerHost: 8,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 5 * time.Second,
			ForceAttemptHTTP2:   true,
		}}
		lanes := make([]queue.Lane, 0, len(cfg.RobotList))
		for _, r := range cfg.RobotList {
			l := queue.Lane{Robot: r, Rate: cfg.RateOf(r), Sender: robot.Sender{Endpoint: r.Endpoint, Client: client}}
			lanes = append(lanes, l)
			log.Info("robot configured", zap.String("robot", r.Name), zap.String("kind", r.KindName()),
				zap.String("url", r.Endpoint.Display()), zap.Stringer("rate", l.Rate), zap.Bool("signed", r.Endpoint.Signed()))
		}
		q, err = queue.New(st, lanes, queue.Options{
			SendTimeout:  cfg.SendTimeout,
			RetryMaxAge:  cfg.RetryMaxAge,
			RetryMaxWait: cfg.RetryMaxWait,
			Render:       tmpls.Current,
			History:      history(cfg, st),
		}, log, qm)
		if err == nil && shared != nil {
			if err = migrate(cfg, shared, q, log); err != nil {
				_ = q.Close(context.Background())
			}
		} else if err != nil {
			_ = st.Close()
		}
		if err != nil {
			_ = ln.Close()
			return err
		}
		q.Start()
	} else {
		log.Warn("no RELAY_ROBOTS configured: dry run, messages are logged instead of sent")
	}

	if cfg.TemplatesDir != "" {
		if err := tmpls.Watch(ctx, cfg.TemplatesDir); err != nil {
			log.Warn("templates will reload on SIGHUP only", zap.Error(err))
		}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = tmpls.Reload()
			}
		}
	}()

	srv := server.New(server.Options{Config: cfg, Registry: plugins, Logger: log, Metrics: m, Gatherer: reg, Queue: q, Templates: tmpls, TemplateSource: src, Revocations: revoked})
	log.Info("coding-relay listening", zap.String("addr", ln.Addr().String()), zap.String("version", version),
		zap.Int("robots", len(cfg.RobotList)), zap.Bool("signature_required", cfg.CodingToken != ""))
	// One RELAY_SHUTDOWN_TIMEOUT covers HTTP drain and sends, not one each.
	var stopAt atomic.Int64
	context.AfterFunc(ctx, func() { stopAt.Store(time.Now().Add(cfg.ShutdownTimeout).UnixNano()) })
	serveErr := srv.Serve(ctx, ln, cfg.ShutdownTimeout)
	if q != nil {
		deadline := time.Now().Add(cfg.ShutdownTimeout)
		if at := stopAt.Load(); at != 0 {
			deadline = time.Unix(0, at)
		}
		log.Info("draining in-flight sends", zap.Duration("left", time.Until(deadline).Round(time.Millisecond)))
		dctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		if err := q.Close(dctx); err != nil {
			serveErr = errors.Join(serveErr, fmt.Errorf("closing queue: %w", err))
		}
	}
	log.Info("stopped")
	return serveErr
}
