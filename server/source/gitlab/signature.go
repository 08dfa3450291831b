package gitlab

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coding-relay/coding-relay/server/source"
)

// GitLab signs per Standard Webhooks: webhook-signature is space-separated
// (during rotation) "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>";
// webhook-id is the Idempotency-Key, webhook-timestamp Unix seconds.

// maxSkew is the clock skew past which a signed request counts as a replay.
const maxSkew = 5 * time.Minute

// ParseKey decodes a signing token as GitLab shows it: whsec_<base64 key>.
func ParseKey(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(strings.TrimSpace(s), "whsec_")
	key, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil || len(key) == 0 {
		return nil, errors.New("must be whsec_ followed by the key in base64, as GitLab shows it")
	}
	return key, nil
}

// verify checks the signature over id, timestamp and the body write writes.
func (s Source) verify(h http.Header, write func(io.Writer)) error {
	id, ts, sigs := h.Get("Webhook-Id"), h.Get("Webhook-Timestamp"), h.Get("Webhook-Signature")
	if id == "" || ts == "" || sigs == "" {
		return source.Errorf(source.ErrUnauthorized, "missing webhook-id, webhook-timestamp or webhook-signature (RELAY_GITLAB_SIGNING_KEY is set)")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return source.Errorf(source.ErrUnauthorized, "webhook-timestamp must be Unix seconds")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if skew := now().Sub(time.Unix(sec, 0)); skew > maxSkew || skew < -maxSkew {
		return source.Errorf(source.ErrUnauthorized, "webhook-timestamp is more than %v from the relay's clock", maxSkew)
	}
	m := hmac.New(sha256.New, s.Key)
	_, _ = io.WriteString(m, id+"."+ts+".")
	write(m)
	want := m.Sum(nil)
	for sig := range strings.FieldsSeq(sigs) {
		v, b64, _ := strings.Cut(sig, ",")
		got, err := base64.StdEncoding.DecodeString(b64)
		if v == "v1" && err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return source.Errorf(source.ErrUnauthorized, "webhook-signature does not match the body")
}
