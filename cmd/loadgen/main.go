// Command loadgen measures the relay: it starts a local robot that answers
// errcode 0, starts the relay binary pointed at it (pacing off, durable queue
// in a temporary directory), drives POST /webhook with signed events at a
// given concurrency or rate, and reports accepted events/s, intake latency
// percentiles, end-to-end delivered events/s, the relay's CPU time per
// event and its peak RSS.
//
//	go build -o /tmp/coding-relay ./cmd/coding-relay
//	go run ./cmd/loadgen -relay /tmp/coding-relay -n 20000 -c 16
//	go run ./cmd/loadgen -relay /tmp/coding-relay -n 10000 -c 16 -rate 1000
//
// With -redis it starts a redis-server of its own (free loopback port, AOF
// on, in the temporary directory) and -replicas relays sharing it; requests
// go to the replicas in turn:
//
//	go run ./cmd/loadgen -relay /tmp/coding-relay -redis $(command -v redis-server) -replicas 2 -n 20000 -c 16
//
// Many robots (README, "Scale"): -robots 1000 -down makes every robot a
// closed port, so all events stay queued; -restart 15s restarts the relays
// after intake and follows their RSS; -idle 60s reports their CPU time per
// minute (and Redis's commands per second) while nothing happens; -commits
// 1000 makes the push carry that many commits:
//
//	go run ./cmd/loadgen -relay /tmp/coding-relay -robots 1000 -down -n 150 -c 4 -restart 15s
//	go run ./cmd/loadgen -relay /tmp/coding-relay -redis $(command -v redis-server) -robots 1000 -n 0 -idle 60s
//
// Other payloads: -payload templates/samples/merge_request-create.json
// (the event is the file's name up to the first "-", or -event). The
// relay's CPU profile of the whole run, from a build with -tags pprof:
//
//	go build -tags pprof -o /tmp/coding-relay-pprof ./cmd/coding-relay
//	go run ./cmd/loadgen -relay /tmp/coding-relay-pprof -relay-cpuprofile /tmp/relay.pprof
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/coding"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := realMain(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type options struct {
	relay    string
	n, c     int
	rate     float64
	robots   int
	payload  string
	event    string
	timeout  time.Duration
	keepData bool
	inflight int
	profile  string
	relayCPU string
	redis    string
	replicas int
	fsync    string
	down     bool
	restart  time.Duration
	idle     time.Duration
	commits  int
}

