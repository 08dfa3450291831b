package translate

import (
	"strings"
	"text/template"
)

type partSet struct {
	text, title, summary, mentions *template.Template
}

func partsFor(d *dialect, event, variant string) *partSet {
	return &partSet{
		text:     lookup(d, event, variant, "text"),
		title:    lookup(d, event, variant, "title"),
		summary:  lookup(d, event, variant, "summary"),
		mentions: lookup(d, event, variant, "mentions"),
	}
}

// lookup finds a part's template by the documented chain:
// <variant>.<target>.<event>.<part>, <variant>.<event>.<part>,
// <target>.<event>.<part>, <event>.<part>.
func lookup(d *dialect, event, variant, part string) *template.Template {
	set, t := d.set, d.Name()
	var names []string
	if variant != "" {
		names = append(names, variant+"."+string(t)+"."+event+"."+part, variant+"."+event+"."+part)
	}
	names = append(names, string(t)+"."+event+"."+part, event+"."+part)
	for _, n := range names {
		if tm := set.Lookup(n); tm != nil && tm.Tree != nil {
			return tm
		}
	}
	return nil
}

// partsKey names the templates of one event for one dialect and variant.
type partsKey struct {
	d              *dialect
	event, variant string
}

// templateParts are the event's own templates if it has a text one, else
// generic's. Webhooks name the events, so the cache is bounded: a sender
// making up names must not grow it for ever.
func (r *Renderer) templateParts(d *dialect, name, variant string) *partSet {
	k := partsKey{d, name, variant}
	if ps, ok := r.parts.Load(k); ok {
		return ps.(*partSet)
	}
	var ps *partSet
	if name != "" && name != "generic" {
		ps = partsFor(d, name, variant)
	}
	if ps == nil || ps.text == nil {
		ps = partsFor(d, "generic", variant)
	}
	if len(name) <= 64 && r.partsSize.Load() < 1024 {
		k.event = strings.Clone(name) // not a piece of a whole webhook body
		if _, loaded := r.parts.LoadOrStore(k, ps); !loaded {
			r.partsSize.Add(1)
		}
	}
	return ps
}

// HasVariant reports whether any template of the variant exists.
func (r *Renderer) HasVariant(variant string) bool {
	if variant == "" {
		return true
	}
	for _, d := range r.dialects {
		for _, tm := range d.set.Templates() {
			if strings.HasPrefix(tm.Name(), variant+".") {
				return true
			}
		}
	}
	return false
}
