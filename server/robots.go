package server

import (
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

	"github.com/coding-relay/coding-relay/translate"
)

// Robot is one configured group robot. URL still holds the robot's
// credential (access_token or key) and must never be logged; use Name.
type Robot struct {
	Name   string
	Kind   translate.Target
	URL    *url.URL // relay parameters removed, scheme prefix removed
	Secret string   // DingTalk 加签 secret

	// Rate overrides RELAY_RATE_LIMIT when RateSet.
	Rate    Rate
	RateSet bool
	// Inflight is how many messages may be sent to the robot at once; 0 or
	// 1 sends one at a time, which is what keeps a group's order. Only for
	// robots without pacing (see LoadConfig).
	Inflight int

	// Routing filters; empty means everything.
	Events   []string
	Actions  []string
	Branches []string
	Projects []string

	// Keywords are a DingTalk robot's custom keywords (自定义关键词): every
	// message sent to it is made to contain one (translate.WithKeyword).
	Keywords []string

	// Fingerprint is a short hash of the credential: queued messages are
	// tied to it, so removing or reordering robots (which renumbers the
	// default names) never hands one group's backlog to another.
	Fingerprint string
	// Named is true when the name came from name=, not from the position:
	// a chosen name keeps its backlog across a token change.
	Named bool

	// Template is a named template variant such as "brief".
	Template string
	// Format is the WeCom message type: "markdown" (default) or "markdown_v2".
	Format string
}

// Target is what the robot's messages are rendered for: a WeCom robot with
// format=markdown_v2 has a rendering of its own (lists, no colours, no
// mentions).
func (r Robot) Target() translate.Target {
	if r.Kind == translate.WeCom && r.Format == "markdown_v2" {
		return translate.WeComV2
	}
	return r.Kind
}

// Credential identifies the robot itself (kind and access_token or key),
// whatever its name or filters: two entries with the same credential post
// to the same group. It holds the secret; never show it.
func (r Robot) Credential() string {
	return string(r.Kind) + " " + r.URL.Query().Get(serviceParams[r.Kind][0])
}

// Body is the wire body of m as this robot gets it: with one of its
// keywords, in its message format.
func (r Robot) Body(m translate.Message, msgUUID string) ([]byte, error) {
	return WireBody(translate.WithKeyword(m, r.Keywords), msgUUID, r.Format)
}

// Display is the robot's URL without its query: scheme, host and path only.
func (r Robot) Display() string {
	c := *r.URL
	c.RawQuery, c.User, c.Fragment = "", nil, ""
	return c.String()
}

// robotStart finds where a robot URL begins, so commas inside a query
// (events=push,ci) do not split a URL.
var robotStart = regexp.MustCompile(`(?i)(?:dingtalk\+|wecom\+)?https?://`)

// relayParams are the query parameters the relay consumes; everything else
// in a robot URL belongs to the robot's service.
var relayParams = []string{"secret", "keywords", "name", "rate", "inflight", "events", "actions", "branches", "projects", "template", "format"}

// serviceParams are the query parameters each service expects.
var serviceParams = map[translate.Target][]string{
	translate.DingTalk: {"access_token"},
	translate.WeCom:    {"key"},
}

