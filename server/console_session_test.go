package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
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

// loginFrom posts a login with token from the client address addr.
func (r *testRelay) loginFrom(tb testing.TB, addr, token string) consoleAnswer {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, r.srv.URL+"/console/api/login", strings.NewReader(`{"token":"`+token+`"}`))
	req.RemoteAddr = addr
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", r.srv.URL)
	rec := httptest.NewRecorder()
	r.handler.ServeHTTP(rec, req)
	return consoleAnswer{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
}

// Wrong logins from many addresses, far more than a minute's worth, lock
// out only the addresses they came from (an IPv6 client by its /64): the
// right token from any other address gets in.
func TestConsoleLoginFloodDoesNotLockOutTheAdmin(t *testing.T) {
	r := consoleRelay(t, newFakeRobot(t, nil), nil)
	for i := range 60 {
		addr := fmt.Sprintf("198.51.100.%d:4000", i%12)
		if i%2 == 1 {
			addr = fmt.Sprintf("[2001:db8:0:%d::%d]:4000", i%12, i)
		}
		if a := r.loginFrom(t, addr, "wrong-token"); a.status != http.StatusUnauthorized {
			t.Fatalf("wrong login %d from %s: %d %s", i, addr, a.status, a.raw)
		}
	}
	if a := r.loginFrom(t, "198.51.100.2:4000", adminToken); a.status != http.StatusTooManyRequests {
		t.Errorf("an address past its failures: %d, want 429", a.status)
	}
	if a := r.loginFrom(t, "[2001:db8:0:1::ffff]:4000", adminToken); a.status != http.StatusTooManyRequests {
		t.Errorf("another address of a /64 past its failures: %d, want 429", a.status)
	}
	for _, addr := range []string{"203.0.113.7:5000", "[2001:db8:1::7]:5000"} {
		if a := r.loginFrom(t, addr, adminToken); a.status != http.StatusOK {
			t.Errorf("the right token from %s after the flood: %d %s, want 200", addr, a.status, a.raw)
		}
	}
}
