package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHealthzURLs(t *testing.T) {
	tests := []struct {
		addr    string
		want    []string
		wantErr string
	}{
		{addr: "", want: []string{"http://127.0.0.1:8080/healthz", "http://[::1]:8080/healthz"}},
		{addr: ":8080", want: []string{"http://127.0.0.1:8080/healthz", "http://[::1]:8080/healthz"}},
		{addr: "0.0.0.0:9000", want: []string{"http://127.0.0.1:9000/healthz"}},
		{addr: "[::]:8080", want: []string{"http://127.0.0.1:8080/healthz", "http://[::1]:8080/healthz"}},
		{addr: "127.0.0.1:8080", want: []string{"http://127.0.0.1:8080/healthz"}},
		{addr: "[::1]:8081", want: []string{"http://[::1]:8081/healthz"}},
		{addr: "localhost:8080", want: []string{"http://localhost:8080/healthz"}},
		{addr: "10.1.2.3:80", want: []string{"http://10.1.2.3:80/healthz"}},
		{addr: ":http", want: []string{"http://127.0.0.1:80/healthz", "http://[::1]:80/healthz"}},
		{addr: "8080", wantErr: "missing port"},
		{addr: ":", wantErr: "no fixed port"},
		{addr: ":0", wantErr: "no fixed port"},
		{addr: ":no-such-service-xyz", wantErr: "port"},
		{addr: "[::1:8080", wantErr: "RELAY_ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := healthzURLs(tt.addr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("healthzURLs(%q) error = %v, want one containing %q", tt.addr, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("healthzURLs(%q): %v", tt.addr, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("healthzURLs(%q) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

// fakeRelay serves /healthz with the given handler on 127.0.0.1 and returns
// the port it listens on.
func fakeRelay(tb testing.TB, h http.HandlerFunc) string {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", h)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	return port
}

func TestHealthcheck(t *testing.T) {
	ok := func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }
	noContent := func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }
	down := func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "draining", http.StatusServiceUnavailable)
	}
	redirect := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}

	tests := []struct {
		name    string
		handler http.HandlerFunc
		host    string // joined with the fake relay's port into RELAY_ADDR
		wantErr string // empty: healthy
	}{
		{name: "port only", handler: ok, host: ""},
		{name: "ipv4 wildcard", handler: ok, host: "0.0.0.0"},
		{name: "ipv6 wildcard falls back to ipv4 loopback", handler: ok, host: "::"},
		{name: "explicit loopback", handler: ok, host: "127.0.0.1"},
		{name: "204 is healthy", handler: noContent, host: ""},
		{name: "503 names status and body", handler: down, host: "", wantErr: "503 Service Unavailable: draining"},
		{name: "redirect is not followed", handler: redirect, host: "", wantErr: "302 Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := fakeRelay(t, tt.handler)
			var out bytes.Buffer
			err := healthcheck(t.Context(), net.JoinHostPort(tt.host, port), &out)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("healthcheck: %v", err)
				}
				if !strings.HasPrefix(out.String(), "ok: GET http://127.0.0.1:"+port+"/healthz") {
					t.Errorf("stdout = %q, want an ok line naming the URL", out.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("healthcheck error = %v, want one containing %q", err, tt.wantErr)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q on failure, want nothing", out.String())
			}
		})
	}
}

func TestHealthcheckNothingListening(t *testing.T) {
	// Reserve a port, then free it so nothing answers there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	err = healthcheck(t.Context(), addr, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("healthcheck error = %v, want connection refused", err)
	}
}

func TestHealthcheckIPv6Loopback(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	// An IPv6-only listener on the wildcard: 127.0.0.1 is refused, [::1]
	// answers.
	var out bytes.Buffer
	if err := healthcheck(t.Context(), "[::]:"+port, &out); err != nil {
		t.Fatalf("healthcheck: %v", err)
	}
	if !strings.Contains(out.String(), "http://[::1]:"+port+"/healthz") {
		t.Errorf("stdout = %q, want the [::1] URL", out.String())
	}
}

func TestHealthcheckTimeout(t *testing.T) {
	release := make(chan struct{})
	port := fakeRelay(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	// Unblock the handler before the server closes (cleanups run last in,
	// first out).
	t.Cleanup(func() { close(release) })

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := healthcheck(ctx, ":"+port, &bytes.Buffer{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("healthcheck error = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > healthcheckTimeout {
		t.Errorf("healthcheck took %v, want it bounded by the context", elapsed)
	}
}
