package redis

import "time"

// pfxRevoked keys a logged-out session, expiring with it.
const pfxRevoked = prefix + "revoked:"

// RevokeSession remembers a logged-out console session on every replica until its expiry.
func (s *Store) RevokeSession(id string, until time.Time) error {
	if d := time.Until(until); d > 0 {
		return unavailable("revoke session", s.c.Set(ctx(), pfxRevoked+id, 1, d).Err())
	}
	return nil
}

// SessionRevoked reports whether the console session id was logged out.
func (s *Store) SessionRevoked(id string) (bool, error) {
	n, err := s.c.Exists(ctx(), pfxRevoked+id).Result()
	if err != nil {
		return false, unavailable("read revoked sessions", err)
	}
	return n == 1, nil
}
