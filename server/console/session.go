package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// cookieName is the session cookie's name.
const cookieName = "relay_console"

// maxRevoked bounds the logged-out sessions remembered; past it the
// soonest to expire are forgotten first (they are expired soonest anyway).
const maxRevoked = 10_000

// sessions issues and checks the console's session cookies. A cookie is
// "1.<expiry, Unix seconds>.<random nonce>.<MAC>", the MAC an HMAC-SHA256
// keyed with a key derived from RELAY_ADMIN_TOKEN: a session survives a
// restart and is good on every replica, and changing the token ends every
// session. Nothing secret is in the cookie; a logout is remembered (in
// memory, by nonce) until the session would have expired.
type sessions struct {
	key []byte
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	revoked map[string]time.Time // nonce → expiry
	pruned  time.Time            // when expired ones were last forgotten
}

func newSessions(token string, ttl time.Duration, now func() time.Time) *sessions {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("coding-relay console session v1"))
	return &sessions{key: m.Sum(nil), ttl: ttl, now: now, revoked: map[string]time.Time{}}
}

func (s *sessions) mac(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// issue is a new session's cookie value and when it expires.
func (s *sessions) issue() (string, time.Time) {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:]) // never fails (crypto/rand)
	exp := s.now().Add(s.ttl).Truncate(time.Second)
	payload := "1." + strconv.FormatInt(exp.Unix(), 10) + "." + hex.EncodeToString(nonce[:])
	return payload + "." + s.mac(payload), exp
}

// check returns the nonce and expiry of a valid, unexpired, not logged-out
// session value.
func (s *sessions) check(v string) (nonce string, exp time.Time, ok bool) {
	i := strings.LastIndexByte(v, '.')
	if i < 0 {
		return "", time.Time{}, false
	}
	payload, mac := v[:i], v[i+1:]
	if !hmac.Equal([]byte(mac), []byte(s.mac(payload))) {
		return "", time.Time{}, false
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 || parts[0] != "1" {
		return "", time.Time{}, false
	}
	sec, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", time.Time{}, false
	}
	exp = time.Unix(sec, 0)
	if !s.now().Before(exp) {
		return "", time.Time{}, false
	}
	s.mu.Lock()
	_, out := s.revoked[parts[2]]
	s.mu.Unlock()
	return parts[2], exp, !out
}

// revoke ends the session of a cookie value.
func (s *sessions) revoke(v string) {
	nonce, exp, ok := s.check(v)
	if !ok {
		return
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.revoked) >= maxRevoked || now.Sub(s.pruned) > time.Minute {
		s.pruned = now
		for n, e := range s.revoked {
			if !now.Before(e) {
				delete(s.revoked, n)
			}
		}
	}
	for len(s.revoked) >= maxRevoked {
		var first string
		for n, e := range s.revoked {
			if first == "" || e.Before(s.revoked[first]) {
				first = n
			}
		}
		delete(s.revoked, first)
	}
	s.revoked[nonce] = exp
}

// secure reports a request that reached the relay over TLS, directly or
// through a proxy saying so (X-Forwarded-Proto: https). The header is
// believed from any address: Secure only keeps the cookie off plain HTTP,
// so a client claiming TLS can only lock itself out.
func secure(ctx echo.Context) bool {
	proto := ctx.Request().Header.Values("X-Forwarded-Proto")
	return ctx.IsTLS() || ctx.Scheme() == "https" ||
		(len(proto) > 0 && strings.EqualFold(strings.TrimSpace(proto[len(proto)-1]), "https"))
}

// cookie is the session cookie carrying v until exp; an empty v clears it.
func cookie(ctx echo.Context, v string, exp time.Time) *http.Cookie {
	ck := &http.Cookie{Name: cookieName, Value: v, Path: "/console", Expires: exp,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(ctx)}
	if v == "" {
		ck.MaxAge, ck.Expires = -1, time.Unix(0, 0)
	}
	return ck
}
