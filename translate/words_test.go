package translate

import (
	"encoding/json"
	"testing"
)

func TestPriorityLevel(t *testing.T) {
	for in, want := range map[any]string{
		0: "low", "1": "medium", json.Number("2"): "high", 3: "urgent", " 3 ": "urgent",
		"LOW": "low", "Normal": "medium", "高": "high", "紧急": "urgent",
		"": "", "4": "", "P1": "", nil: "",
	} {
		if got := priorityLevel(in); got != want {
			t.Errorf("priorityLevel(%#v) = %q, want %q", in, got, want)
		}
	}
}

func TestWorkStatus(t *testing.T) {
	for in, want := range map[string]string{
		"TODO": "todo", "wait_process": "todo", "PROCESSING": "doing", "COMPLETED": "done",
		"CLOSED": "closed", "待测试": "", "": "",
	} {
		if got := workStatus(in); got != want {
			t.Errorf("workStatus(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSameUser(t *testing.T) {
	sender := &User{ID: "1", Login: "zhangliang", Name: "张亮"}
	for _, tt := range []struct {
		a, b any
		want bool
	}{
		{sender, &User{Login: "zhangliang", Name: "张亮"}, true}, // a pusher
		{sender, &User{ID: "1"}, true},
		{sender, []User{{Login: "ZhangLiang"}}, true},    // one assignee
		{sender, User{Login: "lisi", Name: "张亮"}, false}, // a namesake
		{&User{Name: "张亮"}, sender, true},
		{sender, (*User)(nil), false},
		{sender, "zhangliang", false},
	} {
		if got := sameUser(tt.a, tt.b); got != tt.want {
			t.Errorf("sameUser(%+v, %+v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMark(t *testing.T) {
	for in, want := range map[string]string{
		"success": "✅", "failure": "❌", "running": "⏳", "warning": "⚠️", "neutral": "", "": "", "ERROR": "❌",
	} {
		if got := mark(in); got != want {
			t.Errorf("mark(%q) = %q, want %q", in, got, want)
		}
	}
}
