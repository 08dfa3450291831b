package translate

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on images without tzdata
	"unicode"
)

// Data is all a template sees (no configuration, no secrets): the event, the
// target and the render's budget. {{$.Mention user}} @-mentions somebody.
type Data struct {
	Event  *Event
	Target Target
	// Headings…Card are the target's Capabilities, as plain fields: text/template
	// reads methods and promoted fields through slower reflection.
	Headings, Colors, Lists, Quotes, Mentions, Card bool
	Lang                                            string
	Variant                                         string
	// Outcome is Message.Outcome: success, failure, warning or "" (neutral).
	Outcome string

	// Commits are the newest commits to list, head first; MoreCommits counts
	// the earlier ones left out, TotalCommits all (Event.CommitCount).
	Commits      []Commit
	TotalCommits int
	MoreCommits  int
	// MaxDesc is how many runes of a description to show; 0 means none.
	MaxDesc int

	dir      directory
	mentions *mentions
	depth    int
	guard    *previewGuard     // a preview's bounds (see Preview); nil to send
	includes map[string]string // cachedInclude's output by template name
}

func (d *Data) enter() int { d.depth++; return d.depth }
func (d *Data) leave()     { d.depth-- }

// cachedInclude renders {{include name .}} once per render: templates cannot
// change Data, so a rerun gives the same text (saves 1/5 of CI render allocs).
func (d *Data) cachedInclude(name string, render func() (string, error)) (string, error) {
	if d == nil {
		return render()
	}
	if out, ok := d.includes[name]; ok {
		return out, nil
	}
	out, err := render()
	if err == nil {
		if d.includes == nil {
			d.includes = make(map[string]string)
		}
		d.includes[name] = out
	}
	return out, err
}

// Mention @-mentions users (User, []User, login(s)) known to Options.Mentions;
// it outputs nothing, the renderer appends the target's @-text.
func (d *Data) Mention(who ...any) string {
	for _, w := range who {
		d.dir.resolve(d.mentions, w)
	}
	return ""
}

// Options tune a Renderer.
type Options struct {
	// Location renders epoch-millisecond timestamps; nil means Asia/Shanghai.
	Location *time.Location
	// Language picks the defaults' sub-directory: "zh" (default) or "en".
	Language string
	// Mentions maps a login, username or email to whom to @-mention.
	Mentions map[string]Mention
	// Dialects are the robot kinds' dialects; other targets are refused.
	Dialects []Dialect
}

// Renderer renders events with templates parsed in New; safe for concurrent use.
type Renderer struct {
	defaults, user fs.FS
	opts           Options

	lang     string
	dialects []*dialect // in Options.Dialects order
	byName   map[Target]*dialect
	dir      directory
	files    []string      // parsed files, for errors and Check
	guard    *previewGuard // a preview's bounds (see Preview); nil to send

	// parts caches templateParts, which otherwise builds and looks up a
	// dozen template names in every render; the sets never change after New.
	parts     sync.Map // partsKey → *partSet
	partsSize atomic.Int32
}

// New parses the *.tmpl of defaults (its Language sub-directory if any), then
// of user (may be nil), whose {{define}}s replace the defaults', per dialect.
// Errors name the file and line, or a removed field and its replacement.
func New(defaults fs.FS, user fs.FS, opts Options) (*Renderer, error) {
	if defaults == nil {
		return nil, errors.New("new renderer: no default templates")
	}
	if len(opts.Dialects) == 0 {
		return nil, errors.New("new renderer: no dialects to render for")
	}
	if opts.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return nil, fmt.Errorf("new renderer: load Asia/Shanghai: %w", err)
		}
		opts.Location = loc
	}
	lang := strings.ToLower(strings.TrimSpace(opts.Language))
	if lang == "" {
		lang = "zh"
	}
	root := defaults
	if st, err := fs.Stat(defaults, lang); err == nil && st.IsDir() {
		sub, err := fs.Sub(defaults, lang)
		if err != nil {
			return nil, fmt.Errorf("new renderer: language %q: %w", lang, err)
		}
		root = sub
	} else if opts.Language != "" {
		if st, err := fs.Stat(defaults, "zh"); err == nil && st.IsDir() {
			return nil, fmt.Errorf("new renderer: no default templates for language %q (have zh, en)", opts.Language)
		}
	}
	r := &Renderer{defaults: defaults, user: user, opts: opts, lang: lang,
		byName: make(map[Target]*dialect, len(opts.Dialects)), dir: newDirectory(opts.Mentions)}
	type file struct{ name, text string }
	var files []file
	read := func(fsys fs.FS, prefix string) error {
		names, err := fs.Glob(fsys, "*.tmpl")
		if err != nil {
			return err
		}
		sort.Strings(names)
		for _, n := range names {
			b, err := fs.ReadFile(fsys, n)
			if err != nil {
				return fmt.Errorf("read template %s: %w", path.Join(prefix, n), err)
			}
			files = append(files, file{path.Join(prefix, n), string(b)})
			r.files = append(r.files, path.Join(prefix, n))
		}
		return nil
	}
	if err := read(root, lang); err != nil {
		return nil, fmt.Errorf("new renderer: %w", err)
	}
	if len(files) == 0 {
		return nil, errors.New("new renderer: no *.tmpl in the default templates")
	}
	if user != nil {
		if err := read(user, "user"); err != nil {
			return nil, fmt.Errorf("new renderer: %w", err)
		}
	}
	for _, d := range opts.Dialects {
		if _, dup := r.byName[d.Name()]; dup {
			return nil, fmt.Errorf("new renderer: two dialects named %q", d.Name())
		}
		set := new(*template.Template)
		*set = template.New("coding-relay").Option("missingkey=zero").Funcs(funcMap(d, opts.Location, lang, set))
		for _, f := range files {
			if _, err := (*set).New(f.name).Parse(f.text); err != nil {
				return nil, fmt.Errorf("parse templates: %w", err)
			}
		}
		rd := &dialect{Dialect: d, set: *set, caps: d.Capabilities(), keys: d.MentionKeys()}
		r.dialects, r.byName[d.Name()] = append(r.dialects, rd), rd
	}
	if user != nil {
		if err := checkRemoved(r.dialects[0].set); err != nil {
			return nil, fmt.Errorf("new renderer: %w", err)
		}
	}
	return r, nil
}

