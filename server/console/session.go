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

const cookieName = "relay_console"

// Revocations keeps logouts until expiry across restarts and replicas (the store).
type Revocations interface {
	// RevokeSession remembers session id as logged out until it expires.
	RevokeSession(id string, until time.Time) error
	// SessionRevoked reports whether session id was logged out.
	SessionRevoked(id string) (bool, error)
}

// sessions issues and checks cookies "1.<expiry unix>.<nonce>.<MAC>", the MAC
// an HMAC-SHA256 keyed from RELAY_ADMIN_TOKEN: valid across restarts and
// replicas, all ended by a token change. Logouts are stored by nonce.
type sessions struct {
	key     []byte
	ttl     time.Duration
	now     func() time.Time
	revoked Revocations
}

func newSessions(token string, ttl time.Duration, now func() time.Time, revoked Revocations) *sessions {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("coding-relay console session v1"))
	if revoked == nil {
		revoked = &memRevocations{}
	}
	return &sessions{key: m.Sum(nil), ttl: ttl, now: now, revoked: revoked}
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

// check returns the nonce and expiry of a valid, live, not logged-out session.
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
	// A store error counts as a logout: a session must not outlive an unseen one.
	out, err := s.revoked.SessionRevoked(parts[2])
	return parts[2], exp, err == nil && !out
}

func (s *sessions) revoke(v string) error {
	nonce, exp, ok := s.check(v)
	if !ok {
		return nil
	}
	return s.revoked.RevokeSession(nonce, exp)
}

// memRevocations keeps logouts in memory (nonce → expiry) for a dry run.
type memRevocations struct{ m sync.Map }

func (r *memRevocations) RevokeSession(id string, until time.Time) error {
	r.m.Range(func(k, exp any) bool {
		if time.Now().After(exp.(time.Time)) {
			r.m.Delete(k)
		}
		return true
	})
	r.m.Store(id, until)
	return nil
}

func (r *memRevocations) SessionRevoked(id string) (bool, error) {
	_, ok := r.m.Load(id)
	return ok, nil
}

// secure reports TLS, direct or per X-Forwarded-Proto: https from anyone: a
// client falsely claiming TLS can only lock itself out.
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
