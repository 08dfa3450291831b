package translate

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
)

// SampleDecoder decodes a sample payload named by its path under samples/;
// the sources provide it, as translate knows no webhook format.
type SampleDecoder func(file string, body []byte) (*Event, error)

// Samples decodes every samples/*.json and samples/<source>/*.json of
// fsys, keyed by their path under samples/ (gitlab/push.json).
func Samples(fsys fs.FS, decode SampleDecoder) (map[string]*Event, error) {
	// fs.Glob fails only on a malformed pattern.
	names, _ := fs.Glob(fsys, "samples/*.json")
	more, _ := fs.Glob(fsys, "samples/*/*.json")
	names = append(names, more...)
	out := make(map[string]*Event, len(names))
	var errs []error
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			errs = append(errs, fmt.Errorf("read sample %s: %w", n, err))
			continue
		}
		name := strings.TrimPrefix(n, "samples/")
		ev, err := decode(name, b)
		if err != nil {
			errs = append(errs, fmt.Errorf("sample %s: %w", n, err))
			continue
		}
		out[name] = ev
	}
	return out, errors.Join(errs...)
}

// Check renders every sample for every dialect and variant, checks each
// fits, renders a digest of all, and joins every problem. It backs
// `coding-relay templates check`.
func (r *Renderer) Check(decode SampleDecoder) error {
	samples, err := Samples(r.defaults, decode)
	errs := []error{err} // errors.Join drops a nil
	if len(samples) == 0 {
		errs = append(errs, errors.New("check: no sample events (samples/*.json) in the default templates"))
	}
	names := slices.Sorted(maps.Keys(samples))
	variants := append([]string{""}, r.Variants()...)
	for _, d := range r.dialects {
		t := d.Name()
		var msgs []Message
		for _, n := range names {
			for _, v := range variants {
				m, err := r.Render(samples[n], t, v)
				if err != nil {
					errs = append(errs, fmt.Errorf("check %s for %s (variant %q): %w", n, t, v, err))
					continue
				}
				if !fits(d, m) {
					errs = append(errs, fmt.Errorf("check %s for %s (variant %q): %d bytes, over the limit %d", n, t, v, d.Size(m), d.Limit()))
				}
				// A card's header says the headline: its text may be empty.
				if strings.TrimSpace(m.Text) == "" && !d.caps.Card {
					errs = append(errs, fmt.Errorf("check %s for %s (variant %q): empty text", n, t, v))
				}
				if v == "" {
					msgs = append(msgs, m)
				}
			}
		}
		if _, err := r.Digest(t, msgs); err != nil {
			errs = append(errs, fmt.Errorf("check digest for %s: %w", t, err))
		}
	}
	return errors.Join(errs...)
}

// Variants lists the variants the templates define (brief.push.text).
func (r *Renderer) Variants() []string {
	known := map[string]bool{"generic": true, "digest": true}
	for _, d := range r.dialects {
		known[string(d.Name())] = true
	}
	for _, e := range Events {
		known[e] = true
	}
	found := map[string]bool{}
	for _, d := range r.dialects {
		for _, n := range r.templateNames(d) {
			parts := strings.Split(n, ".")
			if len(parts) >= 3 && !known[parts[0]] && slices.Contains([]string{"text", "title", "summary"}, parts[len(parts)-1]) {
				found[parts[0]] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(found))
}
