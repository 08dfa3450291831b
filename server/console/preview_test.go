package console

import (
	"errors"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
)

func TestProblemOfFindsFileAndLine(t *testing.T) {
	for msg, want := range map[string]problem{
		`parse templates: template: zh/push.tmpl:12: unexpected "}" in operand`:                                    {File: "zh/push.tmpl", Line: 12},
		`render: template: user/mine.tmpl:3:14: executing "push.text" at <index .Commits 99>: error calling index`: {File: "user/mine.tmpl", Line: 3},
		`payload: unexpected end of JSON input`:                                                                    {},
	} {
		p := problemOf("template", errors.New(msg))
		if p.File != want.File || p.Line != want.Line || p.Message != msg {
			t.Errorf("%q: %+v, want file %q line %d", msg, p, want.File, want.Line)
		}
	}
}

func TestRateText(t *testing.T) {
	for want, l := range map[string]robot.Limits{
		"0":           nil,
		"20/1m":       {{N: 20, Per: time.Minute}},
		"100/1m,5/1s": {{N: 100, Per: time.Minute}, {N: 5, Per: time.Second}},
		"10/1h":       {{N: 10, Per: time.Hour}},
		"3/1m30s":     {{N: 3, Per: 90 * time.Second}},
		"7/1h30m":     {{N: 7, Per: 90 * time.Minute}},
	} {
		if got := rateText(l); got != want {
			t.Errorf("rateText(%v) = %q, want %q", l, got, want)
		}
	}
}
