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

// templateParts are the event's own templates if it has a text one, else generic's.
func (r *Renderer) templateParts(d *dialect, name, variant string) *partSet {
	if name != "" && name != "generic" {
		if ps := partsFor(d, name, variant); ps.text != nil {
			return ps
		}
	}
	return partsFor(d, "generic", variant)
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
