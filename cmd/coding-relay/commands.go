package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/sethvargo/go-envconfig"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
)

// parseMentions reads RELAY_MENTIONS: user (login, username or email) → ids
// under the keys the dialects read ({"wecom_userid": "…", …}).
func parseMentions(s string) (map[string]translate.Mention, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var m map[string]translate.Mention
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		// The value holds phone numbers: say what is wrong, not what it holds.
		const want = `want {"login": {"<key>": "<id>", …}}`
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("not valid JSON at byte %d (%s)", se.Offset, want)
		}
		return nil, fmt.Errorf("%s: %v", want, err)
	}
	return m, translate.CheckMentions(m, robot.Dialects(kinds))
}

func sourceNames() []string {
	var out []string
	for _, s := range plain().Sources {
		out = append(out, s.Name())
	}
	return out
}

// rendererFromEnv builds the relay's renderer from env, optionally from dir.
func rendererFromEnv(ctx context.Context, env envconfig.Lookuper, dir string) (*translate.Renderer, error) {
	cfg, err := server.LoadConfig(ctx, env, plain())
	if err != nil {
		return nil, err
	}
	if dir != "" {
		cfg.TemplatesDir = dir
	}
	src, err := sourceOf(cfg)
	if err != nil {
		return nil, err
	}
	return src.Load()
}

func renderCommand(ctx context.Context, args []string, stdout, stderr io.Writer, env envconfig.Lookuper) error {
	fl := flag.NewFlagSet("render", flag.ContinueOnError)
	fl.SetOutput(stderr)
	from := fl.String("source", sourceNames()[0], "the payload's sender: "+strings.Join(sourceNames(), ", "))
	event := fl.String("event", "", "event name as the sender's event header gives it (push, GIT_PUSHED, \"Push Hook\", pull_request); default: the body's")
	target := fl.String("target", "", strings.Join(robot.Targets(kinds), ", ")+" (default: the --robot's, else "+robot.Targets(kinds)[0]+")")
	robotURL := fl.String("robot", "", "a RELAY_ROBOTS entry: its kind, template=, format= and keywords= apply")
	variant := fl.String("template", "", "template variant, e.g. brief")
	dir := fl.String("templates", "", "templates directory (default RELAY_TEMPLATES_DIR)")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: coding-relay render [--source %s] --event NAME --target %s [--robot URL] [--template NAME] FILE|-\n", strings.Join(sourceNames(), "|"), strings.Join(robot.Targets(kinds), "|"))
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return errors.New("render needs exactly one payload FILE (or - for stdin)")
	}
	var payload []byte
	var err error
	if f := fl.Arg(0); f == "-" {
		payload, err = io.ReadAll(os.Stdin)
	} else {
		payload, err = os.ReadFile(f)
	}
	if err != nil {
		return fmt.Errorf("reading payload: %w", err)
	}
	t := translate.Target(*target)
	src := source.Named(plain().Sources, *from) // no secrets: nothing is verified
	if src == nil || *from == "" {
		return fmt.Errorf("--source %q: accepted %s", *from, strings.Join(sourceNames(), ", "))
	}
	var ep robot.Endpoint
	if *robotURL != "" {
		robots, err := robot.Parser{Kinds: kinds, Canonical: src.Canonical}.Parse(*robotURL)
		if err != nil {
			return fmt.Errorf("--robot: %w", err)
		}
		if len(robots) != 1 {
			return errors.New("--robot takes exactly one URL")
		}
		ep = robots[0].Endpoint
		if t == "" {
			t = ep.Target()
		}
		if *variant == "" {
			*variant = robots[0].Template
		}
	}
	if t == "" {
		t = kinds[0].Dialects()[0].Name()
	}
	k, d, ok := robot.ForTarget(kinds, t)
	if !ok {
		return fmt.Errorf("--target %q: accepted %s", t, strings.Join(robot.Targets(kinds), ", "))
	}
	if ep == nil || ep.Target() != t {
		ep = k.Preview(t)
	}
	r, err := rendererFromEnv(ctx, env, *dir)
	if err != nil {
		return err
	}
	ev, err := src.DecodePayload(*event, payload)
	if err != nil {
		return fmt.Errorf("payload: %w", err)
	}
	pv, err := robot.RenderPreview(ctx, r, ev, ep, d, *variant)
	if err != nil {
		return fmt.Errorf("rendering: %w", err)
	}
	if _, err := fmt.Fprintln(stdout, string(pv.Body)); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: %d of %d bytes of its size limit (%d%%)\n", t, pv.Size, pv.Limit, pv.Size*100/pv.Limit)
	return nil
}

func templatesCommand(ctx context.Context, args []string, stdout, stderr io.Writer, env envconfig.Lookuper) error {
	if len(args) == 0 {
		return errors.New("usage: coding-relay templates export DIR | templates check [DIR]")
	}
	switch args[0] {
	case "export":
		fl := flag.NewFlagSet("templates export", flag.ContinueOnError)
		fl.SetOutput(stderr)
		force := fl.Bool("force", false, "overwrite existing files")
		lang := fl.String("language", "", "zh or en (default RELAY_LANGUAGE, else zh)")
		if err := fl.Parse(args[1:]); err != nil {
			return err
		}
		if fl.NArg() != 1 {
			return errors.New("usage: coding-relay templates export [--force] [--language zh|en] DIR")
		}
		if *lang == "" {
			v, _ := env.Lookup("RELAY_LANGUAGE")
			*lang = cmp.Or(v, "zh")
		}
		n, err := exportTemplates(fl.Arg(0), *lang, *force)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %d templates to %s; edit them, then: coding-relay templates check %s\n", n, fl.Arg(0), fl.Arg(0))
		return nil
	case "check":
		dir := ""
		if len(args) == 2 && (args[1] == "-h" || args[1] == "-help" || args[1] == "--help") {
			fmt.Fprintln(stdout, "usage: coding-relay templates check [DIR]   (DIR defaults to RELAY_TEMPLATES_DIR, else the embedded templates)")
			return nil
		}
		if len(args) > 2 {
			return errors.New("usage: coding-relay templates check [DIR]")
		}
		if len(args) == 2 {
			dir = args[1]
		}
		r, err := rendererFromEnv(ctx, env, dir)
		if err != nil {
			return err
		}
		if err := r.Check(source.DecodeSample(plain().Sources)); err != nil {
			return fmt.Errorf("templates check failed:\n%w", err)
		}
		fmt.Fprintf(stdout, "templates OK: every sample event renders for %s within limits\n", strings.Join(robot.Targets(kinds), ", "))
		return nil
	}
	return fmt.Errorf("unknown templates command %q (export, check)", args[0])
}

func exportTemplates(dir, lang string, force bool) (int, error) {
	sub, err := fs.Sub(templates.FS, lang)
	if err != nil {
		return 0, err
	}
	files, err := fs.Glob(sub, "*.tmpl")
	if err != nil || len(files) == 0 {
		return 0, fmt.Errorf("no embedded templates for language %q (accepted: zh, en)", lang)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	for _, f := range files {
		dst := filepath.Join(dir, path.Base(f))
		if _, err := os.Stat(dst); err == nil && !force {
			return 0, fmt.Errorf("%s exists (use --force to overwrite)", dst)
		}
		b, err := fs.ReadFile(sub, f)
		if err != nil {
			return 0, err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return 0, err
		}
	}
	return len(files), nil
}
