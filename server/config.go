package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/sethvargo/go-envconfig"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/source"
)

// Config is every RELAY_* setting; its env tags (names, defaults) feed `-h`.
type Config struct {
	Addr            string        `env:"RELAY_ADDR, default=:8080" validate:"required" help:"listen address"`
	Robots          string        `env:"RELAY_ROBOTS" help:"robot URLs separated by spaces, newlines or commas; none = dry run (log messages)"`
	CodingToken     string        `env:"RELAY_CODING_TOKEN" secret:"true" help:"CODING webhook token; requires X-Coding-Signature when set"`
	GitLabToken     string        `env:"RELAY_GITLAB_TOKEN" secret:"true" help:"secret token of the GitLab, JiHu, Codeup and TGit webhooks (/webhook/gitlab); requires it in X-Gitlab-Token (X-Codeup-Token, X-Token) when set"`
	GitLabKey       string        `env:"RELAY_GITLAB_SIGNING_KEY" secret:"true" help:"signing token of the GitLab webhooks (whsec_…); requires a valid webhook-signature at most 5 minutes old when set"`
	AdminToken      string        `env:"RELAY_ADMIN_TOKEN" secret:"true" help:"bearer token for /api/*; admin API off when unset"`
	SendTimeout     time.Duration `env:"RELAY_SEND_TIMEOUT, default=5s" validate:"gt=0,lte=1m" help:"timeout of one send to a robot"`
	MaxBody         ByteSize      `env:"RELAY_MAX_BODY, default=1MiB" validate:"gt=0" help:"largest accepted webhook body (bytes, or with KiB, MiB, GiB, KB, MB, GB); a 120-commit push is about 50 KB"`
	BodyBudget      ByteSize      `env:"RELAY_BODY_BUDGET, default=16MiB" validate:"gt=0" help:"memory all webhook bodies being read may hold together; beyond it a request waits up to 1s, then gets 503 (at least RELAY_MAX_BODY)"`
	Timezone        string        `env:"RELAY_TIMEZONE, default=Asia/Shanghai" validate:"timezone" help:"zone for rendered timestamps"`
	DataDir         string        `env:"RELAY_DATA_DIR, default=data" validate:"required" help:"directory of the durable delivery queue (with RELAY_REDIS_URL: only read, to move a queue left there into Redis)"`
	RedisURL        string        `env:"RELAY_REDIS_URL" secret:"true" help:"redis:// or rediss:// URL of a Redis or Valkey (with AOF) shared by every replica: the whole delivery state lives there; unset: the bbolt file in RELAY_DATA_DIR (one replica)"`
	RedisPassword   string        `env:"RELAY_REDIS_PASSWORD" secret:"true" help:"Redis password, when RELAY_REDIS_URL has none"`
	LogLevel        string        `env:"RELAY_LOG_LEVEL, default=info" validate:"oneof=debug info warn error" help:"debug | info | warn | error"`
	LogFormat       string        `env:"RELAY_LOG_FORMAT, default=json" validate:"oneof=json console" help:"json | console"`
	RateLimit       robot.Limits  `env:"RELAY_RATE_LIMIT" help:"messages per robot per sliding window (N/duration, several with commas); 0 disables pacing; unset: each kind's own limit (Robot kinds below)"`
	RetryMaxAge     time.Duration `env:"RELAY_RETRY_MAX_AGE, default=12h" validate:"gt=0" help:"how long a message is retried before it is dead-lettered"`
	RetryMaxWait    time.Duration `env:"RELAY_RETRY_MAX_WAIT, default=1m" validate:"gte=1s,lte=1h" help:"longest wait between two attempts of a message: retries wait 2s, doubling up to this (a wait the robot asks for, such as a 10-minute throttle, is waited out in full)"`
	DedupMax        int           `env:"RELAY_DEDUP_MAX, default=1000000" validate:"gt=0" help:"most delivery ids (X-Coding-Delivery, Idempotency-Key) remembered for dedup (each for 24h); beyond it the oldest are forgotten first"`
	HistoryMax      int           `env:"RELAY_HISTORY_MAX, default=1000" validate:"gte=0" help:"delivered messages kept per robot for the console's history (0 keeps none)"`
	HistoryMaxAge   time.Duration `env:"RELAY_HISTORY_MAX_AGE, default=168h" validate:"gt=0" help:"how long delivered messages stay in the console's history"`
	ShutdownTimeout time.Duration `env:"RELAY_SHUTDOWN_TIMEOUT, default=15s" validate:"gt=0" help:"how long in-flight requests and sends may finish after SIGTERM (one deadline for both)"`
	TemplatesDir    string        `env:"RELAY_TEMPLATES_DIR" help:"directory of *.tmpl overriding the embedded templates (reloaded on change)"`
	Language        string        `env:"RELAY_LANGUAGE, default=zh" validate:"oneof=zh en" help:"language of the default templates: zh | en"`
	Mentions        string        `env:"RELAY_MENTIONS" secret:"true" help:"JSON map of CODING user (login, username or email) to {key: id}, the keys of the robot kinds (below)"`
	GitHubSecret    string        `env:"RELAY_GITHUB_SECRET" secret:"true" help:"webhook secret set in GitHub, Gitea, Forgejo or Gogs; requires X-Hub-Signature-256 (or X-Gitea-, X-Forgejo-, X-Gogs-Signature) when set"`

	// RobotList is RELAY_ROBOTS parsed; filled by LoadConfig.
	RobotList []robot.Robot
	// RateLimitSet tells unset RELAY_RATE_LIMIT (kind default) from 0 (no pacing).
	RateLimitSet bool
}

