package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
)

// deadCount bounds the dead letters counted per robot (the oldest ones).
const deadCount = 1000

// robotView is one robot's configuration (credential hidden) and delivery.
type robotView struct {
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	URL      string   `json:"url"`
	Target   string   `json:"target"`
	Signed   bool     `json:"signed"`
	Rate     string   `json:"rate"`
	Inflight int      `json:"inflight,omitempty"`
	Template string   `json:"template,omitempty"`
	Events   []string `json:"events,omitempty"`
	Actions  []string `json:"actions,omitempty"`
	Branches []string `json:"branches,omitempty"`
	Projects []string `json:"projects,omitempty"`
	Dead     int      `json:"dead"`

	*queue.RobotState
}

// overview is GET /console/api/overview.
type overview struct {
	Robots []robotView `json:"robots"`
	DryRun bool        `json:"dry_run"`
	// DeadTotal counts all; DeadCounted says if per-robot counts cover them.
	DeadTotal   int  `json:"dead_total"`
	DeadCounted bool `json:"dead_counted"`
}

// describe is a robot's configuration as the page may see it.
func (c *Console) describe(r robot.Robot) robotView {
	v := robotView{Name: r.Name, Kind: r.KindName(), URL: r.Endpoint.Display(), Target: string(r.Endpoint.Target()),
		Signed: r.Endpoint.Signed(), Template: r.Template, Rate: rateText(c.opts.RateOf(r)),
		Events: r.Events, Actions: r.Actions, Branches: r.Branches, Projects: r.Projects}
	if r.Inflight > 1 {
		v.Inflight = r.Inflight
	}
	return v
}

// rateText writes limits as operators do: "100/1m,5/1s", "0" for none.
func rateText(l robot.Limits) string {
	if !l.Enabled() {
		return "0"
	}
	parts := make([]string, len(l))
	for i, r := range l {
		d := r.Per.String()
		if strings.HasSuffix(d, "m0s") {
			d = strings.TrimSuffix(d, "0s")
		}
		if strings.HasSuffix(d, "h0m") {
			d = strings.TrimSuffix(d, "0m")
		}
		parts[i] = strconv.Itoa(r.N) + "/" + d
	}
	return strings.Join(parts, ",")
}

func (c *Console) handleOverview(ctx echo.Context) error {
	out := overview{Robots: []robotView{}, DryRun: c.opts.Queue == nil, DeadCounted: true}
	states := map[string]*queue.RobotState{}
	dead := map[string]int{}
	if q := c.opts.Queue; q != nil {
		for _, st := range q.Snapshot() {
			states[st.Robot] = &st
		}
		list, total, err := q.Dead(deadCount)
		if err != nil {
			return err
		}
		for _, d := range list {
			dead[d.Robot]++
		}
		out.DeadTotal, out.DeadCounted = total, total <= deadCount
	}
	for _, r := range c.opts.Robots {
		v := c.describe(r)
		v.RobotState, v.Dead = states[r.Name], dead[r.Name]
		out.Robots = append(out.Robots, v)
	}
	return ctx.JSON(http.StatusOK, out)
}
