package console

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

func TestLoginLimiter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLoginLimiter(func() time.Time { return now })
	for i := range loginPerClient {
		if w := l.wait("a"); w != 0 {
			t.Fatalf("attempt %d waits %v", i+1, w)
		}
		l.fail("a")
		now = now.Add(time.Second)
	}
	if w := l.wait("a"); w <= 0 || w > loginWindow {
		t.Fatalf("after %d failures the wait is %v", loginPerClient, w)
	}
	if w := l.wait("b"); w != 0 {
		t.Fatalf("another client waits %v", w)
	}
	now = now.Add(loginWindow)
	if w := l.wait("a"); w != 0 {
		t.Fatalf("a minute later the wait is %v", w)
	}
	// Failures from any number of other addresses never make one wait,
	// also past the addresses tracked.
	for i := range maxClients + 10 {
		l.fail(fmt.Sprint("client-", i))
	}
	if w := l.wait("fresh"); w != 0 || len(l.client) > maxClients {
		t.Fatalf("after failures from %d clients a new one waits %v (%d tracked)", maxClients+10, w, len(l.client))
	}
}

func TestTokenMatches(t *testing.T) {
	if !tokenMatches("s3cret", "s3cret") || tokenMatches("s3cre", "s3cret") || tokenMatches("", "") || tokenMatches("x", "") {
		t.Fatal("tokenMatches")
	}
}

func TestFromHere(t *testing.T) {
	for _, c := range []struct {
		origin, host, fwd, site string
		want                    bool
	}{
		{"http://relay:8080", "relay:8080", "", "", true},
		{"https://relay.example.com", "relay.example.com:443", "", "", true},
		{"http://RELAY:8080", "relay:8080", "", "", true},
		{"https://relay.example.com", "10.0.0.5:8080", "relay.example.com", "", true},
		{"https://relay.example.com", "10.0.0.5:8080", "relay.example.com, other", "", true},
		{"https://evil.example", "relay:8080", "", "", false},
		{"https://evil.example", "relay:8080", "relay", "", false},
		{"null", "relay:8080", "", "", false},
		{"file://relay:8080", "relay:8080", "", "", false},
		{"", "relay:8080", "", "same-origin", true},
		{"", "relay:8080", "", "same-site", false},
		{"", "relay:8080", "", "", false},
	} {
		r := httptest.NewRequest("POST", "http://"+c.host+"/console/api/render", nil)
		r.Host = c.host
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if c.fwd != "" {
			r.Header.Set("X-Forwarded-Host", c.fwd)
		}
		if c.site != "" {
			r.Header.Set("Sec-Fetch-Site", c.site)
		}
		if got := fromHere(r); got != c.want {
			t.Errorf("Origin %q to %s (forwarded %q, Sec-Fetch-Site %q): %v, want %v", c.origin, c.host, c.fwd, c.site, got, c.want)
		}
	}
}