// Registry is the robot kinds and webhook sources; only cmd names them.
type Registry struct {
	Kinds   []robot.Kind
	Sources []source.Source
}

// canonical maps an events= entry by the first source that changes it.
func (r Registry) canonical(name string) string {
	for _, s := range r.Sources {
		if c := s.Canonical(name); c != strings.ToLower(strings.TrimSpace(name)) {
			return c
		}
	}
	return strings.ToLower(strings.TrimSpace(name))
}

// LoadConfig reads and validates the configuration through l, so a bad value
// stops start-up, naming its variable, before anything is built.
func LoadConfig(ctx context.Context, l envconfig.Lookuper, reg Registry) (*Config, error) {
	var c Config
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: &c, Lookuper: l}); err != nil {
		return nil, renameField(err)
	}
	if err := validate.Struct(&c); err != nil {
		var ves validator.ValidationErrors
		if errors.As(err, &ves) {
			msgs := make([]string, 0, len(ves))
			for _, fe := range ves {
				msgs = append(msgs, fmt.Sprintf("%s: %q is not valid (%s)", fe.Field(), fmt.Sprint(displayValue(fe)), describeRule(fe)))
			}
			return nil, errors.New(strings.Join(msgs, "; "))
		}
		return nil, err
	}
	if err := checkRedisURL(c.RedisURL); err != nil {
		return nil, err
	}
	if c.BodyBudget < c.MaxBody {
		return nil, fmt.Errorf("RELAY_BODY_BUDGET: %d bytes is less than RELAY_MAX_BODY (%d bytes): a body of the largest accepted size could never be read", c.BodyBudget, c.MaxBody)
	}
	// A non-blank RELAY_RATE_LIMIT replaces every kind's limit; blank = unset.
	if v, ok := l.Lookup("RELAY_RATE_LIMIT"); ok && strings.TrimSpace(v) != "" {
		c.RateLimitSet = true
	}
	robots, err := robot.Parser{Kinds: reg.Kinds, Canonical: reg.canonical}.Parse(c.Robots)
	if err != nil {
		return nil, fmt.Errorf("RELAY_ROBOTS: %w", err)
	}
	same := map[string][]int{} // credential → the robots posting with it
	var creds []string
	for i, r := range robots {
		if r.Inflight > 1 && c.RateOf(r).Enabled() {
			return nil, fmt.Errorf("RELAY_ROBOTS: robot %d %s: inflight=%d needs pacing off (rate=0 on the robot or RELAY_RATE_LIMIT=0): a paced robot is sent one message at a time, in order", i+1, r.Name, r.Inflight)
		}
		cred := r.Credential()
		if same[cred] == nil {
			creds = append(creds, cred)
		}
		same[cred] = append(same[cred], i)
	}
	// Entries for one robot are paced separately and could together exceed
	// its limit: an error unless each states its rate= share or none is paced.
	for _, cred := range creds {
		idx := same[cred]
		paced := slices.ContainsFunc(idx, func(i int) bool { return c.RateOf(robots[i]).Enabled() })
		u := slices.IndexFunc(idx, func(i int) bool { return !robots[i].LimitsSet })
		if len(idx) < 2 || !paced || u < 0 {
			continue
		}
		a, b := idx[0], idx[max(u, 1)] // the first, and the first unstated other (else the second)
		return nil, fmt.Errorf("RELAY_ROBOTS: robots %d %s and %d %s post to the same %s robot and are paced separately: give each an explicit rate= whose sum stays within the robot's limit (e.g. rate=10/1m on both)",
			a+1, robots[a].Name, b+1, robots[b].Name, robots[idx[u]].KindName())
	}
	c.RobotList = robots
	return &c, nil
}

