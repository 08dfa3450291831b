package main

// End-to-end runs of several relay processes sharing one redis-server (on a
// free loopback port, AOF on, appendfsync always), against the robot
// simulator. They need RELAY_E2E_ROBOTSIM and redis-server; without the
// latter they are skipped, unless RELAY_REQUIRE_REDIS is set (CI).

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
)

// startReplicas starts a redis-server and n relays sharing it, each with a
// data directory of its own, one after the other (the first takes the
// robots' leases).
func (e *e2eEnv) startReplicas(tb testing.TB, n int, extra ...string) (*redistest.Server, []*relayProc) {
	tb.Helper()
	srv := redistest.Start(tb)
	var out []*relayProc
	for range n {
		out = append(out, e.startRelay(tb, tb.TempDir(), append([]string{"RELAY_REDIS_URL=" + srv.URL}, extra...)...))
	}
	return srv, out
}

// tryPost posts a signed push and returns the status (0: no connection).
func (p *relayProc) tryPost(delivery string, body []byte) int {
	req, _ := http.NewRequest(http.MethodPost, p.url+"/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Coding-Event", "push")
	req.Header.Set("X-Coding-Delivery", delivery)
	m := hmac.New(sha1.New, []byte(e2eHookToken))
	m.Write(body)
	req.Header.Set("X-Coding-Signature", "sha1="+hex.EncodeToString(m.Sum(nil)))
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

var markerRE = regexp.MustCompile(`burst-marker-(\d+)`)

// markers counts, per event number, the messages a robot showed it in, and
// lists them in the order shown.
func markers(msgs []simMessage, robot string) (map[int]int, []int) {
	count := map[int]int{}
	var order []int
	for _, m := range msgs {
		if m.Robot != robot {
			continue
		}
		for _, g := range markerRE.FindAllStringSubmatch(string(m.Body), -1) {
			n, _ := strconv.Atoi(g[1])
			count[n]++
			order = append(order, n)
		}
	}
	return count, order
}

func noRejections(tb testing.TB, env *e2eEnv) {
	tb.Helper()
	for id, r := range env.stats(tb).Robots {
		if len(r.Rejected) != 0 {
			tb.Errorf("%s rejected %v", id, r.Rejected)
		}
	}
}

// TestE2ERedisBurstOverTwoReplicas: a burst split over two replicas to
// robots limited to 5 messages per 5 s is coalesced on the shared backlog
// and paced by the shared window: the robots reject nothing and every
// event is visible within about one window per digest.
func TestE2ERedisBurstOverTwoReplicas(t *testing.T) {
	env := startSim(t, requireSim(t), "-limit", "5", "-window", "5s", "-secret", e2eDingToken+"="+e2eDingSecret)
	_, relays := env.startReplicas(t, 2, "RELAY_RATE_LIMIT=5/5s")
	start := time.Now()
	for i := range 60 {
		relays[i%2].post(t, "push", "burst-"+strconv.Itoa(i), pushBody(i))
	}
	var vd, vw int
	eventually(t, 30*time.Second, "all 60 visible on both robots", func() bool {
		m := env.messages(t)
		vd, vw = visible(m, simDing, 60), visible(m, simWeCom, 60)
		return vd == 60 && vw == 60
	})
	noRejections(t, env)
	s := env.stats(t)
	t.Logf("60 pushes over two replicas visible after %s in %d DingTalk and %d WeCom messages",
		time.Since(start).Round(100*time.Millisecond), s.Robots[simDing].Accepted, s.Robots[simWeCom].Accepted)
}

// TestE2ERedisDedupAndOrder: the same delivery ID posted to both replicas
// gives one message, and events posted alternately to two replicas reach
// the robot in posting order; either replica's console history lists what
// both sent. The Redis password (RELAY_REDIS_PASSWORD) never shows in a
// log.
func TestE2ERedisDedupAndOrder(t *testing.T) {
	const password = "e2e-redis-Passw0rd"
	env := startSim(t, requireSim(t), "-limit", "0", "-secret", e2eDingToken+"="+e2eDingSecret)
	srv := redistest.Start(t, "--requirepass", password)
	var relays []*relayProc
	// Registered first, so it runs after the relays have stopped.
	t.Cleanup(func() {
		for _, r := range relays {
			if strings.Contains(r.logs.String(), password) {
				t.Error("a relay log shows the Redis password")
			}
		}
	})
	for range 2 {
		relays = append(relays, env.startRelay(t, t.TempDir(), "RELAY_RATE_LIMIT=0", "RELAY_REDIS_URL="+srv.URL, "RELAY_REDIS_PASSWORD="+password,
			"RELAY_ADMIN_TOKEN="+e2eAdminToken))
	}
	relays[0].post(t, "push", "same-id", pushBody(500))
	if status := relays[1].tryPost("same-id", pushBody(500)); status != http.StatusOK {
		t.Errorf("the same delivery ID at the other replica: %d, want 200 (a duplicate, nothing stored)", status)
	}
	for i := range 30 {
		relays[i%2].post(t, "push", "order-"+strconv.Itoa(i), pushBody(i))
	}
	// The last event follows the others in the robot's one queue: once it
	// is shown, so is anything stored before it, a second copy of 500
	// included.
	relays[1].post(t, "push", "order-last", pushBody(999))
	eventually(t, 30*time.Second, "32 events on DingTalk", func() bool {
		count, _ := markers(env.messages(t), simDing)
		return count[999] > 0
	})
	count, order := markers(env.messages(t), simDing)
	if count[500] != 1 {
		t.Errorf("the delivery posted to both replicas shown %d times", count[500])
	}
	want := []int{500}
	for i := range 30 {
		want = append(want, i)
	}
	want = append(want, 999)
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("DingTalk order %v, want %v", order, want)
	}
	noRejections(t, env)

	// Whichever replica sent them, each replica's console lists the 32
	// messages the DingTalk robot was sent.
	for i, r := range relays {
		var hist struct {
			Sent []struct {
				Robot string `json:"robot"`
				Items []struct {
					Delivery string `json:"delivery"`
				} `json:"items"`
			} `json:"sent"`
		}
		eventually(t, 10*time.Second, fmt.Sprintf("replica %d's history", i+1), func() bool {
			r.getJSON(t, "/console/api/deliveries?status=sent&robot=ding&limit=100", e2eAdminToken, &hist)
			return len(hist.Sent) == 32
		})
		seen := map[string]bool{}
		for _, e := range hist.Sent {
			for _, it := range e.Items {
				seen[it.Delivery] = true
			}
		}
		if !seen["same-id"] || !seen["order-0"] || !seen["order-1"] || !seen["order-last"] {
			t.Errorf("replica %d's history lacks deliveries of either replica: %v", i+1, seen)
		}
	}
}

