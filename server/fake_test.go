package server_test

import (
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
