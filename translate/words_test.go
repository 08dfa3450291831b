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
