package store_test

import (
	"testing"
	"time"
)

// Logged-out sessions are remembered across a reopen until they would have
// expired, then forgotten, so the bucket holds one session lifetime's
// logouts at most.
func TestRevokedSessionsLastUntilTheyExpire(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	for _, tc := range []struct {
		id    string
		until time.Time
	}{{"live", time.Now().Add(time.Hour)}, {"gone", time.Now().Add(-time.Second)}, {"other", time.Now().Add(time.Hour)}} {
		if err := st.RevokeSession(tc.id, tc.until); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.Close()
	st = openStore(t, dir)
	defer st.Close()
	for id, want := range map[string]bool{"live": true, "other": true, "gone": false, "never": false} {
		if got, err := st.SessionRevoked(id); err != nil || got != want {
			t.Errorf("SessionRevoked(%q) = %v, %v; want %v", id, got, err, want)
		}
	}
}
