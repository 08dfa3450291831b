package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
)

// idle leaves the relays alone for d and reports the CPU time they used
// per minute and, with Redis, the commands Redis processed per second
// (INFO stats, less the two INFO calls). It starts counting after 10 s, when
// what started them (the lanes' first reads) is over.
func idle(ctx context.Context, d time.Duration, relays []int, srv *redistest.Server) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Second):
	}
	commands := func() int64 { return 0 }
	if srv != nil {
		c := goredis.NewClient(&goredis.Options{Addr: srv.Addr})
		defer c.Close()
		commands = func() int64 {
			info, _ := c.Info(ctx, "stats").Result()
			for _, line := range strings.Split(info, "\r\n") {
				if v, ok := strings.CutPrefix(line, "total_commands_processed:"); ok {
					n, _ := strconv.ParseInt(v, 10, 64)
					return n
				}
			}
			return 0
		}
	}
	cpu0 := make([]time.Duration, len(relays))
	for i, pid := range relays {
		cpu0[i] = processCPU(pid)
	}
	cmd0 := commands()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
	}
	cmds := commands() - cmd0 - 1
	for i, pid := range relays {
		fmt.Printf("idle for %s: relay %d used %.3f CPU-seconds a minute\n", d, i+1, (processCPU(pid)-cpu0[i]).Seconds()/d.Minutes())
	}
	if srv != nil {
		fmt.Printf("idle for %s: Redis processed %.1f commands a second\n", d, float64(cmds)/d.Seconds())
	}
	return nil
}

// closedPort is a loopback address nothing listens on: a robot there
// cannot be reached (the connection is refused).
func closedPort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// withCommits makes a push payload carry n commits: copies of its first,
// each with its own ID.
func withCommits(payload []byte, n int) ([]byte, error) {
	var p map[string]any
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, err
	}
	commits, _ := p["commits"].([]any)
	if len(commits) == 0 {
		return nil, errors.New("-commits: the payload has no commits")
	}
	out := make([]any, n)
	for i := range out {
		c := maps.Clone(commits[0].(map[string]any))
		c["id"] = fmt.Sprintf("%040x", i+1)
		c["message"] = fmt.Sprintf("commit %d: %v", i+1, c["message"])
		out[i] = c
	}
	p["commits"] = out
	return json.Marshal(p)
}
