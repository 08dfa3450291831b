package translate

import (
	"strings"
	"text/template"
)

// Which templates render a message: the lookup chain of each part, its
// cache, and the generic fallback.

// partSet is what lookup finds for each part of a message.
type partSet struct {
	text, title, summary, mentions *template.Template
}

// partsFor is the templates of each part of event for target t and the
// variant, by lookup's chain.
func (r *Renderer) partsFor(t Target, event, variant string) *partSet {
	return &partSet{
		text:     r.lookup(t, event, variant, "text"),
		title:    r.lookup(t, event, variant, "title"),
		summary:  r.lookup(t, event, variant, "summary"),
		mentions: r.lookup(t, event, variant, "mentions"),
	}
}

// partsKey names the templates of one event for one target and variant.
type partsKey struct {
	t              Target
	event, variant string
}

// maxCachedParts bounds the cache of templateParts: event names come from
// webhooks, and a sender making up new ones must not grow it for ever;
// names longer than maxCachedName are not cached at all.
const (
	maxCachedParts = 1024
	maxCachedName  = 64
)

// lookup finds the template for one part of a message by the documented
// chain: <variant>.<target>.<event>.<part>, <variant>.<event>.<part>,
// <target>.<event>.<part>, <event>.<part>.
func (r *Renderer) lookup(t Target, event, variant, part string) *template.Template {
	set := r.sets[t]
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

// templateParts is the templates that render an event: those of its own
// name when it has a text template, else generic's.
func (r *Renderer) templateParts(t Target, name, variant string) *partSet {
	k := partsKey{t, name, variant}
	if ps, ok := r.parts.Load(k); ok {
		return ps.(*partSet)
	}
	var ps *partSet
	if name != "" && name != "generic" {
		ps = r.partsFor(t, name, variant)
	}
	if ps == nil || ps.text == nil {
		ps = r.partsFor(t, "generic", variant)
	}
	if len(name) <= maxCachedName && r.partsSize.Load() < maxCachedParts {
		// A copy: the name may be a substring of a whole webhook body,
		// which the key would otherwise keep alive.
		k.event = strings.Clone(name)
		if _, loaded := r.parts.LoadOrStore(k, ps); !loaded {
			r.partsSize.Add(1)
		}
	}
	return ps
}

// HasVariant reports whether any template of the variant exists, for
// validating a robot's template= parameter.
func (r *Renderer) HasVariant(variant string) bool {
	if variant == "" {
		return true
	}
	for _, set := range r.sets {
		for _, tm := range set.Templates() {
			if strings.HasPrefix(tm.Name(), variant+".") {
				return true
			}
		}
	}
	return false
}
