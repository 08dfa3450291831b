package translate

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/template"
	"time"
)

// A preview's bounds: a message is at most 20 KB and previews run as
// people type.
const (
	PreviewMaxOutput = 1 << 20
	PreviewTimeout   = 2 * time.Second
)

// ErrPreviewTooLarge and ErrPreviewTimeout stop a runaway preview.
var (
	ErrPreviewTooLarge = fmt.Errorf("the templates wrote more than %d bytes (a loop without end?)", PreviewMaxOutput)
	ErrPreviewTimeout  = fmt.Errorf("the templates did not finish within %s (a loop without end?)", PreviewTimeout)
)

// previewing bounds running previews, timed-out ones included: a loop
// that never writes cannot be stopped, so it keeps its slot until it ends.
var previewing = make(chan struct{}, 2)

// Preview renders ev as Render does for templates being tried out, with
// phone numbers masked, stopping past PreviewMaxOutput bytes, and returning
// when ctx is done whatever the templates still do.
func (r *Renderer) Preview(ctx context.Context, ev *Event, t Target, variant string) (Message, error) {
	select {
	case previewing <- struct{}{}:
	case <-ctx.Done():
		return Message{}, ErrPreviewTimeout
	}
	p := &Renderer{defaults: r.defaults, user: r.user, opts: r.opts, lang: r.lang, dialects: r.dialects, byName: r.byName, files: r.files,
		dir: r.dir.masked(r.phoneKeys()), guard: &previewGuard{ctx: ctx, left: PreviewMaxOutput}}
	var m Message
	var err error
	done := make(chan struct{})
	go func() {
		defer func() { <-previewing }()
		m, err = p.Render(ev, t, variant)
		close(done)
	}()
	select {
	case <-done:
		return m, err
	case <-ctx.Done():
		return Message{}, ErrPreviewTimeout
	}
}

// previewGuard is what is left of one preview's bounds.
type previewGuard struct {
	ctx  context.Context
	left int
}

// out is w bounded by d's preview guard, w itself for a render to send;
// without d (include given other data) by PreviewMaxOutput alone.
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

// Format prints exported fields only, hiding RELAY_MENTIONS from {{.}};
// a value receiver, as text/template prints {{.}} from the struct.
func (d Data) Format(f fmt.State, verb rune) {
	type fields Data // without this method
	d.dir, d.mentions, d.includes, d.guard = directory{}, nil, nil, nil
	fmt.Fprintf(f, fmt.FormatString(f, verb), fields(d))
}

// phoneKeys are the mention keys the dialects read as phone numbers.
func (r *Renderer) phoneKeys() map[string]bool {
	out := map[string]bool{}
	for _, d := range r.dialects {
		for _, k := range d.keys {
			if k.Phone {
				out[k.Name] = true
			}
		}
	}
	return out
}

// masked is the directory with every phone number (its phone keys) masked.
func (d directory) masked(phone map[string]bool) directory {
	out := directory{exact: map[string]Mention{}, fold: map[string]Mention{}}
	for _, m := range [][2]map[string]Mention{{d.exact, out.exact}, {d.fold, out.fold}} {
		for k, mn := range m[0] {
			cp := make(Mention, len(mn))
			for key, v := range mn {
				if phone[key] {
					v = MaskPhone(v)
				}
				cp[key] = v
			}
			m[1][k] = cp
		}
	}
	return out
}

// MaskPhones masks the directory's phone numbers in a sent message or
// body, so the console's history shows no numbers.
func (r *Renderer) MaskPhones(b []byte) []byte {
	phone := r.phoneKeys()
	for _, mn := range r.dir.exact {
		for k, v := range mn {
			if phone[k] && v != "" {
				b = bytes.ReplaceAll(b, []byte(v), []byte(MaskPhone(v)))
			}
		}
	}
	return b
}

// MaskPhone hides a phone number's middle (138****5678), or all if short.
func MaskPhone(m string) string {
	if len(m) < 7 {
		return strings.Repeat("*", len(m))
	}
	return m[:3] + strings.Repeat("*", len(m)-7) + m[len(m)-4:]
}

// maxCount bounds counts given to sprig functions whose result grows with
// them: until 20000000 builds 160 MB that no deadline or writer can stop.
const maxCount = 100_000

// boundCounts makes those functions fail (by a panic text/template
// reports) past maxCount or a PreviewMaxOutput-byte result.
func boundCounts(fm template.FuncMap) {
	for _, name := range []string{"until", "untilStep", "seq", "repeat", "indent", "nindent"} {
		f := reflect.ValueOf(fm[name])
		fm[name] = reflect.MakeFunc(f.Type(), func(args []reflect.Value) []reflect.Value {
			n, size := int64(0), 1
			for _, a := range args {
				switch a.Kind() {
				case reflect.Int:
					n = max(n, a.Int(), -a.Int())
				case reflect.Slice: // seq's numbers
					for i := range a.Len() {
						n = max(n, a.Index(i).Int(), -a.Index(i).Int())
					}
				case reflect.String: // the lines indent pads, repeat's text
					if size = strings.Count(a.String(), "\n") + 1; name == "repeat" {
						size = max(1, a.Len())
					}
				}
			}
			if n > maxCount || n*int64(size) > PreviewMaxOutput {
				panic(fmt.Errorf("%s: %d is more than a message can use", name, n))
			}
			return f.Call(args)
		}).Interface()
	}
}
