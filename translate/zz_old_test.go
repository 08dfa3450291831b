package translate

import (
	"os"
	"testing"

	"github.com/coding-relay/coding-relay/templates"
)

func BenchmarkZZOldTmpl(b *testing.B) {
	r, err := New(templates.FS, os.DirFS("/tmp/oldtmpl"), Options{Language: "zh", Mentions: testMentions})
	if err != nil {
		b.Fatal(err)
	}
	name, payload := benchPayload(b, "push-two-commits.json")
	ev, _ := Decode(name, payload)
	for _, target := range []Target{DingTalk, WeCom} {
		b.Run(string(target), func(b *testing.B) {
			for b.Loop() {
				r.Render(ev, target, "")
			}
		})
	}
}
