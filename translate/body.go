package translate

import (
	"unicode/utf8"
)

// The wire bodies themselves are built by the robot kinds
// (server/robot/<kind>); Size measures them exactly, and each kind's tests
// check a message that Fits makes a body within its limit.

// uuidReserve is the room Fits keeps in a DingTalk body for the msgUuid the
// sender adds ("msgUuid":"<36-character UUID>" and a comma, with margin), so
// a message that fits still fits with any UUID up to 48 characters.
const uuidReserve = 64

// Size is what the target's limit is measured on: for DingTalk the whole
// body in bytes (with room for a msgUuid), for WeCom (either message type)
// the content in bytes, for Feishu the whole card body in bytes (see
// FeishuCardOverhead).
func Size(m Message) int {
	switch m.Target {
	case WeCom, WeComV2:
		return len(m.Text)
	case DingTalk:
		return dingTalkBodyLen(m) + uuidReserve
	case Feishu:
		return feishuBodyLen(m)
	}
	return len(m.Text)
}

// dingTalkBodyLen is len(Body(m, "")) for a DingTalk message, counted
// without building the body.
func dingTalkBodyLen(m Message) int {
	title := m.Title
	if title == "" {
		title = m.Event
	}
	n := len(`{"msgtype":"markdown","markdown":{"title":"","text":""}}`) + jsonStringLen(title) + jsonStringLen(m.Text)
	if len(m.AtMobiles) > 0 || len(m.AtUserIDs) > 0 {
		n += len(`,"at":{"atMobiles":,"atUserIds":,"isAtAll":false}`) + jsonListLen(m.AtMobiles) + jsonListLen(m.AtUserIDs)
	}
	return n
}

// jsonListLen is the length of a list of strings in JSON, as Body encodes
// it ([] for none).
func jsonListLen(l []string) int {
	n := 2 + max(0, len(l)-1) // brackets and commas
	for _, s := range l {
		n += 2 + jsonStringLen(s)
	}
	return n
}

// Limit is the largest Size a message for t may have.
func Limit(t Target) int {
	switch t {
	case WeCom, WeComV2:
		return WeComMaxContent
	case Feishu:
		return FeishuMaxBody
	}
	return DingTalkMaxBody - 1 // strictly smaller than 20000
}

// Fits reports whether m's body is within its target's limit (for DingTalk
// with any msgUuid added by Body).
func Fits(m Message) bool {
	return Size(m) <= Limit(m.Target)
}

// jsonStringLen is the length of s as a JSON string without quotes, as Body
// encodes it (encoding/json with HTML not escaped): quote and backslash and
// \b \f \n \r \t take two bytes, other control characters, invalid UTF-8
// bytes, U+2028 and U+2029 six (\u0001, \ufffd, \u2028); everything else
// is copied.
func jsonStringLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t':
				n++
			case c < 0x20:
				n += 5
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 5
		case r == '\u2028' || r == '\u2029':
			n += 3
		}
		i += size
	}
	return n
}