// ParseRobots parses RELAY_ROBOTS. Errors name the robot by position and
// redacted URL, never its token.
func ParseRobots(s string) ([]Robot, error) {
	var raws []string
	for _, field := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' }) {
		locs := robotStart.FindAllStringIndex(field, -1)
		if len(locs) == 0 || locs[0][0] != 0 {
			if strings.Trim(field, ",") == "" {
				continue
			}
			lead := field
			if len(locs) > 0 {
				lead = field[:locs[0][0]]
			}
			if strings.Trim(lead, ",") != "" {
				// Show only what precedes a "=": a token or secret broken
				// off its URL (a stray space, a folded line) stays hidden.
				shown, _, cut := strings.Cut(lead, "=")
				if cut {
					shown += "=…"
				}
				return nil, fmt.Errorf("%q is not a robot URL (expected https://… or dingtalk+http://…, wecom+http://…; a space or line break inside a URL splits it)", shown)
			}
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
	robots := make([]Robot, 0, len(raws))
	counts := map[translate.Target]int{}
	names := map[string]bool{}
	for i, raw := range raws {
		r, err := parseRobot(raw)
		if err != nil {
			label := fmt.Sprintf("robot %d", i+1)
			if r.Name != "" {
				label += " " + r.Name
			}
			return nil, fmt.Errorf("%s (%s): %w", label, redactRaw(raw), err)
		}
		counts[r.Kind]++
		if r.Name == "" {
			r.Name = fmt.Sprintf("%s-%d", r.Kind, counts[r.Kind])
		}
		if names[r.Name] {
			return nil, fmt.Errorf("robot %d (%s): name %q is used twice; names key the queue and metrics", i+1, redactRaw(raw), r.Name)
		}
		names[r.Name] = true
		robots = append(robots, r)
	}
	return robots, nil
}

func parseRobot(raw string) (Robot, error) {
	var r Robot
	scheme, rest, _ := strings.Cut(raw, "://")
	switch kind, base, ok := strings.Cut(strings.ToLower(scheme), "+"); {
	case ok && kind == "dingtalk":
		r.Kind, raw = translate.DingTalk, base+"://"+rest
	case ok && kind == "wecom":
		r.Kind, raw = translate.WeCom, base+"://"+rest
	case ok:
		return r, fmt.Errorf("unknown kind prefix %q (accepted: dingtalk+, wecom+)", kind+"+")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return r, errors.New("not an http(s) URL")
	}
	if strings.Contains(raw, "#") {
		// Everything after a # is a fragment and would be dropped without
		// a word: name=, filters, even the token.
		return r, errors.New(`a "#" ends the URL there; write it as %23`)
	}
	if r.Kind == "" {
		switch strings.ToLower(u.Hostname()) {
		case "oapi.dingtalk.com", "oapi.dingtalk.io":
			r.Kind = translate.DingTalk
		case "qyapi.weixin.qq.com":
			r.Kind = translate.WeCom
		default:
			return r, errors.New("unknown robot host; prefix the URL with dingtalk+ or wecom+ to name its kind")
		}
	}
	// url.URL.Query would drop what it cannot parse (a ";", a bad
	// %-escape) without a word: a lost keywords= or events= must not pass.
	// The parser's error quotes the value, which may be a secret.
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return r, errors.New(`malformed query (a ";" or a "%" not followed by two hex digits; write %25 for a literal %)`)
	}
	if n := q.Get("name"); validName.MatchString(n) {
		r.Name = n // so that later errors can name the robot
	}
	for key, vals := range q {
		if !slices.Contains(relayParams, key) && !slices.Contains(serviceParams[r.Kind], key) {
			return r, fmt.Errorf("unknown parameter %q (relay parameters: %s)", key, strings.Join(relayParams, ", "))
		}
		if len(vals) > 1 {
			return r, fmt.Errorf("parameter %q is given %d times (lists are comma-separated: events=push,ci)", key, len(vals))
		}
	}
	cred := serviceParams[r.Kind][0]
	if q.Get(cred) == "" {
		return r, fmt.Errorf("missing %s in the URL", cred)
	}
	r.Secret = q.Get("secret")
	if r.Secret != "" && r.Kind != translate.DingTalk {
		return r, errors.New("secret= is only for DingTalk robots (WeCom robots have no signing)")
	}
	r.Keywords = list(q.Get("keywords"))
	switch {
	case len(r.Keywords) > 0 && r.Kind != translate.DingTalk:
		return r, errors.New("keywords= is only for DingTalk robots (WeCom robots have no keyword check)")
	case len(r.Keywords) > 10:
		return r, errors.New("keywords: a DingTalk robot has at most 10")
	}
	r.Name = q.Get("name")
	if r.Name != "" && !validName.MatchString(r.Name) {
		return r, fmt.Errorf("name %q: use letters, digits, '.', '_' and '-' (at most 64)", r.Name)
	}
	r.Named = r.Name != ""
	if v := q.Get("rate"); v != "" {
		if r.Rate, err = ParseRate(v); err != nil {
			return r, fmt.Errorf("rate: %w", err)
		}
		r.RateSet = true
	}
	if v := q.Get("inflight"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxInflight {
			return r, fmt.Errorf("inflight %q: a whole number from 1 to %d", v, maxInflight)
		}
		r.Inflight = n
	}
	r.Events = list(q.Get("events"))
	for i, e := range r.Events {
		r.Events[i] = translate.CanonicalEvent(e)
	}
	r.Actions = list(q.Get("actions"))
	r.Branches = list(q.Get("branches"))
	r.Projects = list(q.Get("projects"))
	for _, g := range append(slices.Clone(r.Branches), r.Projects...) {
		if _, err := path.Match(g, ""); err != nil {
			return r, fmt.Errorf("bad glob %q", g)
		}
	}
	r.Template = q.Get("template")
	if r.Template != "" && !validName.MatchString(r.Template) {
		return r, fmt.Errorf("template %q: use letters, digits, '.', '_' and '-'", r.Template)
	}
	r.Format = q.Get("format")
	switch {
	case r.Format == "" || r.Format == "markdown":
		r.Format = "markdown"
	case r.Format == "markdown_v2" && r.Kind == translate.WeCom:
	default:
		return r, fmt.Errorf("format %q (accepted: markdown, and markdown_v2 for WeCom)", r.Format)
	}
	for _, p := range relayParams {
		q.Del(p)
	}
	u.RawQuery = q.Encode()
	r.URL = u
	sum := sha256.Sum256([]byte(r.Credential()))
	r.Fingerprint = hex.EncodeToString(sum[:8])
	return r, nil
}

