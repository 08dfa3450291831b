package store_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/translate"
)

// TestUnmarshalItemReadsEncodingJSON holds UnmarshalItem to what
// encoding/json reads: items are written with encoding/json, by this
// version and by every earlier one, and must come back the same.
func TestUnmarshalItemReadsEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	full := store.Item{
		ID: 7, Robot: "dingtalk-1", Dest: "fp", Lane: "lane", Delivery: "d-1", Event: "push", Action: "push",
		Message: translate.Message{Target: "dingtalk", Event: "push", Action: "push", Title: "t <b> & \"q\"",
			Text: "#### 标题\n\n- 一 🚀\n", Summary: "s", Link: "https://e.coding.net/p/x", Outcome: translate.OutcomeFailure,
			Lang: "zh", AtMobiles: []string{"13800000000"}, AtUserIDs: []string{"u1", "u2"}},
		Created: at, Attempts: 3, LastError: "errcode 130101", ErrCode: 130101, Reason: "permanent",
		UUID: "5f8e0b0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", DeadAt: at.Add(time.Hour), NotBefore: at.Add(time.Minute),
	}
	written, err := json.Marshal(&full)
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string]string{
		"every field":                        string(written),
		"fields left out":                    `{"robot":"wecom-1","delivery":"d","event":"ci","message":{"target":"wecom","text":"x"},"created":"2026-12-04T10:30:00Z","uuid":"u"}`,
		"nulls":                              `{"robot":null,"message":{"at_mobiles":null,"title":null},"created":"2026-12-04T10:30:00Z","dead_at":null}`,
		"names in another case and repeated": `{"Robot":"a","ROBOT":"b","Message":{"Text":"x","text":"y"},"created":"2026-12-04T10:30:00Z"}`,
		"invalid UTF-8":                      "{\"robot\":\"a\xffb\",\"created\":\"2026-12-04T10:30:00Z\"}",
		"unknown members":                    `{"robot":"a","later_field":{"x":[1,2]},"created":"2026-12-04T10:30:00Z"}`,
		"names without their underscore":     `{"robot":"a","deadat":"2026-12-04T10:30:00Z","lasterror":"x","created":"2026-12-04T10:30:00Z"}`,
	} {
		var want, got store.Item
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatalf("%s: encoding/json: %v", name, err)
		}
		if err := store.UnmarshalItem([]byte(raw), &got); err != nil {
			t.Fatalf("%s: UnmarshalItem: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
	for _, bad := range []string{`{"robot":`, `[1]`, `{"created":"yesterday"}`} {
		if err := store.UnmarshalItem([]byte(bad), new(store.Item)); err == nil {
			t.Errorf("UnmarshalItem(%s) = nil error, want one", bad)
		}
	}
}

// BenchmarkUnmarshalItem compares UnmarshalItem with encoding/json on a
// rendered push as the queue stores it (about 1.2 KB).
func BenchmarkUnmarshalItem(b *testing.B) {
	it := store.Item{Robot: "dingtalk-1", Dest: "fp", Delivery: "d-1", Event: "push", Created: time.Now(),
		UUID: "5f8e0b0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", Message: translate.Message{Target: "dingtalk",
			Event: "push", Title: "[uc-api] 张亮 推送了 2 个提交到 master", Link: "https://xxx.coding.net/p/uc-api/d/uc-api/git/compare/a...b",
			Summary: "【uc-api】**张亮** 推送了 2 个提交到 [master](https://xxx.coding.net/p/uc-api/d/uc-api/git/tree/master)：[f2517d2](https://xxx.coding.net/p/uc-api/d/uc-api/git/commit/f2517d28df3ac6b033a4b8521b324ae5454c1a57) Accept Merge Request #1",
			Text: "#### [uc-api](https://xxx.coding.net/p/uc-api) · 代码推送\n\n[张亮](https://xxx.coding.net/u/zl) 推送了 2 个提交到分支 [master](https://xxx.coding.net/p/uc-api/d/uc-api/git/tree/master)\n\n" +
				"- [f2517d2](https://xxx.coding.net/p/uc-api/d/uc-api/git/commit/f2517d28df3ac6b033a4b8521b324ae5454c1a57) Accept Merge Request #1: (master-patch-1 -> master) — 张亮\n" +
				"- [6a639cb](https://xxx.coding.net/p/uc-api/d/uc-api/git/commit/6a639cb845c7e8828fa0e1004708bc121d757ef8) 更新文件 README.md — 张亮"}}
	raw, err := json.Marshal(&it)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var x store.Item
			if err := json.Unmarshal(raw, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("UnmarshalItem", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var x store.Item
			if err := store.UnmarshalItem(raw, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
}
