package robot

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Robot is one configured group robot: an endpoint of some kind and what
// the relay does for it (name, pacing, filters, template). Its Endpoint
// holds the credential; show Name or Endpoint.Display, nothing else.
type Robot struct {
	Name     string
	Kind     Kind
	Endpoint Endpoint

	// Limits override RELAY_RATE_LIMIT and the kind's default when
	// LimitsSet (rate=).
	Limits    Limits
	LimitsSet bool
	// Inflight is how many sends may run at once (unpaced robots only);
	// 0 or 1 keeps a group's order.
	Inflight int

	// Routing filters; empty means everything. Events are canonical names.
	Events, Actions, Branches, Projects []string

	Template string // a named template variant such as "brief"

	// Fingerprint hashes kind and credential; queued messages are tied to
	// it so renumbered robots never get another group's backlog.
	Fingerprint string
	// Named is true when the name came from name=, not from the position:
	// a chosen name keeps its backlog across a token change.
	Named bool
}

// KindName is the name of the robot's kind ("dingtalk").
func (r Robot) KindName() string { return r.Kind.Name() }

// Credential is the robot's kind and credential: a secret naming its group.
func (r Robot) Credential() string { return r.Kind.Name() + " " + r.Endpoint.Credential() }

// commonParams are the relay parameters every robot URL may carry.
var commonParams = []string{"name", "rate", "inflight", "events", "actions", "branches", "projects", "template"}

// MaxInflight bounds inflight=: beyond a few dozen concurrent sends a robot
// is the bottleneck, not the relay.
const MaxInflight = 64

var validName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Parser reads RELAY_ROBOTS with the kinds the relay was built with.
type Parser struct {
	// Kinds are the robot kinds, in the order their hosts are tried.
	Kinds []Kind
	// Canonical maps an events= entry to the event name the sources give
	// (GIT_PUSHED → push); nil keeps entries as they are, lower-cased.
	Canonical func(string) string
}

// Parse parses RELAY_ROBOTS: URLs separated by spaces, newlines or commas
// (commas inside a query, events=push,ci, stay). Errors name the robot by
// position and redacted URL, never its credential.
func (p Parser) Parse(s string) ([]Robot, error) {
	raws, err := p.split(s)
	if err != nil {
		return nil, err
	}
	robots := make([]Robot, 0, len(raws))
	counts := map[string]int{}
	names := map[string]bool{}
	for i, raw := range raws {
		r, shown, err := p.parseOne(raw)
		if err != nil {
			label := fmt.Sprintf("robot %d", i+1)
			if r.Name != "" {
				label += " " + r.Name
			}
			return nil, fmt.Errorf("%s (%s): %w", label, shown, err)
		}
		counts[r.Kind.Name()]++
		r.Name = cmp.Or(r.Name, fmt.Sprintf("%s-%d", r.Kind.Name(), counts[r.Kind.Name()]))
		if names[r.Name] {
			return nil, fmt.Errorf("robot %d (%s): name %q is used twice; names key the queue and metrics", i+1, shown, r.Name)
		}
		names[r.Name] = true
		robots = append(robots, r)
	}
	return robots, nil
}

// prefixes lists the kind prefixes for messages: "dingtalk+, wecom+".
func (p Parser) prefixes() string {
	var out []string
	for _, k := range p.Kinds {
		out = append(out, k.Name()+"+")
	}
	return strings.Join(out, ", ")
}

// urlStart matches the start of a robot URL, kind prefix included.
var urlStart = regexp.MustCompile(`(?i)(?:[a-z]+\+)?https?://`)

// split cuts RELAY_ROBOTS into one string per robot URL.
func (p Parser) split(s string) ([]string, error) {
	var raws []string
	for _, field := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' }) {
		locs := urlStart.FindAllStringIndex(field, -1)
		lead := field
		if len(locs) > 0 {
			lead = field[:locs[0][0]]
		}
		if strings.Trim(lead, ",") != "" {
			// Show only what precedes a "=": a token or secret broken off
			// its URL (a stray space, a folded line) stays hidden.
			shown, _, cut := strings.Cut(lead, "=")
			if cut {
				shown += "=…"
			}
			return nil, fmt.Errorf("%q is not a robot URL (expected https://… or %s before http://; a space or line break inside a URL splits it)", shown, p.prefixes())
		}
		for i, loc := range locs {
			end := len(field)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			if raw := strings.Trim(field[loc[0]:end], ","); raw != "" {
				raws = append(raws, raw)
			}
		}
	}
	return raws, nil
}