// Language is the default templates' language.
func (r *Renderer) Language() string { return r.lang }

// Location is the time zone timestamps render in.
func (r *Renderer) Location() *time.Location { return r.opts.Location }

// Render renders ev for t with the variant (may be ""). The message always
// fits: commits and descriptions shrink first, then the text is cut with "…".
func (r *Renderer) Render(ev *Event, t Target, variant string) (Message, error) {
	if ev == nil {
		return Message{}, errors.New("render: nil event")
	}
	d, ok := r.byName[t]
	if !ok {
		return Message{}, fmt.Errorf("render: unknown target %q", t)
	}
	ps := r.templateParts(d, ev.Name, variant)
	outcome := outcomeOf(ev)
	var m Message
	for _, b := range budgets {
		var err error
		m, err = r.renderOnce(ev, d, ps, variant, outcome, b)
		if err != nil {
			return Message{}, err
		}
		if fits(d, m) {
			return m, nil
		}
	}
	return shrink(d, m), nil
}

func (r *Renderer) renderOnce(ev *Event, dl *dialect, ps *partSet, variant, outcome string, b budget) (Message, error) {
	shown := ev.Commits[:min(len(ev.Commits), b.commits)]
	t, c := dl.Name(), dl.caps
	d := &Data{
		Event: ev, Target: t, Lang: r.lang, Variant: variant, Outcome: outcome,
		Headings: c.Headings, Colors: c.Colors, Lists: c.Lists, Quotes: c.Quotes, Mentions: c.Mentions, Card: c.Card,
		Commits: shown, TotalCommits: ev.CommitCount, MoreCommits: ev.CommitCount - len(shown),
		MaxDesc: b.desc, dir: r.dir, mentions: &mentions{keys: dl.keys}, guard: r.guard,
	}
	var out [4]string // text, title, summary, mentions (which outputs nothing)
	for i, tm := range []*template.Template{ps.text, ps.title, ps.summary, ps.mentions} {
		var err error
		if out[i], err = execPart(tm, t, d); err != nil {
			return Message{}, err
		}
	}
	text, title, summary := out[0], plainTitle(truncateRunes(128, oneLine(out[1]))), oneLine(out[2])
	title = cmp.Or(title, plainTitle(truncateRunes(128, summary)), plainTitle(ev.Name))
	if summary == "" {
		summary = dl.Escape(title)
	}
	if len(summary) > maxSummary {
		summary = strings.TrimSpace(cutMarkdown(summary, maxSummary-len("…"))) + "…"
	}
	m := Message{
		Target: t, Event: ev.Name, Action: ev.Action, Lang: r.lang,
		Title: title, Text: tidyText(text), Summary: summary, Link: ev.Link, Outcome: outcome,
	}
	return withMentions(dl, m, d.mentions.mobiles, d.mentions.ids), nil
}

func execPart(tm *template.Template, t Target, d *Data) (string, error) {
	if tm == nil {
		return "", nil
	}
	b := execBuffers.Get().(*bytes.Buffer)
	defer func() {
		if b.Cap() <= 64<<10 { // a huge render's buffer is not kept
			b.Reset()
			execBuffers.Put(b)
		}
	}()
	if err := tm.Execute(d.out(b), d); err != nil {
		return "", fmt.Errorf("render %s for %s: %w", tm.Name(), t, err)
	}
	return b.String(), nil
}

// execBuffers saves growing a buffer piece by piece in every render
// (BenchmarkDecodeRender: 17 allocations and 1.8 KB fewer for a push).
var execBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// tidyText trims s and collapses each run of two or more blank lines, which
// empty optional parts leave behind, to one empty line. It copies s only
// when it changes (BenchmarkDecodeRender: a regexp cost 2 KB a render).
func tidyText(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := strings.IndexByte(s, '\n'); i >= 0; {
		end, blanks := i+1, 0 // the blank lines after s[i] end at end
		for k := i + 1; k < len(s) && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n'); k++ {
			if s[k] == '\n' {
				end, blanks = k+1, blanks+1
			}
		}
		if blanks >= 2 {
			b.Grow(len(s))
			b.WriteString(s[done:i])
			b.WriteString("\n\n")
			done = end
		}
		next := strings.IndexByte(s[end:], '\n')
		if next < 0 {
			break
		}
		i = end + next
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// oneLine collapses white space runs, line breaks included, to one space.
func oneLine(s string) string {
	if s == strings.TrimSpace(s) && !strings.Contains(s, "  ") &&
		!strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }) {
		return s // already one line: no copy
	}
	return strings.Join(strings.Fields(s), " ")
}

func (r *Renderer) templateNames(d *dialect) []string {
	var names []string
	for _, tm := range d.set.Templates() {
		if tm.Tree != nil && !strings.HasSuffix(tm.Name(), ".tmpl") {
			names = append(names, tm.Name())
		}
	}
	slices.Sort(names)
	return names
}
