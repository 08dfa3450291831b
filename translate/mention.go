package translate

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
// <at id=…></at> on Feishu), where a space, a quote or a ">" would end the
// mention early and show the rest as text (or forge another mention), so
// an id is 1 to 64 characters without white space, control characters or
// < > " ' &; the services' ids never have them (DingTalk lets a company
// choose its userids, so nothing stricter). A phone number is digits with
// an optional leading + and - between groups. The error names the field,
// not the value (phone numbers are personal data).
func (mn Mention) Validate() error {
	if m := mn.DingTalkMobile; m != "" && !phoneNumber(m) {
		return errors.New("dingtalk_mobile: want a phone number (digits, a leading + and - between groups)")
	}
	for _, f := range []struct{ name, v string }{
		{"dingtalk_userid", mn.DingTalkUserID}, {"wecom_userid", mn.WeComUserID},
		{"feishu_open_id", mn.FeishuOpenID}, {"feishu_user_id", mn.FeishuUserID},
	} {
		if f.v != "" && !mentionID(f.v) {
			return fmt.Errorf(`%s: want 1 to 64 characters without spaces, control characters or < > " ' &`, f.name)
		}
	}
	return nil
}

// mentionID reports an id Validate accepts.
func mentionID(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 64 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>"'&`, r) {
			return false
		}
	}
	return true
}

// phoneNumber reports a number Validate accepts: 5 to 20 digits, with an
// optional leading + and single - between them.
func phoneNumber(s string) bool {
	s = strings.TrimPrefix(s, "+")
	digits := 0
	for i := range len(s) {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits++
		case c == '-' && i > 0 && i < len(s)-1 && s[i-1] != '-':
		default:
			return false
		}
	}
	return 5 <= digits && digits <= 20
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

// resolve adds every user found in v (a *User, User, a slice of them, a
// login string or a slice of strings) to ms.
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
			if mn, ok := d.find(u.Login, u.Email, u.Name); ok {
				ms.add(mn)
			}
		}
	case User:
		d.resolve(ms, &u)
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
