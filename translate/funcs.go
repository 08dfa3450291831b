package translate

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"
)

// forbiddenFuncs are sprig functions that read the environment (secrets), the
// network or the clock (translate is pure: same event, same message).
var forbiddenFuncs = []string{"env", "expandenv", "getHostByName", "ago", "now", "date", "dateInZone", "date_in_zone", "htmlDate", "htmlDateInZone", "dateModify", "date_modify", "mustDateModify", "must_date_modify"}

// funcMap is sprig's hermetic functions plus the relay's; the markdown ones are
// bound to d, so each dialect has its own template set (include looks in set).
func funcMap(d Dialect, loc *time.Location, lang string, set **template.Template) template.FuncMap {
	fm := template.FuncMap(sprig.HermeticTxtFuncMap())
	for _, name := range forbiddenFuncs {
		delete(fm, name)
	}
	boundCounts(fm)
	maps.Copy(fm, template.FuncMap{
		"sha7":       sha7,
		"shortSHA":   sha7,
		"time":       func(v any) string { return formatTime(v, loc, lang) },
		"bytes":      humanBytes,
		"refName":    func(v any) string { return refName(toString(v)) },
		"isTag":      func(v any) bool { return strings.HasPrefix(toString(v), "refs/tags/") },
		"firstLine":  func(v any) string { return firstLine(toString(v)) },
		"truncate":   func(n, v any) string { return truncateRunes(toInt(n), toString(v)) },
		"clip":       func(n, v any) string { return clipLines(toInt(n), toString(v)) },
		"duration":   func(v any, unit ...string) string { return formatDuration(v, lang, unit...) },
		"plural":     plural,
		"url":        func(v any) string { return cleanURL(toString(v)) },
		"esc":        func(v any) string { return d.Escape(toString(v)) },
		"blockquote": func(v any) string { return d.Quote(toString(v)) },
		"link":       func(text, u any) string { return link(d, text, u) },
		"color": func(level string, text any) string {
			return d.Color(strings.ToLower(strings.TrimSpace(level)), toString(text))
		},
		"buildLevel":    buildLevel,
		"priorityLevel": priorityLevel,
		"workStatus":    workStatus,
		"sameUser":      sameUser,
		"mark":          mark,
		"bullet":        d.Bullet,
		"oneOf":         oneOf,
		"include": func(name string, data any) (string, error) {
			if d, ok := data.(depthTracker); ok {
				if d.enter() > maxIncludeDepth {
					d.leave()
					return "", fmt.Errorf("include %q: nested more than %d deep (recursion?)", name, maxIncludeDepth)
				}
				defer d.leave()
			} else if includeDepth.Add(1) > maxIncludeDepth*100 {
				includeDepth.Add(-1)
				return "", fmt.Errorf("include %q: nested too deep (recursion?)", name)
			} else {
				defer includeDepth.Add(-1)
			}
			if *set == nil {
				return "", fmt.Errorf("include %q: templates not parsed yet", name)
			}
			d, _ := data.(*Data)
			return d.cachedInclude(name, func() (string, error) {
				var b strings.Builder
				err := (*set).ExecuteTemplate(d.out(&b), name, data)
				return b.String(), err
			})
		},
	})
	return fm
}

// depthTracker counts a render's nested includes, so self-inclusion fails
// instead of overflowing the stack.
type depthTracker interface {
	enter() int
	leave()
}

// includeDepth counts includes in progress with non-depthTracker data (a dict).
var includeDepth atomic.Int64

const maxIncludeDepth = 32

func toString(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	case fmt.Stringer:
		return s.String()
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		return toString(rv.Elem().Interface())
	}
	return fmt.Sprint(v)
}

func toInt64(v any) (int64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return int64(rv.Float()), true
	}
	// A numeric string, trimmed: CODING sends timestamps both ways.
	f, err := strconv.ParseFloat(strings.TrimSpace(toString(v)), 64)
	if err != nil || math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

func toInt(v any) int {
	n, _ := toInt64(v)
	return int(n)
}

func sha7(v any) string {
	return runePrefix(strings.TrimSpace(toString(v)), 7)
}

func refName(ref string) string {
	for _, p := range []string{"refs/heads/", "refs/tags/", "refs/"} {
		if rest, ok := strings.CutPrefix(ref, p); ok {
			return rest
		}
	}
	return ref
}

