package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheckTimeout bounds one `coding-relay healthcheck` run. Docker and
// docker-compose kill a HEALTHCHECK command after their own timeout (30 s by
// default); answering well before that gives a readable failure instead of a
// killed process.
const healthcheckTimeout = 3 * time.Second

// defaultAddr is what the relay listens on when RELAY_ADDR is unset.
const defaultAddr = ":8080"

// healthcheck asks the relay listening on addr (the value of RELAY_ADDR) for
// GET /healthz and returns nil on a 2xx answer. It exists because the
// distroless image has no shell, curl or wget for a Docker HEALTHCHECK.
//
// The relay may listen on every interface (":8080", "0.0.0.0:8080",
// "[::]:8080"); the probe then goes to loopback, which is the same
// instance. An explicit host is probed as given. The whole run is bounded
// by healthcheckTimeout or ctx, whichever ends first. One line goes to
// stdout on success so `docker inspect` shows what was probed.
func healthcheck(ctx context.Context, addr string, stdout io.Writer) error {
	urls, err := healthzURLs(addr)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()

	client := &http.Client{
		Transport: &http.Transport{
			// An HTTP_PROXY set for the relay's outbound robot calls must
			// not capture the probe of the local instance.
			Proxy:             nil,
			DisableKeepAlives: true,
		},
		// /healthz never redirects; following one would probe something else.
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	defer client.CloseIdleConnections()

	var errs []error
	for _, u := range urls {
		status, err := probe(ctx, client, u)
		if err == nil {
			fmt.Fprintf(stdout, "ok: GET %s: %s\n", u, status)
			return nil
		}
		errs = append(errs, err)
		var se *statusError
		if errors.As(err, &se) || ctx.Err() != nil {
			// Something answered, or time is up: another loopback
			// address would not change the verdict.
			break
		}
	}
	return fmt.Errorf("healthcheck: %w", errors.Join(errs...))
}

// statusError is a /healthz answer that was not 2xx.
type statusError struct {
	url    string
	status string
	body   string
}

// Error names the status the probe got.
func (e *statusError) Error() string {
	if e.body == "" {
		return fmt.Sprintf("GET %s: unhealthy: %s", e.url, e.status)
	}
	return fmt.Sprintf("GET %s: unhealthy: %s: %s", e.url, e.status, e.body)
}

// probe does one GET and returns the response status on 2xx.
func probe(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("GET %s: %w", url, err)
	}
	req.Header.Set("User-Agent", "coding-relay-healthcheck")
	resp, err := client.Do(req)
	if err != nil {
		// client.Do already names the method and URL.
		return "", err
	}
	defer resp.Body.Close()
	// A short excerpt of the body makes a failing check self-explanatory
	// in `docker inspect`; the rest is drained so the connection closes
	// cleanly.
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", &statusError{
			url:    url,
			status: resp.Status,
			body:   strings.TrimSpace(string(excerpt)),
		}
	}
	return resp.Status, nil
}

// healthzURLs turns a listen address into the /healthz URLs to try, in
// order. A wildcard host becomes loopback: 127.0.0.1 first, because Go
// listens dual-stack on "[::]" and IPv4 loopback exists even where IPv6 is
// disabled in the container, then [::1] for an IPv6-only listener.
func healthzURLs(addr string) ([]string, error) {
	if strings.TrimSpace(addr) == "" {
		addr = defaultAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q (RELAY_ADDR): %w", addr, err)
	}
	if port == "" || port == "0" {
		return nil, fmt.Errorf("listen address %q (RELAY_ADDR): no fixed port to probe", addr)
	}
	// A service name such as "http" is valid for net.Listen; resolve it
	// the same way so the probe hits the same port.
	portNum, err := net.LookupPort("tcp", port)
	if err != nil {
		return nil, fmt.Errorf("listen address %q (RELAY_ADDR): port: %w", addr, err)
	}
	port = fmt.Sprint(portNum)

	var hosts []string
	switch {
	case host == "":
		hosts = []string{"127.0.0.1", "::1"}
	case net.ParseIP(host) != nil && net.ParseIP(host).IsUnspecified():
		if net.ParseIP(host).To4() != nil {
			hosts = []string{"127.0.0.1"}
		} else {
			hosts = []string{"127.0.0.1", "::1"}
		}
	default:
		hosts = []string{host}
	}
	urls := make([]string, 0, len(hosts))
	for _, h := range hosts {
		urls = append(urls, "http://"+net.JoinHostPort(h, port)+"/healthz")
	}
	return urls, nil
}

// pause waits the given duration (5s), or until ctx ends: the chart's
// preStop hook, which the distroless image has no sleep for.
func pause(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: coding-relay pause DURATION (e.g. 5s)")
	}
	d, err := time.ParseDuration(args[0])
	if err != nil || d < 0 {
		return fmt.Errorf("pause: %q is not a duration such as 5s", args[0])
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return nil
}