func realMain(ctx context.Context) error {
	var o options
	flag.StringVar(&o.relay, "relay", "", "path of the coding-relay binary to start (required)")
	flag.IntVar(&o.n, "n", 20000, "events to send")
	flag.IntVar(&o.c, "c", 16, "concurrent connections")
	flag.Float64Var(&o.rate, "rate", 0, "events per second across all connections (0 = as fast as possible)")
	flag.IntVar(&o.robots, "robots", 1, "robots each event is delivered to (alternating DingTalk and WeCom)")
	flag.StringVar(&o.payload, "payload", "", "payload file (default: the embedded push sample)")
	flag.StringVar(&o.event, "event", "", "the X-Coding-Event header (default: the payload file's name up to the first -, as templates/samples names them, when that is an event; else push)")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up waiting for deliveries after this")
	flag.BoolVar(&o.keepData, "keep", false, "keep the relay's data directory")
	flag.StringVar(&o.profile, "cpuprofile", "", "write the load generator's own CPU profile here")
	flag.StringVar(&o.relayCPU, "relay-cpuprofile", "", "write the (first) relay's CPU profile of the whole run here; the relay must be built with -tags pprof")
	flag.IntVar(&o.inflight, "inflight", 1, "the robots' inflight= (sends under way at once; 1 keeps each group's order)")
	flag.StringVar(&o.redis, "redis", "", "path of a redis-server binary: run the relays on a Redis of their own instead of bbolt")
	flag.IntVar(&o.replicas, "replicas", 1, "relay processes sharing the Redis (with -redis); requests go to them in turn")
	flag.StringVar(&o.fsync, "fsync", "everysec", "the Redis AOF's appendfsync: always or everysec")
	flag.BoolVar(&o.down, "down", false, "the robots cannot be reached (a closed port): everything stays queued, nothing is waited for")
	flag.DurationVar(&o.restart, "restart", 0, "after intake, restart the relays and follow their RSS for this long after they are ready")
	flag.DurationVar(&o.idle, "idle", 0, "at the end, leave the relays idle this long and report their CPU time per minute (and Redis's commands per second)")
	flag.IntVar(&o.commits, "commits", 0, "make the push payload carry this many commits (copies of its first, with their own IDs)")
	flag.Parse()
	if o.relay == "" {
		flag.Usage()
		return errors.New("-relay is required")
	}
	if o.replicas < 1 || o.replicas > 1 && o.redis == "" {
		return errors.New("-replicas above 1 needs -redis")
	}
	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	payload, err := loadPayload(o.payload)
	if err != nil {
		return err
	}
	if o.commits > 0 {
		if payload, err = withCommits(payload, o.commits); err != nil {
			return err
		}
	}
	event := o.event
	if event == "" {
		event = "push"
		if n := coding.SampleEventName(o.payload); o.payload != "" && slices.Contains(translate.Events, coding.CanonicalEvent(n)) {
			event = n
		} else if o.payload != "" {
			fmt.Fprintf(os.Stderr, "loadgen: no event in the name of %s; sending it as push (set -event)\n", o.payload)
		}
	}

	// The robot: answers like DingTalk/WeCom, counts every message.
	var delivered atomic.Int64
	var lastDelivery atomic.Int64
	sink := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		delivered.Add(1)
		lastDelivery.Store(time.Now().UnixNano())
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	})}
	sinkLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = sink.Serve(sinkLn) }()
	defer sink.Close()

	dir, err := os.MkdirTemp("", "loadgen-")
	if err != nil {
		return err
	}
	if !o.keepData {
		defer os.RemoveAll(dir)
	}
	robotAddr := sinkLn.Addr().String()
	if o.down {
		if robotAddr, err = closedPort(); err != nil {
			return err
		}
	}
	var robots []string
	for i := range o.robots {
		if i%2 == 0 {
			robots = append(robots, fmt.Sprintf("dingtalk+http://%s/robot/send?access_token=load%d&inflight=%d", robotAddr, i, o.inflight))
		} else {
			robots = append(robots, fmt.Sprintf("wecom+http://%s/cgi-bin/webhook/send?key=load%d&inflight=%d", robotAddr, i, o.inflight))
		}
	}
	const token = "loadgen-token"
	env := append(os.Environ(), "RELAY_ROBOTS="+strings.Join(robots, " "), "RELAY_RATE_LIMIT=0",
		"RELAY_CODING_TOKEN="+token, "RELAY_LOG_LEVEL=warn")
	var pids []int
	var srv *redistest.Server
	if o.redis != "" {
		srv, err = redistest.Launch(o.redis, dir, "--appendfsync", o.fsync)
		if err != nil {
			return err
		}
		defer srv.Stop()
		env = append(env, "RELAY_REDIS_URL="+srv.URL)
		if pid, err := srv.Pid(); err == nil {
			pids = append(pids, pid)
		}
	}
	if o.relayCPU != "" {
		// Registered before the relays' stops, so it runs after them.
		defer func() {
			if st, err := os.Stat(o.relayCPU); err != nil || st.Size() == 0 {
				fmt.Fprintln(os.Stderr, "loadgen: the relay wrote no CPU profile; build it with -tags pprof")
			}
		}()
	}
	var bases []string
	var relayPIDs []int
	var stops []func()
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	// start runs the relays and waits until they are ready.
	start := func() error {
		bases, relayPIDs, stops = nil, nil, nil
		for r := range o.replicas {
			port, err := freePort()
			if err != nil {
				return err
			}
			addr := "127.0.0.1:" + strconv.Itoa(port)
			cmd := exec.CommandContext(ctx, o.relay)
			// Interrupted, the relay is stopped as at the end of a run (a
			// profile is written), not killed.
			cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
			cmd.WaitDelay = 30 * time.Second
			cmd.Env = append(env, "RELAY_ADDR="+addr, "RELAY_DATA_DIR="+filepath.Join(dir, fmt.Sprintf("data%d", r)))
			if r == 0 && o.relayCPU != "" {
				cmd.Env = append(cmd.Env, "RELAY_CPUPROFILE="+o.relayCPU)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				return fmt.Errorf("starting relay: %w", err)
			}
			stops = append(stops, func() {
				_ = cmd.Process.Signal(syscall.SIGTERM)
				_ = cmd.Wait()
			})
			base := "http://" + addr
			if err := waitReady(ctx, base+"/readyz"); err != nil {
				return err
			}
			bases = append(bases, base)
			relayPIDs = append(relayPIDs, cmd.Process.Pid)
		}
		return nil
	}
	if err := start(); err != nil {
		return err
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.c, MaxConnsPerHost: o.c}, Timeout: 10 * time.Second}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write(payload)
	sig := "sha1=" + hex.EncodeToString(mac.Sum(nil))

	var next atomic.Int64
	var failed atomic.Int64
	lat := make([][]time.Duration, o.c)
	var tick <-chan time.Time
	if o.rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / o.rate))
		defer t.Stop()
		tick = t.C
	}
	rss := make([]*peak, len(relayPIDs))
	rssCtx, rssStop := context.WithCancel(ctx)
	for i, pid := range relayPIDs {
		rss[i] = &peak{}
		go rss[i].watch(rssCtx, pid)
	}
	var redisRSS peak
	for _, pid := range pids {
		go redisRSS.watch(rssCtx, pid)
	}

	cpu0 := make([]time.Duration, len(relayPIDs))
	for i, pid := range relayPIDs {
		cpu0[i] = processCPU(pid)
	}
	begin := time.Now()
	var wg sync.WaitGroup
	for w := range o.c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(o.n) || ctx.Err() != nil {
					return
				}
				if tick != nil {
					<-tick
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, bases[int(i)%len(bases)]+"/webhook", bytes.NewReader(payload))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Coding-Event", event)
				req.Header.Set("X-Coding-Delivery", fmt.Sprintf("load-%d-%d", begin.UnixNano(), i))
				req.Header.Set("X-Coding-Signature", sig)
				t0 := time.Now()
				resp, err := client.Do(req)
				d := time.Since(t0)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					failed.Add(1)
					continue
				}
				lat[w] = append(lat[w], d)
			}
		}()
	}
	wg.Wait()
	intake := time.Since(begin)
	deliveredDuringIntake := delivered.Load()
	want := int64(o.n-int(failed.Load())) * int64(o.robots)
	if o.down {
		want = 0
	}
	deadline := time.Now().Add(o.timeout)
	for delivered.Load() < want && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	rssStop()
	var cpu time.Duration
	for i, pid := range relayPIDs {
		cpu += processCPU(pid) - cpu0[i]
	}
	e2e := time.Duration(lastDelivery.Load() - begin.UnixNano())

	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	accepted := len(all)
	mode := "bbolt"
	if o.redis != "" {
		mode = fmt.Sprintf("redis (appendfsync %s), %d replicas", o.fsync, o.replicas)
	}
	fmt.Printf("events (%s): %d sent, %d accepted (202), %d failed; concurrency %d; rate %s; robots %d, inflight %d; store %s\n",
		event, o.n, accepted, failed.Load(), o.c, rateString(o.rate), o.robots, o.inflight, mode)
	fmt.Printf("intake: %.0f events/s accepted; latency p50 %s, p99 %s, max %s\n",
		float64(accepted)/intake.Seconds(), pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	fmt.Printf("delivery: %d of %d messages delivered; %.0f events/s end to end (first request to last delivery: %s)\n",
		delivered.Load(), want, float64(delivered.Load())/float64(o.robots)/e2e.Seconds(), e2e.Round(time.Millisecond))
	fmt.Printf("delivered while intake ran: %d (%.0f/s)\n", deliveredDuringIntake, float64(deliveredDuringIntake)/intake.Seconds())
	if accepted > 0 {
		fmt.Printf("relay CPU: %.2f s user+system from the first request to the last delivery, %.0f µs per accepted event\n",
			cpu.Seconds(), float64(cpu.Microseconds())/float64(accepted))
	}
	for i, p := range rss {
		fmt.Printf("relay %d peak RSS: %.1f MB (largest samples: %.1f MB anonymous, %.1f MB file-backed: the binary, and the bbolt map without -redis)\n",
			i+1, float64(p.max.Load())/(1<<20), float64(p.anon.Load())/(1<<20), float64(p.file.Load())/(1<<20))
	}
	if len(pids) > 0 {
		fmt.Printf("redis-server peak RSS: %.1f MB\n", float64(redisRSS.max.Load())/(1<<20))
	}
	if delivered.Load() < want {
		return fmt.Errorf("only %d of %d messages delivered", delivered.Load(), want)
	}
	if o.restart > 0 {
		for _, stop := range stops {
			stop()
		}
		if err := start(); err != nil {
			return err
		}
		rss := make([]*peak, len(relayPIDs))
		watchCtx, watchStop := context.WithTimeout(ctx, o.restart)
		var wg sync.WaitGroup
		for i, pid := range relayPIDs {
			rss[i] = &peak{}
			wg.Add(1)
			go func() { defer wg.Done(); rss[i].watch(watchCtx, pid) }()
		}
		wg.Wait()
		watchStop()
		for i, p := range rss {
			fmt.Printf("after a restart, relay %d peak RSS within %s of ready: %.1f MB (%.1f MB anonymous, %.1f MB file-backed)\n",
				i+1, o.restart, float64(p.max.Load())/(1<<20), float64(p.anon.Load())/(1<<20), float64(p.file.Load())/(1<<20))
		}
	}
	if o.idle > 0 {
		return idle(ctx, o.idle, relayPIDs, srv)
	}
	return nil
}

