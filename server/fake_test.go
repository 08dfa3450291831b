package server_test

import (
	"fmt"
	"testing"

	"github.com/coding-relay/coding-relay/server/robot/robottest"
)

// The fake robot of server/robot/robottest, under this package's names.
type fakeRobot = robottest.Robot

func newFakeRobot(tb testing.TB, answer func(n int) (int, string)) *fakeRobot {
	tb.Helper()
	return robottest.New(tb, answer)
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	robottest.WaitFor(tb, what, cond)
}

// eventsShown counts the events a DingTalk robot's messages show: a digest's
// title says how many it holds ("[3 条更新] …", "[3 updates] …"), any other
// message is one.
func eventsShown(got []robottest.Request) int {
	n := 0
	for _, r := range got {
		md, _ := r.Body["markdown"].(map[string]any)
		title, _ := md["title"].(string)
		var k int
		if _, err := fmt.Sscanf(title, "[%d 条更新", &k); err == nil {
			n += k
		} else if _, err := fmt.Sscanf(title, "[%d update", &k); err == nil {
			n += k
		} else {
			n++
		}
	}
	return n
}
