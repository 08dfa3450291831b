package translate

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"
)

// A preview's bounds. A message is at most 20 KB (DingTalk's), so templates
// that wrote a megabyte have gone wrong; and a preview is looked at while
// typing: two seconds is long.
const (
	PreviewMaxOutput = 1 << 20
	PreviewTimeout   = 2 * time.Second
)

// ErrPreviewTooLarge and ErrPreviewTimeout stop a preview whose templates
// wrote too much, or ran too long.
var (
	ErrPreviewTooLarge = fmt.Errorf("the templates wrote more than %d bytes (a loop without end?)", PreviewMaxOutput)
	ErrPreviewTimeout  = fmt.Errorf("the templates did not finish within %s (a loop without end?)", PreviewTimeout)
)

// previewing bounds the previews executing at once, counting those past
// their deadline: templates that loop without writing cannot be stopped,
// only waited for, and they keep their slot until they end.
var previewing = make(chan struct{}, 2)

// Preview renders ev as Render does, for templates being tried out (the
// console's playground, /api/render), which may loop without end or print
// everything they can reach. The templates see the phone numbers of
// Options.Mentions masked (138****5678), so the message and its wire body
// show them masked too. The render stops at its first write past
// PreviewMaxOutput bytes (ErrPreviewTooLarge) or after ctx is done
// (ErrPreviewTimeout); Preview returns when ctx is done, whatever the
// templates still do.
func (r *Renderer) Preview(ctx context.Context, ev *Event, t Target, variant string) (Message, error) {
	select {
	case previewing <- struct{}{}:
	case <-ctx.Done():
		return Message{}, ErrPreviewTimeout
	}
	p := &Renderer{defaults: r.defaults, user: r.user, opts: r.opts, lang: r.lang, sets: r.sets, files: r.files,
		dir: r.dir.masked(), guard: &previewGuard{ctx: ctx, left: PreviewMaxOutput}}
	type result struct {
		m   Message
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-previewing }()
		m, err := p.Render(ev, t, variant)
		done <- result{m, err}
	}()
	select {
	case res := <-done:
		return res.m, res.err
	case <-ctx.Done():
		return Message{}, ErrPreviewTimeout
	}
}

// previewGuard is a preview's bounds, checked on every write of its
// templates (one render, one goroutine).
type previewGuard struct {
	ctx  context.Context
	left int
}

// out is w bounded by d's preview guard, or w itself for a render to send.
// Without d (include given other data) no render's bounds are at hand: the
// output is bounded by PreviewMaxOutput alone.
func (d *Data) out(w io.Writer) io.Writer {
	switch {
	case d == nil:
		return guardedWriter{w, &previewGuard{ctx: context.Background(), left: PreviewMaxOutput}}
	case d.guard == nil:
		return w
	}
	return guardedWriter{w, d.guard}
}

type guardedWriter struct {
	w io.Writer
	g *previewGuard
}

func (w guardedWriter) Write(p []byte) (int, error) {
	if w.g.ctx.Err() != nil {
		return 0, ErrPreviewTimeout
	}
	if w.g.left -= len(p); w.g.left < 0 {
		return 0, ErrPreviewTooLarge
	}
	return w.w.Write(p)
}

// Format prints the exported fields only, for {{.}} or {{printf "%#v" .}}:
// fmt would print the unexported ones too, the whole mention directory
// (RELAY_MENTIONS: phone numbers, user ids) among them. (A value receiver:
// text/template prints {{.}} from the struct, not the pointer.)
func (d Data) Format(f fmt.State, verb rune) {
	type fields Data // without this method
	d.dir, d.mentions, d.includes, d.guard = directory{}, nil, nil, nil
	fmt.Fprintf(f, fmt.FormatString(f, verb), fields(d))
}

// masked is the directory with every phone number masked.
func (d directory) masked() directory {
	out := directory{exact: make(map[string]Mention, len(d.exact)), fold: make(map[string]Mention, len(d.fold))}
	for _, m := range []struct{ from, to map[string]Mention }{{d.exact, out.exact}, {d.fold, out.fold}} {
		for k, mn := range m.from {
			mn.DingTalkMobile = MaskPhone(mn.DingTalkMobile)
			m.to[k] = mn
		}
	}
	return out
}

// MaskPhone hides the middle of a phone number, as the relay's logs show
// them: 13812345678 → 138****5678 (the same length); a short one is all
// stars.
func MaskPhone(m string) string {
	if len(m) < 7 {
		return strings.Repeat("*", len(m))
	}
	return m[:3] + strings.Repeat("*", len(m)-7) + m[len(m)-4:]
}

// maxCount bounds the numbers given to sprig's functions whose result
// grows with them: until 20000000 builds 160 MB before a range's first
// iteration, which no deadline or writer can stop. No message needs more
// (one is at most 20 KB); this holds for previews and sends alike.
const maxCount = 100_000

// boundCounts replaces those functions in fm with ones that refuse a
// count over maxCount, or a result over PreviewMaxOutput bytes.
func boundCounts(fm template.FuncMap) {
	until, untilStep, seq := fm["until"].(func(int) []int), fm["untilStep"].(func(int, int, int) []int), fm["seq"].(func(...int) string)
	repeat, indent, nindent := fm["repeat"].(func(int, string) string), fm["indent"].(func(int, string) string), fm["nindent"].(func(int, string) string)
	check := func(name string, n, size int) error {
		if n > maxCount || n < -maxCount || n*size > PreviewMaxOutput {
			return fmt.Errorf("%s: %d is more than a message can use", name, n)
		}
		return nil
	}
	fm["until"] = func(n int) ([]int, error) {
		if err := check("until", n, 0); err != nil {
			return nil, err
		}
		return until(n), nil
	}
	fm["untilStep"] = func(start, stop, step int) ([]int, error) {
		if step == 0 || (stop-start)/step < 0 {
			return untilStep(start, stop, step), nil // empty
		}
		if err := check("untilStep", (stop-start)/step, 0); err != nil {
			return nil, err
		}
		return untilStep(start, stop, step), nil
	}
	fm["seq"] = func(params ...int) (string, error) {
		for _, p := range params {
			if err := check("seq", p, 0); err != nil {
				return "", err
			}
		}
		return seq(params...), nil
	}
	fm["repeat"] = func(n int, s string) (string, error) {
		if err := check("repeat", n, len(s)); err != nil {
			return "", err
		}
		return repeat(n, s), nil
	}
	for name, f := range map[string]func(int, string) string{"indent": indent, "nindent": nindent} {
		fm[name] = func(n int, s string) (string, error) {
			if err := check(name, n, strings.Count(s, "\n")+1); err != nil {
				return "", err
			}
			return f(n, s), nil
		}
	}
}
