package console

import (
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// authKey marks in the request context how it was authenticated.
const authKey = "console.auth"

// requireSession admits a session cookie or the admin bearer token, else a bare 401.
func (c *Console) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		if h := ctx.Request().Header.Get("Authorization"); h != "" {
			got, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || !tokenMatches(got, c.opts.Token) {
				return echo.NewHTTPError(http.StatusUnauthorized, "missing or wrong bearer token")
			}
			ctx.Set(authKey, "bearer")
			return next(ctx)
		}
		ck, err := ctx.Cookie(cookieName)
		if err != nil {
			return echo.NewHTTPError(http.StatusUnauthorized, "log in first")
		}
		if _, _, ok := c.sessions.check(ck.Value); !ok {
			return echo.NewHTTPError(http.StatusUnauthorized, "the session expired or is not valid: log in again")
		}
		ctx.Set(authKey, "session")
		return next(ctx)
	}
}

// sameOrigin guards state changes and login against CSRF beyond SameSite=Strict:
// Origin must be ours and the body JSON (no cross-site form sends it). Bearer
// scripts pass.
func (c *Console) sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		if ctx.Get(authKey) == "bearer" {
			return next(ctx)
		}
		req := ctx.Request()
		if !fromHere(req) {
			return echo.NewHTTPError(http.StatusForbidden, "cross-site request refused")
		}
		if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/json" {
			return echo.NewHTTPError(http.StatusUnsupportedMediaType, "body must be application/json")
		}
		return next(ctx)
	}
}

// fromHere reports whether Origin is the addressed host (X-Forwarded-Host,
// else Host); without Origin, only Sec-Fetch-Site: same-origin vouches.
func fromHere(req *http.Request) bool {
	origin := req.Header.Get("Origin")
	if origin == "" {
		return req.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := req.Host
	if fwd := req.Header.Get("X-Forwarded-Host"); fwd != "" {
		host, _, _ = strings.Cut(fwd, ",")
	}
	return strings.EqualFold(withoutDefaultPort(u.Scheme, u.Host), withoutDefaultPort(u.Scheme, strings.TrimSpace(host)))
}

// defaultPorts are the ports a URL of each scheme may leave out.
var defaultPorts = map[string]string{"http": ":80", "https": ":443"}

func withoutDefaultPort(scheme, host string) string {
	return strings.TrimSuffix(host, defaultPorts[scheme])
}
