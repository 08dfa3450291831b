package console

import (
	"strings"
	"testing"
	"time"
)

func TestSessionsExpireAndRevoke(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	s := newSessions("token-a", time.Hour, clock)
	v, exp := s.issue()
	if !exp.Equal(now.Add(time.Hour)) || strings.Contains(v, "token-a") {
		t.Fatalf("issued %q expiring %v", v, exp)
	}
	if _, _, ok := s.check(v); !ok {
		t.Fatal("a fresh session does not check")
	}
	if _, _, ok := newSessions("token-b", time.Hour, clock).check(v); ok {
		t.Error("a session checks under another token")
	}
	for _, bad := range []string{"", "x", v + "x", strings.Replace(v, "1.", "2.", 1), v[:len(v)-2]} {
		if _, _, ok := s.check(bad); ok {
			t.Errorf("%q checks", bad)
		}
	}
	now = now.Add(time.Hour)
	if _, _, ok := s.check(v); ok {
		t.Error("an expired session checks")
	}
	now = now.Add(-30 * time.Minute)
	w, _ := s.issue()
	s.revoke(v)
	if _, _, ok := s.check(v); ok {
		t.Error("a logged-out session checks")
	}
	if _, _, ok := s.check(w); !ok {
		t.Error("logging out one session ended another")
	}
}

func TestRevokedSessionsAreBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := newSessions("t", time.Hour, func() time.Time { return now })
	for range maxRevoked + 5 {
		v, _ := s.issue()
		s.revoke(v)
		now = now.Add(time.Millisecond)
	}
	if n := len(s.revoked); n > maxRevoked {
		t.Fatalf("%d revoked sessions remembered, bound %d", n, maxRevoked)
	}
	now = now.Add(2 * time.Hour)
	v, _ := s.issue()
	s.revoke(v)
	if n := len(s.revoked); n != 1 {
		t.Fatalf("%d revoked sessions remembered after the others expired, want 1: expired ones are forgotten", n)
	}
}