// parseOne parses one robot URL. shown is the URL as errors may show it.
func (p Parser) parseOne(raw string) (r Robot, shown string, err error) {
	shown = redactRaw(raw)
	scheme, rest, _ := strings.Cut(raw, "://")
	if prefix, base, ok := strings.Cut(strings.ToLower(scheme), "+"); ok {
		i := slices.IndexFunc(p.Kinds, func(k Kind) bool { return k.Name() == prefix })
		if i < 0 {
			return r, shown, fmt.Errorf("unknown kind prefix %q (accepted: %s)", prefix+"+", p.prefixes())
		}
		r.Kind, raw = p.Kinds[i], base+"://"+rest
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return r, shown, errors.New("not an http(s) URL")
	}
	if r.Kind == nil {
		i := slices.IndexFunc(p.Kinds, func(k Kind) bool { return k.Match(u) })
		if i < 0 {
			return r, shown, fmt.Errorf("unknown robot host; prefix the URL with one of %s to name its kind", p.prefixes())
		}
		r.Kind = p.Kinds[i]
	}
	shown = r.Kind.Redact(u)
	if strings.Contains(raw, "#") {
		// Everything after a # is a fragment and would be dropped without
		// a word: name=, filters, even the token.
		return r, shown, errors.New(`a "#" ends the URL there; write it as %23`)
	}
	// url.URL.Query would drop what it cannot parse (a ";", a bad
	// %-escape) without a word: a lost keywords= or events= must not pass.
	// The parser's error quotes the value, which may be a secret.
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return r, shown, errors.New(`malformed query (a ";" or a "%" not followed by two hex digits; write %25 for a literal %)`)
	}
	if n := q.Get("name"); validName.MatchString(n) {
		r.Name = n // so that later errors can name the robot
	}
	own := url.Values{}
	for key, vals := range q {
		if len(vals) > 1 {
			return r, shown, fmt.Errorf("parameter %q is given %d times (lists are comma-separated: events=push,ci)", key, len(vals))
		}
		switch {
		case slices.Contains(r.Kind.Params(), key):
			own[key] = vals
			q.Del(key)
		case slices.Contains(commonParams, key), slices.Contains(r.Kind.Query(), key):
		case slices.ContainsFunc(p.Kinds, func(o Kind) bool { return slices.Contains(o.Params(), key) }):
			// Another kind's parameter: a clearer error than "unknown".
			return r, shown, fmt.Errorf("%s= is not a parameter of %s robots (%s takes: %s)", key, r.Kind.Name(), r.Kind.Name(), cmp.Or(strings.Join(r.Kind.Params(), ", "), "none of its own"))
		default:
			return r, shown, fmt.Errorf("unknown parameter %q (relay parameters: %s)", key, strings.Join(append(slices.Clone(commonParams), r.Kind.Params()...), ", "))
		}
	}
	if err := r.common(q); err != nil {
		return r, shown, err
	}
	for i, e := range r.Events {
		if p.Canonical != nil {
			r.Events[i] = p.Canonical(e)
		} else {
			r.Events[i] = strings.ToLower(e)
		}
	}
	for _, name := range commonParams {
		q.Del(name)
	}
	u.RawQuery = q.Encode()
	if r.Endpoint, err = r.Kind.Open(u, own); err != nil {
		return r, shown, err
	}
	sum := sha256.Sum256([]byte(r.Credential()))
	r.Fingerprint = hex.EncodeToString(sum[:8])
	return r, shown, nil
}

// common reads the parameters every robot takes.
func (r *Robot) common(q url.Values) error {
	var err error
	r.Name = q.Get("name")
	if r.Name != "" && !validName.MatchString(r.Name) {
		return fmt.Errorf("name %q: use letters, digits, '.', '_' and '-' (at most 64)", r.Name)
	}
	r.Named = r.Name != ""
	if v := q.Get("rate"); v != "" {
		if r.Limits, err = ParseLimits(v); err != nil {
			return fmt.Errorf("rate: %w", err)
		}
		r.LimitsSet = true
	}
	if v := q.Get("inflight"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxInflight {
			return fmt.Errorf("inflight %q: a whole number from 1 to %d", v, MaxInflight)
		}
		r.Inflight = n
	}
	r.Events = List(q.Get("events"))
	r.Actions = List(q.Get("actions"))
	r.Branches = List(q.Get("branches"))
	r.Projects = List(q.Get("projects"))
	for _, g := range append(slices.Clone(r.Branches), r.Projects...) {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("bad glob %q", g)
		}
	}
	r.Template = q.Get("template")
	if r.Template != "" && !validName.MatchString(r.Template) {
		return fmt.Errorf("template %q: use letters, digits, '.', '_' and '-'", r.Template)
	}
	return nil
}

// List splits a comma-separated parameter value, dropping empty entries.
func List(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Keywords reads keywords= (custom keywords DingTalk and Feishu require
// in each message), at most max.
func Keywords(own url.Values, max int) ([]string, error) {
	kw := List(own.Get("keywords"))
	if len(kw) > max {
		return nil, fmt.Errorf("keywords: at most %d (this robot's kind allows no more)", max)
	}
	return kw, nil
}

// redactRaw shows a robot URL whose kind is not known yet: scheme and host
// only, since a credential may sit in the path or the query.
func redactRaw(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "…"
	}
	if at := strings.LastIndex(rest[:strings.IndexAny(rest+"/", "/?#")], "@"); at >= 0 {
		rest = rest[at+1:]
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return scheme + "://" + rest[:i] + "/…"
	}
	return scheme + "://" + rest
}
