package console

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"
	"testing/fstest"

	"github.com/coding-relay/coding-relay/translate"
)

// TemplateSource is where templates come from: embedded tree, user directory
// and options. Load builds the live renderer; Compose builds in-memory edits.
type TemplateSource struct {
	// Defaults is the embedded tree (templates.FS): zh/, en/, samples/.
	Defaults fs.FS
	// Dir is RELAY_TEMPLATES_DIR, "" for none.
	Dir string
	// Options are the renderer's (Language picks the defaults' directory).
	Options translate.Options
}

// userPrefix names user files in errors ("user/push.tmpl:3: …").
const userPrefix = "user"

// errNoFile is an edit of a template file Compose cannot compose.
var errNoFile = errors.New("no template file")

var templateBase = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.tmpl$`)

// Load parses the defaults, then the directory's *.tmpl.
func (s *TemplateSource) Load() (*translate.Renderer, error) {
	user, err := s.user()
	if err != nil {
		return nil, err
	}
	return translate.New(s.Defaults, user, s.Options)
}

func (s *TemplateSource) user() (fs.FS, error) {
	if s.Dir == "" {
		return nil, nil
	}
	if fi, err := os.Stat(s.Dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("RELAY_TEMPLATES_DIR %s is not a readable directory", s.Dir)
	}
	return os.DirFS(s.Dir), nil
}

func (s *TemplateSource) lang() string {
	return cmp.Or(strings.ToLower(strings.TrimSpace(s.Options.Language)), "zh")
}

// Files is every template's text by its error name ("zh/push.tmpl").
func (s *TemplateSource) Files() (map[string]string, error) {
	out := map[string]string{}
	if err := readTemplates(s.Defaults, s.lang(), s.lang(), out); err != nil {
		return nil, err
	}
	user, err := s.user()
	if err != nil {
		return nil, err
	}
	if user != nil {
		if err := readTemplates(user, ".", userPrefix, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func readTemplates(fsys fs.FS, dir, prefix string, out map[string]string) error {
	names, err := fs.Glob(fsys, path.Join(dir, "*.tmpl"))
	if err != nil {
		return fmt.Errorf("listing templates: %w", err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return fmt.Errorf("reading template %s: %w", n, err)
		}
		out[path.Join(prefix, path.Base(n))] = string(b)
	}
	return nil
}

// Compose parses as Load does with edits (a Files name or new
// "user/<name>.tmpl" → text) in memory. Errors name file and line; an
// unknown file that may not be added wraps errNoFile.
func (s *TemplateSource) Compose(edits map[string]string) (*translate.Renderer, error) {
	files, err := s.Files()
	if err != nil {
		return nil, err
	}
	for name, text := range edits {
		dir, base := path.Split(name)
		if _, ok := files[name]; !ok && (dir != userPrefix+"/" || !templateBase.MatchString(base)) {
			return nil, fmt.Errorf("%w %q (edit a listed file, or name a new one user/<name>.tmpl)", errNoFile, name)
		}
		files[name] = text
	}
	// In-memory trees as translate reads them: defaults under their language, user's at root.
	defaults, user := fstest.MapFS{}, fstest.MapFS{}
	for name, text := range files {
		if base, ok := strings.CutPrefix(name, userPrefix+"/"); ok {
			user[base] = &fstest.MapFile{Data: []byte(text), Mode: 0o444}
		} else {
			defaults[name] = &fstest.MapFile{Data: []byte(text), Mode: 0o444}
		}
	}
	var u fs.FS
	if len(user) > 0 {
		u = user
	}
	return translate.New(defaults, u, s.Options)
}

// Samples is the embedded sample payloads by path under samples/ (source.Sample).
func (s *TemplateSource) Samples() map[string][]byte {
	out := map[string][]byte{}
	for _, pattern := range []string{"samples/*.json", "samples/*/*.json"} {
		names, _ := fs.Glob(s.Defaults, pattern)
		for _, n := range names {
			if b, err := fs.ReadFile(s.Defaults, n); err == nil {
				out[strings.TrimPrefix(n, "samples/")] = b
			}
		}
	}
	return out
}
