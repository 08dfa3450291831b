package translate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/templates"
)

// A preview stops templates that write without end, answers by its
// deadline when they loop without writing, and shows phone numbers only
// masked; {{.}} never prints the mention directory and until never builds
// a list of millions, also when sending.
func TestPreviewBoundsAndMasks(t *testing.T) {
	mentions := map[string]Mention{
		"zl":  {"dingtalk_mobile": "13812345678"},
		"amy": {"dingtalk_mobile": "13900001111", "dingtalk_userid": "amy-ding-id"},
	}
	r, err := New(templates.FS, mapFS{"p.tmpl": `{{define "push.text"}}{{.}} {{printf "%#v" .}}{{$.Mention "zl"}}{{end}}
{{define "writes.push.text"}}{{range until 2000}}{{range until 2000}}x{{end}}{{end}}{{end}}
{{define "builds.push.text"}}{{range $i := until 20000000}}x{{end}}{{end}}
{{define "included.push.text"}}{{include "writes.push.text" 1}}{{end}}
{{define "seq.push.text"}}{{seq 1 200000}}{{end}}
{{define "repeat.push.text"}}{{repeat 2000 (repeat 1000 "x")}}{{end}}
{{define "indent.push.text"}}{{indent 200000 "x"}}{{end}}
{{define "untilStep.push.text"}}{{range untilStep 0 1000000 1}}{{end}}{{end}}
{{define "spins.push.text"}}{{range 100000000}}{{end}}{{end}}`}, Options{Dialects: testKinds.dialects, Mentions: mentions})
	if err != nil {
		t.Fatal(err)
	}
	ev := decodeFile(t, "push.json")
	sent, err := r.Render(ev, DingTalk, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sent.Text, "13900001111") || strings.Contains(sent.Text, "amy-ding-id") || len(sent.AtMobiles) != 1 || sent.AtMobiles[0] != "13812345678" {
		t.Errorf("sent: {{.}} shows the directory, or the mention is lost: %q %v", sent.Text, sent.AtMobiles)
	}
	shown, err := r.Preview(context.Background(), ev, DingTalk, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(shown.Text, "1381234") || len(shown.AtMobiles) != 1 || shown.AtMobiles[0] != "138****5678" {
		t.Errorf("preview: the phone number is not masked: %q %v", shown.Text, shown.AtMobiles)
	}
	for _, variant := range []string{"writes", "included"} {
		if _, err := r.Preview(context.Background(), ev, DingTalk, variant); !errors.Is(err, ErrPreviewTooLarge) {
			t.Errorf("%s: %v, want ErrPreviewTooLarge", variant, err)
		}
	}
	for _, variant := range []string{"builds", "seq", "repeat", "indent", "untilStep"} {
		if _, err := r.Render(ev, DingTalk, variant); err == nil || !strings.Contains(err.Error(), "is more than a message can use") {
			t.Errorf("%s: %v, want the count refused", variant, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.Preview(ctx, ev, DingTalk, "spins"); !errors.Is(err, ErrPreviewTimeout) {
		t.Errorf("spins: %v, want ErrPreviewTimeout", err)
	}
}

// TestMaskPhones: what was sent shows the directory's phone numbers only
// masked, as previews do; ids and other text stay.
func TestMaskPhones(t *testing.T) {
	r, err := New(templates.FS, nil, Options{Dialects: testKinds.dialects, Mentions: map[string]Mention{
		"zl": {"dingtalk_mobile": "13812345678", "wecom_userid": "ZhangLiang"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"markdown":{"text":"hi @13812345678 <@ZhangLiang>"},"at":{"atMobiles":["13812345678"]}}`
	want := `{"markdown":{"text":"hi @138****5678 <@ZhangLiang>"},"at":{"atMobiles":["138****5678"]}}`
	if got := string(r.MaskPhones([]byte(body))); got != want {
		t.Errorf("masked\n%s\nwant\n%s", got, want)
	}
}