func rateString(r float64) string {
	if r == 0 {
		return "unlimited"
	}
	return fmt.Sprintf("%.0f/s", r)
}

func loadPayload(path string) ([]byte, error) {
	if path != "" {
		return os.ReadFile(path)
	}
	return templates.FS.ReadFile("samples/push-two-commits.json")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(ctx context.Context, u string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return errors.New("relay did not become ready within 30s")
}

// processCPU is the user and system time the process has used so far, from
// /proc/<pid>/stat (in clock ticks, 100 a second on Linux); 0 when it cannot
// be read. The relay's CPU per event is a steadier figure than events per
// second on a shared machine: the others' load slows the relay down but
// hardly changes the work it does for each event.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; the fields after it are
	// counted from its closing parenthesis. utime and stime are fields 14
	// and 15.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / 100)
}

// peak follows a process's resident set size from /proc (VmHWM is the
// kernel's own high-water mark, so short peaks between samples count too),
// and the largest anonymous (heap, stacks) and file-backed (the binary, the
// bbolt map) parts seen in the samples.
type peak struct{ max, anon, file atomic.Int64 }

func (p *peak) watch(ctx context.Context, pid int) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		p.sample(pid)
		select {
		case <-ctx.Done():
			p.sample(pid)
			return
		case <-t.C:
		}
	}
}

func (p *peak) sample(pid int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		switch name {
		case "VmHWM":
			storeMax(&p.max, kb*1024)
		case "RssAnon":
			storeMax(&p.anon, kb*1024)
		case "RssFile":
			storeMax(&p.file, kb*1024)
		}
	}
}

func storeMax(a *atomic.Int64, v int64) {
	if v > a.Load() {
		a.Store(v)
	}
}
