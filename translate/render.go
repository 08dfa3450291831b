package translate

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on images without tzdata
)

// Data is what a template sees: the event, the target and the render's
// budget; nothing else (no configuration, no secrets). Templates call
// {{$.Mention user}} to @-mention somebody.
type Data struct {
	Event  *Event
	Target Target
	// Headings, Colors, Lists, Quotes, Mentions and Card are the target's
	// Capabilities, which templates ask for rather than for a kind. They
	// are fields, not methods nor an embedded struct, because text/template
	// reads a method or a promoted field through slower reflection, and
	// templates test them in every message.
	Headings, Colors, Lists, Quotes, Mentions, Card bool
	Lang                                            string
	Variant                                         string
	// Outcome is the event's outcome as Message.Outcome has it: success,
	// failure, warning or "" (neutral).
	Outcome string

	// Commits is the part of the push's commits to list: the newest ones,
	// the head commit first (of Event.Commits); MoreCommits how many
	// earlier ones were left out, TotalCommits all of them (Event.CommitCount).
	Commits      []Commit
	TotalCommits int
	MoreCommits  int
	// MaxDesc is how many runes of a description (MR body, issue
	// description, failure message) to show; 0 means none.
	MaxDesc int

	dir      directory
	mentions *mentions
	depth    int
	guard    *previewGuard     // a preview's bounds (see Preview); nil to send
	includes map[string]string // cachedInclude's output by template name
}

func (d *Data) enter() int { d.depth++; return d.depth }
func (d *Data) leave()     { d.depth-- }

// cachedInclude renders {{include name .}} once per render (one budget):
// the CI templates include ci.isjob in the title, the text and the summary,
// and as templates cannot change Data (.Mention adds each user once however
// often it is called) a second rendering gives the same text. It saves a
// fifth of a CI render's allocations (BenchmarkDecodeRender).
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

// Mention @-mentions the given users (a User, a slice of users, a login or
// list of logins) in the message when Options.Mentions knows them, and
// outputs nothing: the renderer adds the @-text the target needs at the end
// of the message.
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
	// Language picks the default templates' sub-directory: "zh" (default)
	// or "en". Defaults without language directories are used as they are.
	Language string
	// Mentions maps a login, username or email to whom to @-mention.
	Mentions map[string]Mention
	// Dialects are the dialects to render for: each robot kind's (see
	// Dialect). Render and Digest refuse any other target.
	Dialects []Dialect
}

// Renderer renders events with templates parsed once in New; it is safe for
// concurrent use.
type Renderer struct {
	defaults, user fs.FS
	opts           Options

	lang     string
	dialects []*dialect // in Options.Dialects order
	byName   map[Target]*dialect
	dir      directory
	files    []string // parsed files, for errors and Check

	// guard bounds a preview's renders (see Preview); nil for sending.
	guard *previewGuard
}

// New parses every *.tmpl of defaults (its Options.Language sub-directory
// when it has one), then of user (may be nil), whose {{define}}s replace the
// defaults of the same name, for every dialect of Options.Dialects. Errors
// name the file, the line and the reason, or a removed field and its
// replacement.
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

// Language is the language of the default templates in use.
func (r *Renderer) Language() string { return r.lang }

// Location is the time zone timestamps render in.
func (r *Renderer) Location() *time.Location { return r.opts.Location }

// Render renders ev for target t with the template variant (may be "").
// The message always fits the target: the variable parts (commit list,
// descriptions) are shortened first, and as a last resort the text is cut
// on a rune boundary outside any link, with "…".
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

// execPart runs one part's template; a missing part renders as "".
func execPart(tm *template.Template, t Target, d *Data) (string, error) {
	if tm == nil {
		return "", nil
	}
	var b strings.Builder
	if err := tm.Execute(d.out(&b), d); err != nil {
		return "", fmt.Errorf("render %s for %s: %w", tm.Name(), t, err)
	}
	return b.String(), nil
}

// blankRuns are runs of blank lines, which templates leave behind when
// optional parts are empty.
var blankRuns = regexp.MustCompile(`\n[ \t]*\n(?:[ \t]*\n)+`)

// tidyText trims the text and collapses runs of blank lines to one.
func tidyText(s string) string {
	return blankRuns.ReplaceAllString(strings.TrimSpace(s), "\n\n")
}

// oneLine collapses whitespace runs (including line breaks) to one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// templateNames lists the defined templates of a dialect, sorted.
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