// checkRedisURL refuses a bad RELAY_REDIS_URL without quoting its password.
func checkRedisURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("RELAY_REDIS_URL: not a URL (expected redis://[user:password@]host:port/db or rediss://…; percent-encode a password's @, :, / or %)")
	case u.Scheme != "redis" && u.Scheme != "rediss":
		return fmt.Errorf("RELAY_REDIS_URL: scheme %q is not redis or rediss", u.Scheme)
	case u.Host == "":
		return errors.New("RELAY_REDIS_URL: no host (expected redis://host:port/db)")
	}
	return nil
}

// RateOf is a robot's rate=, else RELAY_RATE_LIMIT, else its kind's limit.
func (c *Config) RateOf(r robot.Robot) robot.Limits {
	switch {
	case r.LimitsSet:
		return r.Limits
	case c.RateLimitSet:
		return c.RateLimit
	}
	return r.Kind.Limits()
}

// validate names fields by their variable so errors say RELAY_X, not Field.
var validate = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string { return envName(f) })
	return v
}()

func envName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	return name
}

func displayValue(fe validator.FieldError) any {
	if sf, ok := reflect.TypeOf(Config{}).FieldByName(fe.StructField()); ok && sf.Tag.Get("secret") == "true" {
		return "<redacted>"
	}
	return fe.Value()
}

func describeRule(fe validator.FieldError) string {
	switch fe.Tag() {
	case "oneof":
		return "accepted: " + strings.ReplaceAll(fe.Param(), " ", " | ")
	case "timezone":
		return "an IANA zone such as Asia/Shanghai or UTC"
	case "gt":
		return "must be greater than " + fe.Param()
	case "gte":
		return "must be at least " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	case "required":
		return "must not be empty"
	}
	return fe.Tag()
}

// renameField turns envconfig's "GoField: reason" into "RELAY_X: reason".
func renameField(err error) error {
	field, rest, ok := strings.Cut(err.Error(), ": ")
	if !ok {
		return err
	}
	if sf, found := reflect.TypeOf(Config{}).FieldByName(field); found {
		return fmt.Errorf("%s: %s", envName(sf), rest)
	}
	return err
}

// Variable describes one setting for `coding-relay -h`.
type Variable struct {
	Name, Default, Help string
}

// Variables lists every setting in declaration order.
func Variables() []Variable {
	t := reflect.TypeOf(Config{})
	var out []Variable
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("env")
		if tag == "" || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		_, def, _ := strings.Cut(opts, "default=")
		out = append(out, Variable{Name: name, Default: def, Help: f.Tag.Get("help")})
	}
	return out
}

// ByteSize is a size in bytes written as 1048576, 512KiB, 5MiB or 1GiB.
type ByteSize int64

// EnvDecode parses a size for envconfig.
func (b *ByteSize) EnvDecode(val string) error {
	s := strings.TrimSpace(val)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return fmt.Errorf("%q is not a size (accepted: bytes, or a number with KiB, MiB or GiB, e.g. 5MiB)", val)
	}
	*b = ByteSize(n * mult)
	return nil
}
