package console

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/store"
)

// The deliveries view filters the oldest listScan pending/dead; history is newest first.
const (
	listScan     = 1000
	defaultLimit = 200
	// replayBatch is the dead letters one Replay click moves.
	replayBatch = 500
)

// sentView is a delivered message as the page shows it.
type sentView struct {
	store.Sent     // with the phone numbers in Body masked
	Bytes      int `json:"bytes"`
	// Kept says its webhook is still recent, for the playground to open.
	Kept bool `json:"kept"`
}

// deliveries is GET /console/api/deliveries.
type deliveries struct {
	Status string `json:"status"`
	// Total in all, Scanned looked at, Matched passing filters; ≤ limit listed.
	Total      int              `json:"total"`
	Scanned    int              `json:"scanned"`
	Matched    int              `json:"matched"`
	Deliveries []queue.Delivery `json:"deliveries"`
	Sent       []sentView       `json:"sent"`
	Events     []string         `json:"events"`
}

func (c *Console) handleDeliveries(ctx echo.Context) error {
	limit := defaultLimit
	if v := ctx.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > listScan {
			return bad("limit must be a number from 1 to %d", listScan)
		}
		limit = n
	}
	robotName, event := ctx.QueryParam("robot"), ctx.QueryParam("event")
	if robotName != "" && !c.known(robotName) {
		return bad("no robot named %q", robotName)
	}
	out := deliveries{Status: cmp.Or(ctx.QueryParam("status"), "pending"), Events: []string{}}
	q := c.opts.Queue
	events := map[string]bool{}
	switch out.Status {
	case "pending", "dead":
		out.Deliveries = []queue.Delivery{}
		if q == nil {
			break
		}
		read := q.Pending
		if out.Status == "dead" {
			read = q.Dead
		}
		list, total, err := read(listScan)
		if err != nil {
			return err
		}
		out.Total, out.Scanned = total, len(list)
		for _, d := range list {
			if robotName != "" && d.Robot != robotName {
				continue
			}
			events[d.Event] = true
			if event != "" && d.Event != event {
				continue
			}
			out.Matched++
			if len(out.Deliveries) < limit {
				out.Deliveries = append(out.Deliveries, d)
			}
		}
	case "sent":
		out.Sent = []sentView{}
		if q == nil {
			break
		}
		list, err := q.Sent(robotName, listScan)
		if err != nil {
			return err
		}
		out.Total, out.Scanned = len(list), len(list)
		for _, e := range list {
			match := event == ""
			for _, it := range e.Items {
				events[it.Event] = true
				match = match || it.Event == event
			}
			if !match {
				continue
			}
			out.Matched++
			if len(out.Sent) < limit {
				v := sentView{Sent: e, Bytes: len(e.Body)}
				v.Body = c.opts.Renderer().MaskPhones(e.Body)
				if len(e.Items) == 1 {
					_, v.Kept = c.opts.Recent.Get(e.Items[0].Delivery)
				}
				out.Sent = append(out.Sent, v)
			}
		}
	default:
		return bad("status must be pending, dead or sent")
	}
	out.Events = slices.Sorted(maps.Keys(events))
	if out.Events == nil {
		out.Events = []string{}
	}
	return ctx.JSON(http.StatusOK, out)
}

func (c *Console) known(name string) bool {
	for _, r := range c.opts.Robots {
		if r.Name == name {
			return true
		}
	}
	return false
}

// handleReplay puts one dead letter back at the end of its robot's queue.
func (c *Console) handleReplay(ctx echo.Context) error {
	if c.opts.Queue == nil {
		return echo.NewHTTPError(http.StatusNotFound, "no robots configured (dry run)")
	}
	id, err := strconv.ParseUint(ctx.Param("id"), 10, 64)
	if err != nil {
		return bad("id must be a dead letter's number")
	}
	d, err := c.opts.Queue.Retry(id)
	if err != nil {
		return err // not found 404, robot gone 409: the server's table
	}
	c.log.Info("dead letter replayed from the console", zap.String("robot", d.Robot), zap.Uint64("id", id))
	return ctx.JSON(http.StatusAccepted, d)
}

// handleReplayRobot puts up to replayBatch of a robot's dead letters back.
func (c *Console) handleReplayRobot(ctx echo.Context) error {
	name := ctx.Param("name")
	if c.opts.Queue == nil || !c.known(name) {
		return echo.NewHTTPError(http.StatusNotFound, "no robot named "+strconv.Quote(name))
	}
	moved, left, err := c.opts.Queue.RetryRobot(name, replayBatch)
	if err != nil {
		return err
	}
	c.log.Info("dead letters replayed from the console", zap.String("robot", name), zap.Int("replayed", moved), zap.Int("left", left))
	return ctx.JSON(http.StatusAccepted, map[string]int{"replayed": moved, "left": left})
}
