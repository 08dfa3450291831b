package translate

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mention is one user's ids and phone numbers by key, as RELAY_MENTIONS
// has them ({"wecom_userid": "ZhangSan"}); each dialect reads its own keys.
type Mention map[string]string

// CheckMentions reports the first user (by name) with a key no dialect
// reads or a bad value. Ids go into markup (<at id=…>), so white space,
// control characters and < > " ' & could end or forge a mention; nothing
// stricter, as companies choose ids. Errors omit values (personal data).
func CheckMentions(ms map[string]Mention, dialects []Dialect) error {
	keys := map[string]MentionKey{}
	for _, d := range dialects {
		for _, k := range d.MentionKeys() {
			keys[k.Name] = k
		}
	}
	for _, who := range slices.Sorted(maps.Keys(ms)) {
		for _, name := range slices.Sorted(maps.Keys(ms[who])) {
			k, ok := keys[name]
			v := ms[who][name]
			switch {
			case !ok:
				return fmt.Errorf("%q: unknown key %q (known: %s)", who, name, strings.Join(slices.Sorted(maps.Keys(keys)), ", "))
			case v == "":
			case k.Phone && !phoneNumber(v):
				return fmt.Errorf("%q: %s: want a phone number (digits, a leading + and - between groups)", who, name)
			case !k.Phone && !mentionID(v):
				return fmt.Errorf(`%q: %s: want 1 to 64 characters without spaces, control characters or < > " ' &`, who, name)
			}
		}
	}
	return nil
}

// mentionID reports an id CheckMentions accepts.
func mentionID(s string) bool {
	return s != "" && utf8.RuneCountInString(s) <= 64 && utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>"'&`, r)
	})
}

// phoneNumber reports 5 to 20 digits, an optional leading + and single -.
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

// mentions collects whom one render's templates mention, in order without
// duplicates: each user's first phone number and id of the dialect's keys.
type mentions struct {
	keys         []MentionKey
	mobiles, ids []string
}

func (m *mentions) add(mn Mention) {
	var mobile, id string
	for _, k := range m.keys {
		if k.Phone {
			mobile = cmp.Or(mobile, mn[k.Name])
		} else {
			id = cmp.Or(id, mn[k.Name])
		}
	}
	m.addIDs(mobile, id)
}

// addIDs adds a phone number and an id not there yet ("" for none).
func (m *mentions) addIDs(mobile, id string) {
	if mobile != "" && !slices.Contains(m.mobiles, mobile) {
		m.mobiles = append(m.mobiles, mobile)
	}
	if id != "" && !slices.Contains(m.ids, id) {
		m.ids = append(m.ids, id)
	}
}

// directory resolves users to mentions.
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

// find looks keys up exactly, then ignoring case.
func (d directory) find(keys ...string) (Mention, bool) {
	for _, k := range keys {
		if mn, ok := d.exact[k]; ok {
			return mn, true
		}
	}
	for _, k := range keys {
		if mn, ok := d.fold[strings.ToLower(k)]; ok {
			return mn, true
		}
	}
	return Mention{}, false
}

// resolve adds the users in v (User, *User, login, or slices) to ms.
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
	default: // a slice of any of these
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Slice {
			for i := range rv.Len() {
				d.resolve(ms, rv.Index(i).Interface())
			}
		}
	}
}

// withMentions is m mentioning mobiles and ids in its lists and text.
func withMentions(d Dialect, m Message, mobiles, ids []string) Message {
	m.AtMobiles, m.AtUserIDs = mobiles, ids
	if line := d.MentionLine(mobiles, ids); line != "" {
		m.Text += "\n\n" + line
	}
	return m
}
