package server_test

import (
	"net/http"
	"testing"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/server/store/redis"
	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
)

// overview is the status of GET /console/api/overview with the cookie.
func (r *testRelay) overview(tb testing.TB, cookie string) int {
	tb.Helper()
	return r.consoleCall(tb, http.MethodGet, "/console/api/overview", "", map[string]string{"Cookie": cookie}).status
}

func (r *testRelay) logout(tb testing.TB, cookie string) {
	tb.Helper()
	if a := r.consoleCall(tb, http.MethodPost, "/console/api/logout", "{}", map[string]string{"Cookie": cookie}); a.status != http.StatusOK {
		tb.Fatalf("logout: %d %s", a.status, a.raw)
	}
}

// A logged-out cookie stays logged out after the relay restarts on its
// bbolt file, while a session that was not logged out goes on.
func TestConsoleLogoutSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ding := newFakeRobot(t, nil)
	r := consoleRelay(t, ding, map[string]string{"RELAY_DATA_DIR": dir})
	out, kept := r.login(t), r.login(t)
	r.logout(t, out)
	r.stop(t)
	r = consoleRelay(t, ding, map[string]string{"RELAY_DATA_DIR": dir})
	if st := r.overview(t, out); st != http.StatusUnauthorized {
		t.Errorf("the logged-out cookie after a restart: %d, want 401", st)
	}
	if st := r.overview(t, kept); st != http.StatusOK {
		t.Errorf("another session after a restart: %d, want 200", st)
	}
}

// With Redis, a logout on one replica ends the session on every other.
func TestConsoleLogoutReachesEveryReplica(t *testing.T) {
	srv := redistest.Start(t)
	ding := newFakeRobot(t, nil)
	overRedis := func(bolt *store.Store) queue.Store {
		_ = bolt.Close()
		rs, err := redis.Open(srv.URL, redis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	a := newTestRelayOver(t, withConsole(t, ding, nil), overRedis)
	b := newTestRelayOver(t, withConsole(t, ding, nil), overRedis)
	session := a.login(t)
	if st := b.overview(t, session); st != http.StatusOK {
		t.Fatalf("a session on the other replica: %d, want 200", st)
	}
	a.logout(t, session)
	if st := b.overview(t, session); st != http.StatusUnauthorized {
		t.Errorf("the logged-out cookie on the other replica: %d, want 401", st)
	}
}
