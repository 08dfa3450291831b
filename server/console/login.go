package console

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"
)

// Failed logins are limited per client address only (a global limit would let
// anyone lock the admin out): the connection's, not a forgeable
// X-Forwarded-For, by /64 for IPv6. Behind a proxy all share its limit.
const (
	loginWindow    = time.Minute
	loginPerClient = 5
	// maxClients bounds the addresses tracked; past it they start over.
	maxClients = 10_000
)

// loginLimiter remembers the failed logins of the last loginWindow.
type loginLimiter struct {
	now func() time.Time

	mu     sync.Mutex
	client map[string][]time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, client: map[string][]time.Time{}}
}

// wait is how long ip must wait before it may try again; 0 when it may now.
func (l *loginLimiter) wait(ip string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.client[ip]
	for len(ts) > 0 && now.Sub(ts[0]) >= loginWindow {
		ts = ts[1:] // out of the window
	}
	if len(ts) == 0 {
		delete(l.client, ip)
		return 0
	}
	l.client[ip] = ts
	if len(ts) < loginPerClient {
		return 0
	}
	return max(ts[len(ts)-loginPerClient].Add(loginWindow).Sub(now), 0)
}

// fail counts a failed login of ip and returns its failures in the window.
func (l *loginLimiter) fail(ip string) int {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.client[ip]; !ok && len(l.client) >= maxClients {
		clear(l.client) // all may try again sooner; nobody is locked out
	}
	l.client[ip] = append(l.client[ip], now)
	return len(l.client[ip])
}

// ClientAddr keys a client's limits: the connection's IP, for IPv6 its /64.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() && !ip.Is4In6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return host
}

// tokenMatches hashes both sides first: constant time, also in length.
func tokenMatches(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1 && want != ""
}

// handleLogin sets the session cookie; failures log the address, never the token.
func (c *Console) handleLogin(ctx echo.Context) error {
	req := ctx.Request()
	ip := ClientAddr(req)
	if wait := c.limiter.wait(ip); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		ctx.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		c.log.Warn("console login refused: too many failed attempts", zap.String("remote", ip), zap.Int("retry_after_seconds", secs))
		return echo.NewHTTPError(http.StatusTooManyRequests, "too many failed logins: try again in "+strconv.Itoa(secs)+"s")
	}
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(ctx.Response(), req.Body, 4<<10)).Decode(&body); err != nil {
		return bad("body must be JSON {\"token\": …}")
	}
	if !tokenMatches(body.Token, c.opts.Token) {
		n := c.limiter.fail(ip)
		c.log.Warn("console login failed: wrong token", zap.String("remote", ip), zap.Int("failures_last_minute", n))
		return echo.NewHTTPError(http.StatusUnauthorized, "wrong token")
	}
	v, exp := c.sessions.issue()
	ctx.SetCookie(cookie(ctx, v, exp))
	c.log.Info("console login", zap.String("remote", ip), zap.Time("expires", exp))
	return ctx.JSON(http.StatusOK, map[string]any{"authenticated": true, "expires": exp})
}

func (c *Console) handleLogout(ctx echo.Context) error {
	ctx.SetCookie(cookie(ctx, "", time.Time{}))
	if ck, err := ctx.Cookie(cookieName); err == nil {
		if err := c.sessions.revoke(ck.Value); err != nil {
			return err // the store's error: the session is not ended
		}
	}
	return ctx.JSON(http.StatusOK, map[string]bool{"authenticated": false})
}

// handleSession answers 200 whether logged in or not: the page asks first.
func (c *Console) handleSession(ctx echo.Context) error {
	ans := map[string]any{"authenticated": false, "language": c.opts.Language}
	if ck, err := ctx.Cookie(cookieName); err == nil {
		if _, exp, ok := c.sessions.check(ck.Value); ok {
			ans["authenticated"], ans["expires"] = true, exp
		}
	}
	return ctx.JSON(http.StatusOK, ans)
}
