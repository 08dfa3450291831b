package source

import (
	"mime"
	"net/http"
	"net/url"
)

// MediaType is the request's Content-Type without parameters, "" if unparsable.
func MediaType(h http.Header) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// IsForm reports a form body, whose "payload" field holds the JSON.
func IsForm(h http.Header) bool { return MediaType(h) == "application/x-www-form-urlencoded" }

// CheckJSONOrForm accepts the two body types CODING and the GitHub-shaped
// senders offer: JSON, or a form with the JSON in its "payload" field.
func CheckJSONOrForm(h http.Header) error {
	if MediaType(h) == "application/json" || IsForm(h) {
		return nil
	}
	return Errorf(ErrUnsupported, "Content-Type must be application/json or application/x-www-form-urlencoded")
}

// Payload is the JSON of a body CheckJSONOrForm accepted: raw itself, or a
// form body's "payload" field.
func Payload(h http.Header, raw []byte) ([]byte, error) {
	if !IsForm(h) {
		return raw, nil
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, Errorf(ErrBadRequest, "malformed form body: %v", err)
	}
	p := form.Get("payload")
	if p == "" {
		return nil, Errorf(ErrBadRequest, "form body has no payload field")
	}
	return []byte(p), nil
}
