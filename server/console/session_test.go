package console

import (
	"strings"
	"testing"
	"time"
)

func TestSessionsExpireAndRevoke(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	s := newSessions("token-a", time.Hour, clock, nil)
	v, exp := s.issue()
	if !exp.Equal(now.Add(time.Hour)) || strings.Contains(v, "token-a") {
		t.Fatalf("issued %q expiring %v", v, exp)
	}
	if _, _, ok := s.check(v); !ok {
		t.Fatal("a fresh session does not check")
	}
	if _, _, ok := newSessions("token-b", time.Hour, clock, nil).check(v); ok {
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