// TestE2ERedisKillReplicaWithBacklog: a replica holding robots' leases
// and a backlog is killed with SIGKILL, mid-send, and never comes back; the
// other takes the robots over within the lease's 10 s and delivers all.
func TestE2ERedisKillReplicaWithBacklog(t *testing.T) {
	env := startSim(t, requireSim(t), "-limit", "0", "-secret", e2eDingToken+"="+e2eDingSecret)
	for _, robot := range []string{simDing, simWeCom} {
		env.simPost(t, "/_sim/fault?robot="+robot+"&mode=hang&n=0")
	}
	_, relays := env.startReplicas(t, 2, "RELAY_RATE_LIMIT=0")
	for i := range 10 {
		relays[i%2].post(t, "push", "kill-"+strconv.Itoa(i), pushBody(200+i))
	}
	env.waitHanging(t, simDing, simWeCom)
	// The victim is a replica holding leases (one may hold both robots'),
	// so that the survivor has to take them over.
	victim := relays[0]
	if relays[1].leasesHeld(t) > relays[0].leasesHeld(t) {
		victim = relays[1]
	}
	if victim.leasesHeld(t) == 0 {
		t.Fatal("no replica holds a lease while sends hang")
	}
	_ = victim.cmd.Process.Kill()
	_ = victim.cmd.Wait()
	killed := time.Now()
	env.simPost(t, "/_sim/reset")
	eventually(t, 40*time.Second, "all 10 delivered to both robots by the survivor", func() bool {
		m := env.messages(t)
		d, _ := markers(m, simDing)
		w, _ := markers(m, simWeCom)
		for i := range 10 {
			if d[200+i] == 0 || w[200+i] == 0 {
				return false
			}
		}
		return true
	})
	t.Logf("the survivor delivered the backlog %s after the kill", time.Since(killed).Round(100*time.Millisecond))
}

// TestE2ERedisRollingRestart: while events stream in, both replicas are
// restarted one after the other (SIGTERM, a new process with no local
// state), then Redis is killed and restarted. Every event that was
// accepted reaches both robots, with duplicates under 2 %.
func TestE2ERedisRollingRestart(t *testing.T) {
	env := startSim(t, requireSim(t), "-limit", "0", "-secret", e2eDingToken+"="+e2eDingSecret)
	srv, relays := env.startReplicas(t, 2, "RELAY_RATE_LIMIT=0")
	var mu sync.Mutex
	current := []*relayProc{relays[0], relays[1]}
	var accepted atomic.Int64
	stop := make(chan struct{})
	streamed := make(chan struct{})
	go func() {
		defer close(streamed)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			body, id := pushBody(1000+i), "stream-"+strconv.Itoa(i)
			// A client that retries until some replica accepts (CODING does
			// not; the test counts what was accepted either way).
			for try := 0; ; try++ {
				mu.Lock()
				p := current[(i+try)%2]
				mu.Unlock()
				if s := p.tryPost(id, body); s == http.StatusAccepted || s == http.StatusOK {
					accepted.Store(int64(i + 1))
					break
				}
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}
	}()
	restart := func(i int) {
		time.Sleep(time.Second)
		p := current[i]
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		_ = p.cmd.Wait()
		np := env.startRelay(t, t.TempDir(), "RELAY_RATE_LIMIT=0", "RELAY_REDIS_URL="+srv.URL)
		mu.Lock()
		current[i] = np
		mu.Unlock()
	}
	restart(0)
	restart(1)
	time.Sleep(time.Second)
	srv.Kill()
	time.Sleep(500 * time.Millisecond)
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	close(stop)
	<-streamed
	n := int(accepted.Load())
	if n < 100 {
		t.Fatalf("only %d events accepted during the run", n)
	}
	var dups int
	eventually(t, 60*time.Second, "every accepted event on both robots", func() bool {
		m := env.messages(t)
		dups = 0
		for _, robot := range []string{simDing, simWeCom} {
			count, _ := markers(m, robot)
			for i := range n {
				if count[1000+i] == 0 {
					return false
				}
				dups += count[1000+i] - 1
			}
		}
		return true
	})
	t.Logf("%d events accepted, each on both robots; %d duplicate messages of %d", n, dups, 2*n)
	if float64(dups) >= 0.02*float64(2*n) {
		t.Errorf("%d duplicates for %d messages: 2%% or more", dups, 2*n)
	}
	noRejections(t, env)
}
