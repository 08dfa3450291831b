package translate

import (
	"strings"
	"testing"
)

func TestFits(t *testing.T) {
	big := strings.Repeat("a", WeComMaxContent)
	if !Fits(Message{Target: WeCom, Text: big}) {
		t.Error("4096-byte WeCom content does not fit")
	}
	if Fits(Message{Target: WeCom, Text: big + "a"}) {
		t.Error("4097-byte WeCom content fits")
	}
	m := Message{Target: DingTalk, Title: "t", Text: strings.Repeat("b", DingTalkMaxBody)}
	if Fits(m) {
		t.Error("oversized DingTalk body fits")
	}
	m.Text = strings.Repeat("b", DingTalkMaxBody-200)
	b := wireBody(t, m, "123e4567-e89b-12d3-a456-426614174000")
	if Fits(m) != (len(b) < DingTalkMaxBody) {
		t.Errorf("Fits = %v but body with uuid is %d bytes", Fits(m), len(b))
	}
}
