package translate

import (
	"strings"
	"testing"
)

func TestCheckMentions(t *testing.T) {
	for _, tc := range []struct {
		mn    Mention
		field string // "" for valid
	}{
		{Mention{}, ""},
		{Mention{"dingtalk_mobile": "13800000000", "dingtalk_userid": "manager4220", "wecom_userid": "zhang.san@corp",
			"feishu_open_id": "ou_7d8a6e6df7621556ce0d21922b676706", "feishu_user_id": "e-1_2"}, ""},
		{Mention{"dingtalk_mobile": "+86-13800000000"}, ""},
		{Mention{"dingtalk_mobile": "138-0000-0000"}, ""},
		{Mention{"dingtalk_mobile": ""}, ""},
		{Mention{"dingtalk_mobile": "1380000000a"}, "dingtalk_mobile"},
		{Mention{"dingtalk_mobile": "138--0000"}, "dingtalk_mobile"},
		{Mention{"dingtalk_mobile": "-13800000000"}, "dingtalk_mobile"},
		{Mention{"dingtalk_mobile": "123"}, "dingtalk_mobile"},
		{Mention{"dingtalk_userid": "张三#01:x"}, ""}, // a company's own userid
		{Mention{"feishu_user_id": "张三"}, ""},
		{Mention{"dingtalk_userid": "a\u00a0b"}, "dingtalk_userid"},
		{Mention{"wecom_userid": "it's"}, "wecom_userid"},
		{Mention{"feishu_user_id": "a&b"}, "feishu_user_id"},
		{Mention{"wecom_userid": "\xff"}, "wecom_userid"},
		{Mention{"wecom_userid": strings.Repeat("a", 64)}, ""},
		{Mention{"wecom_userid": strings.Repeat("张", 64)}, ""},
		{Mention{"wecom_userid": strings.Repeat("a", 65)}, "wecom_userid"},
		{Mention{"dingtalk_mobile": "138 0000 0000"}, "dingtalk_mobile"},
		{Mention{"dingtalk_userid": "a\nb"}, "dingtalk_userid"},
		{Mention{"wecom_userid": "tom><@all"}, "wecom_userid"},
		{Mention{"feishu_open_id": "ou_a></at><at id=all"}, "feishu_open_id"},
		{Mention{"feishu_user_id": `"x"`}, "feishu_user_id"},
		{Mention{"phone": "13800000000"}, `unknown key "phone"`},
	} {
		err := CheckMentions(map[string]Mention{"tom": tc.mn}, testKinds.dialects)
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%v: %v, want no error", tc.mn, err)
		case tc.field != "" && (err == nil || !strings.HasPrefix(err.Error(), `"tom": `+tc.field)):
			t.Errorf("%v: %v, want an error naming %s", tc.mn, err, tc.field)
		case err != nil && strings.Contains(err.Error(), "138"):
			t.Errorf("%v: %v shows the value", tc.mn, err)
		}
	}
}

// TestMentionKeys: each dialect mentions a user by its own keys, the
// first of them the user has (Feishu's open_id before its user_id).
func TestMentionKeys(t *testing.T) {
	user := Mention{"dingtalk_mobile": "138", "dingtalk_userid": "d", "wecom_userid": "w", "feishu_open_id": "fo", "feishu_user_id": "fu"}
	want := map[Target][2][]string{DingTalk: {{"138"}, {"d"}}, WeCom: {nil, {"w"}}, WeComV2: {nil, nil}, Feishu: {nil, {"fo"}}}
	for _, d := range testKinds.dialects {
		ms := mentions{keys: d.MentionKeys()}
		ms.add(user)
		ms.add(user)
		if w := want[d.Name()]; !equalStrings(ms.mobiles, w[0]) || !equalStrings(ms.ids, w[1]) {
			t.Errorf("%s: %v %v, want %v", d.Name(), ms.mobiles, ms.ids, w)
		}
	}
}
