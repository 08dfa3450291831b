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

// requireSession lets through a request with a valid session cookie, or
// with the admin token as a bearer header (scripts, as /api takes it);
// anything else is 401 with nothing but that said.
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

// sameOrigin guards what changes state (and the login) against cross-site
// requests: the browser's Origin must be this console's own, and the body
// JSON, which a cross-site form cannot send. The SameSite=Strict cookie
// already stays home; this holds also where it would not. A script with
// the bearer token is not a browser and is let through.
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

// fromHere reports whether a browser sent req from a page of the host it
// was sent to (as the client addressed it: a proxy's X-Forwarded-Host, else
// Host). Without an Origin only the browser's Sec-Fetch-Site: same-origin
// vouches for it.
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