// maxInflight bounds inflight=: beyond a few dozen concurrent sends a robot
// is the bottleneck, not the relay.
const maxInflight = 64

var validName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// redactRaw shows a robot URL without its query for error messages.
func redactRaw(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i] + "?…"
	}
	if at := strings.Index(raw, "@"); at >= 0 {
		if s := strings.Index(raw, "://"); s >= 0 && s < at {
			raw = raw[:s+3] + "…" + raw[at:]
		}
	}
	return raw
}

// Wants reports whether the robot's filters let the event through.
func (r Robot) Wants(ev *translate.Event) bool {
	if ev.Name == "ping" {
		// CODING's "test" button reaches only the robots that ask for it.
		return slices.Contains(r.Events, "ping")
	}
	if len(r.Events) > 0 && !slices.Contains(r.Events, ev.Name) {
		return false
	}
	if len(r.Actions) > 0 && !slices.Contains(r.Actions, ev.Action) && !slices.Contains(r.Actions, ev.Code) {
		return false
	}
	if len(r.Branches) > 0 && !anyGlob(r.Branches, ev.Branch()) {
		return false
	}
	if len(r.Projects) > 0 && !anyGlob(r.Projects, projectNames(ev)...) {
		return false
	}
	return true
}

// projectNames are the names projects= may match: the repository's, and the
// project's name and display name (Service Hook events of a project without
// a repository carry only those).
func projectNames(ev *translate.Event) []string {
	names := []string{ev.ProjectName()}
	if ev.Repository != nil {
		names = append(names, ev.Repository.Name)
	}
	if ev.Project != nil {
		names = append(names, ev.Project.Name, ev.Project.DisplayName)
	}
	return names
}

// anyGlob reports whether one of globs matches one of the non-empty names.
func anyGlob(globs []string, names ...string) bool {
	for _, s := range names {
		if s != "" && matchesAny(globs, s) {
			return true
		}
	}
	return false
}

func matchesAny(globs []string, s string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, s); ok {
			return true
		}
	}
	return false
}
