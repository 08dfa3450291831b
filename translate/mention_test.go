package translate

import (
	"strings"
	"testing"
)

func TestMentionValidate(t *testing.T) {
	for _, tc := range []struct {
		mn    Mention
		field string // "" for valid
	}{
		{Mention{}, ""},
		{Mention{DingTalkMobile: "13800000000", DingTalkUserID: "manager4220", WeComUserID: "zhang.san@corp",
			FeishuOpenID: "ou_7d8a6e6df7621556ce0d21922b676706", FeishuUserID: "e-1_2"}, ""},
		{Mention{DingTalkMobile: "+86-13800000000"}, ""},
		{Mention{DingTalkMobile: "138-0000-0000"}, ""},
		{Mention{DingTalkMobile: "1380000000a"}, "dingtalk_mobile"},
		{Mention{DingTalkMobile: "138--0000"}, "dingtalk_mobile"},
		{Mention{DingTalkMobile: "-13800000000"}, "dingtalk_mobile"},
		{Mention{DingTalkMobile: "123"}, "dingtalk_mobile"},
		{Mention{DingTalkUserID: "张三#01:x"}, ""}, // a company's own userid
		{Mention{FeishuUserID: "张三"}, ""},
		{Mention{DingTalkUserID: "a\u00a0b"}, "dingtalk_userid"},
		{Mention{WeComUserID: "it's"}, "wecom_userid"},
		{Mention{FeishuUserID: "a&b"}, "feishu_user_id"},
		{Mention{WeComUserID: "\xff"}, "wecom_userid"},
		{Mention{WeComUserID: strings.Repeat("a", 64)}, ""},
		{Mention{WeComUserID: strings.Repeat("张", 64)}, ""},
		{Mention{WeComUserID: strings.Repeat("a", 65)}, "wecom_userid"},
		{Mention{DingTalkMobile: "138 0000 0000"}, "dingtalk_mobile"},
		{Mention{DingTalkUserID: "a\nb"}, "dingtalk_userid"},
		{Mention{WeComUserID: "tom><@all"}, "wecom_userid"},
		{Mention{FeishuOpenID: "ou_a></at><at id=all"}, "feishu_open_id"},
		{Mention{FeishuUserID: `"x"`}, "feishu_user_id"},
	} {
		err := tc.mn.Validate()
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%+v: %v, want no error", tc.mn, err)
		case tc.field != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.field+":")):
			t.Errorf("%+v: %v, want an error naming %s", tc.mn, err, tc.field)
		}
	}
}
