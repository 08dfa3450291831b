package translate

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Mention says how to @-mention one CODING user in each target. Options
// key it by the user's CODING login, username or email.
type Mention struct {
	DingTalkMobile string `json:"dingtalk_mobile,omitempty"`
	DingTalkUserID string `json:"dingtalk_userid,omitempty"`
	WeComUserID    string `json:"wecom_userid,omitempty"`
	// FeishuOpenID (ou_…) or else FeishuUserID mentions the user on
	// Feishu, as <at id=…></at> in the card's text.
	FeishuOpenID string `json:"feishu_open_id,omitempty"`
	FeishuUserID string `json:"feishu_user_id,omitempty"`
}

// Validate reports a field whose value a message could not carry as it
// is. The ids go into markup (@userid on DingTalk, <@userid> on WeCom,
// <at id=…></at> on Feishu) and into the robots' JSON lists, so each must
// be 1 to 64 letters, digits and _ . @ + -, which every id and phone number
// of those services is: a space or a ">" would end the mention early and
// show the rest as text. The error names the field, not the value (phone
// numbers are personal data).
func (mn Mention) Validate() error {
	for _, f := range []struct{ name, v string }{
		{"dingtalk_mobile", mn.DingTalkMobile}, {"dingtalk_userid", mn.DingTalkUserID},
		{"wecom_userid", mn.WeComUserID}, {"feishu_open_id", mn.FeishuOpenID}, {"feishu_user_id", mn.FeishuUserID},
	} {
		if f.v != "" && !mentionID(f.v) {
			return fmt.Errorf("%s: want 1 to 64 letters, digits and _ . @ + -", f.name)
		}
	}
	return nil
}

// mentionID reports an id Validate accepts.
func mentionID(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := range len(s) {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '_', c == '.', c == '@', c == '+', c == '-':
		default:
			return false
		}
	}
	return s != ""
}

// feishuID is the id a Feishu card mentions the user by: the open_id,
// which every bot can resolve, else the tenant's user_id.
func (mn Mention) feishuID() string {
	if mn.FeishuOpenID != "" {
		return mn.FeishuOpenID
	}
	return mn.FeishuUserID
}

// mentions collects, during one render, whom the templates asked to
// mention, in order and without duplicates.
type mentions struct {
	mobiles, dingIDs, wecomIDs, feishuIDs []string
}

func (m *mentions) add(mn Mention) {
	if mn.DingTalkMobile != "" && !slices.Contains(m.mobiles, mn.DingTalkMobile) {
		m.mobiles = append(m.mobiles, mn.DingTalkMobile)
	}
	if mn.DingTalkUserID != "" && !slices.Contains(m.dingIDs, mn.DingTalkUserID) {
		m.dingIDs = append(m.dingIDs, mn.DingTalkUserID)
	}
	if mn.WeComUserID != "" && !slices.Contains(m.wecomIDs, mn.WeComUserID) {
		m.wecomIDs = append(m.wecomIDs, mn.WeComUserID)
	}
	if id := mn.feishuID(); id != "" && !slices.Contains(m.feishuIDs, id) {
		m.feishuIDs = append(m.feishuIDs, id)
	}
}

// directory resolves CODING users to mentions: exact key first, then
// ignoring case.
type directory struct {
	exact map[string]Mention
	fold  map[string]Mention
}

func newDirectory(m map[string]Mention) directory {
	d := directory{exact: make(map[string]Mention, len(m)), fold: make(map[string]Mention, len(m))}
	for k, v := range m {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		d.exact[k] = v
		d.fold[strings.ToLower(k)] = v
	}
	return d
}

func (d directory) find(keys ...string) (Mention, bool) {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if mn, ok := d.exact[k]; ok {
			return mn, true
		}
	}
	for _, k := range keys {
		if mn, ok := d.fold[strings.ToLower(k)]; ok && k != "" {
			return mn, true
		}
	}
	return Mention{}, false
}

// resolve adds every user found in v (a *User, User, *Member, a slice of
// them, a login string or a slice of strings) to ms.
func (d directory) resolve(ms *mentions, v any) {
	switch u := v.(type) {
	case nil:
	case string:
		for _, k := range strings.FieldsFunc(u, func(r rune) bool { return r == ',' || r == ' ' }) {
			if mn, ok := d.find(k); ok {
				ms.add(mn)
			}
		}
	case *User:
		if u != nil {
			if mn, ok := d.find(u.Login, u.Username, u.Email, u.Name); ok {
				ms.add(mn)
			}
		}
	case User:
		d.resolve(ms, &u)
	case *Member:
		if u != nil {
			d.resolve(ms, &u.User)
		}
	case Member:
		d.resolve(ms, &u.User)
	case []string:
		for _, s := range u {
			d.resolve(ms, s)
		}
	default:
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Slice {
			for i := range rv.Len() {
				d.resolve(ms, rv.Index(i).Interface())
			}
		}
	}
}

// mentionLine is the text a target needs for the collected mentions:
// DingTalk wants each @mobile / @userId in the text (and in "at"), WeCom
// markdown mentions with <@userid>, a Feishu card with <at id=…></at>.
// WeComV2 has none: markdown_v2 shows <@userid> as text.
func mentionLine(t Target, mobiles, userIDs []string) string {
	var parts []string
	switch t {
	case DingTalk:
		for _, m := range mobiles {
			parts = append(parts, "@"+m)
		}
		for _, id := range userIDs {
			parts = append(parts, "@"+id)
		}
	case WeCom:
		for _, id := range userIDs {
			parts = append(parts, "<@"+id+">")
		}
	case Feishu:
		for _, id := range userIDs {
			parts = append(parts, "<at id="+id+"></at>")
		}
	}
	return strings.Join(parts, " ")
}
