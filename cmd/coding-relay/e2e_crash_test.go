package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdingProxy stands between the relay and the simulator. Once armed, it
// holds the simulator's answer to the next DingTalk request: the robot has
// counted and shown the message, the relay has not heard so, which is the
// moment a crash hurts most.
type holdingProxy struct {
	*httptest.Server
	mu    sync.Mutex
	armed bool
	held  chan []byte // the held request's body
}

func newHoldingProxy(tb testing.TB, simURL string) *holdingProxy {
	tb.Helper()
	target, _ := url.Parse(simURL)
	p := &holdingProxy{held: make(chan []byte, 1)}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		req := resp.Request
		if !strings.HasPrefix(req.URL.Path, "/robot/send") {
			return nil
		}
		p.mu.Lock()
		hold := p.armed
		p.armed = false
		p.mu.Unlock()
		if hold {
			body, _ := req.GetBody()
			b, _ := io.ReadAll(body)
			p.held <- b
			<-req.Context().Done() // until the relay is gone
		}
		return nil
	}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(b))), nil }
		rp.ServeHTTP(w, r)
	}))
	tb.Cleanup(p.Close)
	return p
}

func (p *holdingProxy) arm() {
	p.mu.Lock()
	p.armed = true
	p.mu.Unlock()
}

// TestE2EKillAfterRobotAcceptedStaysUnderLimit fills a paced robot's
// window, kills the relay with SIGKILL just after the robot accepted the
// message that filled it (before the relay heard the answer), and restarts
// it: the restarted relay must know the window is full and wait, never
// sending one too many (DingTalk would throttle the group for ten minutes),
// and the only message it may send again is the one that was in flight.
func TestE2EKillAfterRobotAcceptedStaysUnderLimit(t *testing.T) {
	const limit = 5
	env := startSim(t, requireSim(t), "-limit", strconv.Itoa(limit), "-window", "10s", "-secret", e2eDingToken+"="+e2eDingSecret)
	proxy := newHoldingProxy(t, env.simURL)
	viaProxy := *env
	viaProxy.simURL = proxy.URL
	dir := t.TempDir()
	relay := viaProxy.startRelay(t, dir, "RELAY_RATE_LIMIT=5/10s")
	for i := range limit - 1 {
		relay.post(t, "push", "crash-"+strconv.Itoa(i), pushBody(i))
		eventually(t, 20*time.Second, "message accepted", func() bool { return env.stats(t).Robots[simDing].Accepted == i+1 })
	}
	proxy.arm()
	for i := limit - 1; i < limit+2; i++ {
		relay.post(t, "push", "crash-"+strconv.Itoa(i), pushBody(i))
	}
	var inFlight []byte
	select {
	case inFlight = <-proxy.held:
	case <-time.After(20 * time.Second):
		t.Fatal("no DingTalk request to hold")
	}
	_ = relay.cmd.Process.Kill()
	_ = relay.cmd.Wait()
	before := shownIn(env.messages(t), simDing)

	viaProxy.startRelay(t, dir, "RELAY_RATE_LIMIT=5/10s")
	eventually(t, 40*time.Second, "every event shown on DingTalk, or a rejection", func() bool {
		st := env.stats(t)
		return len(st.Robots[simDing].Rejected)+len(st.Robots[simWeCom].Rejected) > 0 || len(shownIn(env.messages(t), simDing)) == limit+2
	})
	noRejections(t, env)
	after := shownIn(env.messages(t), simDing)
	held := shownIn([]simMessage{{Robot: simDing, Body: inFlight}}, simDing)
	for n, c := range after {
		if c > 1 && (held[n] == 0 || c > 2 || before[n] != 1) {
			t.Errorf("event %d shown %d times; only the message in flight (events %v) may be sent twice", n, c, held)
		}
	}
}

// shownRE finds the events of pushBody in a message: a message names the
// commit, a digest line links the compare page.
var shownRE = regexp.MustCompile(`burst-marker-(\d+)|/compare/(\d+)\)`)

// shownIn counts, per event, the messages of robot that showed it.
func shownIn(msgs []simMessage, robot string) map[int]int {
	count := map[int]int{}
	for _, m := range msgs {
		if m.Robot != robot {
			continue
		}
		seen := map[int]bool{}
		for _, g := range shownRE.FindAllStringSubmatch(string(m.Body), -1) {
			n, _ := strconv.Atoi(g[1] + g[2])
			seen[n] = true
		}
		for n := range seen {
			count[n]++
		}
	}
	return count
}
