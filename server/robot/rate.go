package robot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rate is at most N messages in any window of Per.
type Rate struct {
	N   int
	Per time.Duration
}

// String writes the rate as RELAY_RATE_LIMIT accepts it ("20/1m0s").
func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.N, r.Per) }

// Limits is a robot's pacing, all rates at once (Feishu: 100/1m and 5/1s);
// empty means no pacing.
type Limits []Rate

// Enabled reports whether the limits pace anything.
func (l Limits) Enabled() bool { return len(l) > 0 }

// String writes the limits as ParseLimits accepts them ("100/1m0s,5/1s").
func (l Limits) String() string {
	if len(l) == 0 {
		return "0"
	}
	parts := make([]string, len(l))
	for i, r := range l {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// EnvDecode parses RELAY_RATE_LIMIT for envconfig.
func (l *Limits) EnvDecode(val string) error {
	if strings.TrimSpace(val) == "" {
		*l = nil // unset: each kind's own limit
		return nil
	}
	var err error
	*l, err = ParseLimits(val)
	return err
}

// ParseLimits parses comma-separated "N/duration" ("100/1m,5/1s"), or
// "0" or "off" for no pacing.
func ParseLimits(val string) (Limits, error) {
	s := strings.TrimSpace(val)
	if s == "0" || s == "off" {
		return Limits{}, nil
	}
	var out Limits
	parts := strings.Split(s, ",")
	for _, part := range parts {
		ns, ds, ok := strings.Cut(strings.TrimSpace(part), "/")
		n, err1 := strconv.Atoi(ns)
		d, err2 := time.ParseDuration(ds)
		if !ok || err1 != nil || err2 != nil || n < 0 || d <= 0 {
			return nil, fmt.Errorf("%q is not a rate (accepted: N/duration such as 20/1m or 5/5s, several separated by commas, or 0 to disable pacing)", val)
		}
		if n == 0 {
			if len(parts) > 1 {
				return nil, fmt.Errorf("%q: a rate of 0 in a list (write 0 alone to disable pacing)", val)
			}
			return Limits{}, nil // "0/1m" is off, as before lists existed
		}
		out = append(out, Rate{N: n, Per: d})
	}
	return out, nil
}
