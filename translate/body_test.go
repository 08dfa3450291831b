package translate

import (
	"strings"
	"testing"
)

func TestBody(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		uuid string
		want string
	}{
		{"dingtalk plain", Message{Target: DingTalk, Title: "t & <b>", Text: `a <font color="#1a9c3c">ok</font> & "q"`}, "",
			`{"msgtype":"markdown","markdown":{"title":"t & <b>","text":"a <font color=\"#1a9c3c\">ok</font> & \"q\""}}`},
		{"dingtalk uuid and mentions", Message{Target: DingTalk, Title: "t", Text: "x\n\n@13800000000", AtMobiles: []string{"13800000000"}}, "u-1",
			`{"msgtype":"markdown","markdown":{"title":"t","text":"x\n\n@13800000000"},"at":{"atMobiles":["13800000000"],"atUserIds":[],"isAtAll":false},"msgUuid":"u-1"}`},
		{"wecom", Message{Target: WeCom, Title: "ignored", Text: "x <@u1>", AtUserIDs: []string{"u1"}}, "ignored",
			`{"msgtype":"markdown","markdown":{"content":"x <@u1>"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Body(tt.m, tt.uuid)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("Body =\n%s\nwant\n%s", b, tt.want)
			}
		})
	}
	if _, err := Body(Message{Target: "slack"}, ""); err == nil {
		t.Error("unknown target: no error")
	}
}

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
	b, _ := Body(m, "123e4567-e89b-12d3-a456-426614174000")
	if Fits(m) != (len(b) < DingTalkMaxBody) {
		t.Errorf("Fits = %v but body with uuid is %d bytes", Fits(m), len(b))
	}
}
