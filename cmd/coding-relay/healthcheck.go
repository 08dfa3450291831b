package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// healthcheckTimeout fails readably well before Docker kills a HEALTHCHECK (30 s).
const healthcheckTimeout = 3 * time.Second

// defaultAddr is what the relay listens on when RELAY_ADDR is unset.
const defaultAddr = ":8080"

// healthcheck GETs /healthz at addr, nil on 2xx: distroless has no curl. On
// success one line goes to stdout for `docker inspect`.
func healthcheck(ctx context.Context, addr string, stdout io.Writer) error {
	urls, err := healthzURLs(addr)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	client := &http.Client{
		// No proxy: the robots' HTTP_PROXY must not capture the local probe.
		Transport: &http.Transport{DisableKeepAlives: true},
		// /healthz never redirects; following one would probe something else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	var errs []error
	for _, u := range urls {
		status, answered, err := probe(ctx, client, u)
		if err == nil {
			fmt.Fprintf(stdout, "ok: GET %s: %s\n", u, status)
			return nil
		}
		errs = append(errs, err)
		if answered || ctx.Err() != nil {
			break // another loopback address would not change the verdict
		}
	}
	return fmt.Errorf("healthcheck: %w", errors.Join(errs...))
}

// probe GETs url, returning the status on 2xx and whether anything answered.
func probe(ctx context.Context, client *http.Client, url string) (status string, answered bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", false, fmt.Errorf("GET %s: %w", url, err)
	}
	req.Header.Set("User-Agent", "coding-relay-healthcheck")
	resp, err := client.Do(req)
	if err != nil {
		return "", false, err // it names the method and URL
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// An excerpt of the body makes a failing check self-explanatory.
		excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		msg := fmt.Sprintf("GET %s: unhealthy: %s", url, resp.Status)
		if b := strings.TrimSpace(string(excerpt)); b != "" {
			msg += ": " + b
		}
		return "", true, errors.New(msg)
	}
	return resp.Status, true, nil
}

// healthzURLs lists /healthz URLs for a listen address. A wildcard host tries
// 127.0.0.1 first (Go's "[::]" is dual-stack; IPv6 may be off), then [::1].
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
	// net.Listen takes a service name such as "http": resolve it alike.
	portNum, err := net.LookupPort("tcp", port)
	if err != nil {
		return nil, fmt.Errorf("listen address %q (RELAY_ADDR): port: %w", addr, err)
	}
	hosts := []string{host}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		hosts = []string{"127.0.0.1", "::1"}
		if ip.To4() != nil {
			hosts = hosts[:1]
		}
	}
	urls := make([]string, 0, len(hosts))
	for _, h := range hosts {
		urls = append(urls, "http://"+net.JoinHostPort(h, strconv.Itoa(portNum))+"/healthz")
	}
	return urls, nil
}

// pause waits the given duration for the chart's preStop hook (distroless: no sleep).
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
