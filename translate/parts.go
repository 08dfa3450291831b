package translate

import (
	"strings"
	"text/template"
)

// partSet is the templates of each part of a message.
type partSet struct {
	text, title, summary, mentions *template.Template
}

// partsFor is the templates of each part of event for dialect d and the
// variant, by lookup's chain.
func partsFor(d *dialect, event, variant string) *partSet {
	return &partSet{
		text:     lookup(d, event, variant, "text"),
		title:    lookup(d, event, variant, "title"),
		summary:  lookup(d, event, variant, "summary"),
		mentions: lookup(d, event, variant, "mentions"),
	}
}

// lookup finds the template for one part of a message by the documented
// chain: <variant>.<target>.<event>.<part>, <variant>.<event>.<part>,
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

// templateParts is the templates that render an event: those of its own
// name when it has a text template, else generic's.
func (r *Renderer) templateParts(d *dialect, name, variant string) *partSet {
	if name != "" && name != "generic" {
		if ps := partsFor(d, name, variant); ps.text != nil {
			return ps
		}
	}
	return partsFor(d, "generic", variant)
}

// HasVariant reports whether any template of the variant exists, for
// validating a robot's template= parameter.
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