func firstLine(s string) string {
	s = strings.TrimLeft(s, "\r\n \t")
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// Day is the zone of a date without time (a due date): shown as the date alone.
var Day = time.FixedZone("day", 0)

// formatTime formats a time or epoch-ms timestamp in loc; values before
// 2001-09 in ms are taken as seconds, as some CODING fields are.
func formatTime(v any, loc *time.Location, lang string) string {
	t, ok := v.(time.Time)
	if !ok {
		ms, ok := toInt64(v)
		if !ok || ms <= 0 {
			return ""
		}
		if ms < 1e12 {
			t = time.Unix(ms, 0)
		} else {
			t = time.UnixMilli(ms)
		}
	}
	switch {
	case t.IsZero():
		return ""
	case t.Location() == Day:
		return t.Format(time.DateOnly)
	}
	t = t.In(loc)
	out := t.Format("2006-01-02 15:04")
	if lang == "en" {
		// An English reader may be anywhere: the time says its zone.
		_, off := t.Zone()
		out += " UTC"
		if off != 0 {
			out += fmt.Sprintf("%+d", off/3600)
			if m := off % 3600 / 60; m != 0 {
				out += fmt.Sprintf(":%02d", max(m, -m))
			}
		}
	}
	return out
}

func humanBytes(v any) string {
	n, ok := toInt64(v)
	if !ok || n < 0 {
		return ""
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"KB", "MB", "GB", "TB", "PB", "EB"}
	f := float64(n)
	i := -1
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f >= 100 {
		return fmt.Sprintf("%.0f %s", f, units[i])
	}
	return fmt.Sprintf("%.1f %s", math.Floor(f*10)/10, units[i])
}

// formatDuration formats a CI duration in ms (as CODING sends it), or unit "s".
func formatDuration(v any, lang string, unit ...string) string {
	d, ok := v.(time.Duration)
	if !ok {
		n, ok := toInt64(v)
		if !ok {
			return ""
		}
		d = time.Duration(n) * time.Millisecond
		if len(unit) > 0 && (unit[0] == "s" || unit[0] == "sec" || unit[0] == "seconds") {
			d = time.Duration(n) * time.Second
		}
	}
	if d <= 0 {
		return ""
	}
	w := durationWords[lang == "en"]
	if d < time.Second {
		return w[3]
	}
	d = d.Round(time.Second)
	parts := []int{int(d.Hours()), int(d.Minutes()) % 60, int(d.Seconds()) % 60}
	first := 0
	for first < 2 && parts[first] == 0 {
		first++
	}
	// The largest unit and the next: 1 小时 2 分, 5 min 1 s, 45 秒.
	out := fmt.Sprintf("%d %s", parts[first], w[first])
	if first < 2 && parts[first+1] > 0 {
		out += fmt.Sprintf(" %d %s", parts[first+1], w[first+1])
	}
	return out
}

var durationWords = map[bool][4]string{
	false: {"小时", "分", "秒", "不到 1 秒"},
	true:  {"h", "min", "s", "under 1 s"},
}

func plural(n any, one, many string) string {
	if i, _ := toInt64(n); i == 1 {
		return one
	}
	return many
}

func link(d Dialect, text, u any) string {
	return d.Link(toString(text), cleanURL(toString(u)))
}

// buildLevel maps any source's CI status words to success, failure, running or neutral.
func buildLevel(status any) string {
	switch strings.ToUpper(strings.TrimSpace(toString(status))) {
	case "SUCCEED", "SUCCEEDED", "SUCCESS", "SUCCESSFUL", "PASSED", "DONE":
		return "success"
	case "FAILED", "FAILURE", "FAIL", "ERROR", "TIMEOUT", "TIMED_OUT", "ABNORMAL", "STARTUP_FAILURE":
		return "failure"
	case "RUNNING", "BUILDING", "IN_PROGRESS", "PROCESSING", "STARTED":
		return "running"
	}
	return "neutral"
}

// mark is a level's or outcome's sign (✅ ❌ ⏳ ⚠️): it tells success from failure
// where colours are not shown and to readers who cannot tell red from green.
func mark(level any) string {
	switch strings.ToLower(strings.TrimSpace(toString(level))) {
	case "success", "info":
		return "✅"
	case "failure", "error":
		return "❌"
	case "running":
		return "⏳"
	case "warning":
		return "⚠️"
	}
	return ""
}

// priorityLevel maps CODING's priority (0-3, English or Chinese word) to low,
// medium, high, urgent or "".
func priorityLevel(v any) string {
	switch strings.ToLower(strings.TrimSpace(toString(v))) {
	case "0", "low", "lowest", "低":
		return "low"
	case "1", "medium", "normal", "中":
		return "medium"
	case "2", "high", "高":
		return "high"
	case "3", "urgent", "highest", "critical", "紧急":
		return "urgent"
	}
	return ""
}

// workStatus maps a work item's status to todo, doing, done, closed, or "" for
// a team's own names, which templates show as they are.
func workStatus(v any) string {
	switch strings.ToUpper(strings.TrimSpace(toString(v))) {
	case "TODO", "WAIT_PROCESS", "NOT_STARTED", "OPEN", "OPENED", "NEW", "未开始", "待处理":
		return "todo"
	case "PROCESSING", "IN_PROGRESS", "DOING", "STARTED", "进行中", "处理中":
		return "doing"
	case "COMPLETED", "DONE", "FINISHED", "RESOLVED", "已完成", "已解决":
		return "done"
	case "CLOSED", "CANCELED", "CANCELLED", "已关闭":
		return "closed"
	}
	return ""
}

// sameUser reports whether a and b share an id, login, username or email (or,
// lacking all, a name), so templates do not name the headline's person twice.
func sameUser(a, b any) bool {
	ua, ub := asUser(a), asUser(b)
	if ua == nil || ub == nil {
		return false
	}
	if ua.ID != "" && ua.ID == ub.ID {
		return true
	}
	keys := func(u *User) []string { return []string{u.Login, u.Email} }
	keyed := false
	for _, ka := range keys(ua) {
		for _, kb := range keys(ub) {
			if ka != "" && kb != "" {
				keyed = true
				if strings.EqualFold(ka, kb) {
					return true
				}
			}
		}
	}
	return !keyed && ua.Display() != "" && ua.Display() == ub.Display()
}

func asUser(v any) *User {
	switch u := v.(type) {
	case *User:
		return u
	case User:
		return &u
	case []User:
		// A list of one (the assignees) stands for its one user.
		if len(u) == 1 {
			return &u[0]
		}
	}
	return nil
}

// oneOf reports whether v is a choice, ignoring case:
// {{if oneOf .Event.Verb "merge" "merged"}}.
func oneOf(v any, choices ...string) bool {
	s := toString(v)
	return slices.ContainsFunc(choices, func(c string) bool { return strings.EqualFold(s, c) })
}
