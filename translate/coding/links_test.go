package coding

import "testing"

func TestWebURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://t.coding.net/api/user/key/zhangliang", "https://t.coding.net/u/zhangliang"},
		{"https://t.coding.net/api/team/t/project/uc-api", "https://t.coding.net/p/uc-api"},
		{"https://t.coding.net/api/team/t/project/pay/depot/pay-gateway", "https://t.coding.net/p/pay"},
		{"https://t.coding.net/api/team/t", "https://t.coding.net"},
		{"https://t.coding.net/api/something/else", ""},
		{"https://t.coding.net/p/uc-api", "https://t.coding.net/p/uc-api"},
		{"<a href='https://t.coding.net/u/x'>x</a>", "https://t.coding.net/u/x"},
		{"javascript:alert(1)", ""},
		{"", ""},
	} {
		if got := webURL(tt.in); got != tt.want {
			t.Errorf("webURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProjectPage(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://t.coding.net/p/uc-api", "https://t.coding.net/p/uc-api"},
		{"https://t.coding.net/p/uc-api/d/uc-api/git", "https://t.coding.net/p/uc-api"},
		{"https://t.coding.net/p/", ""},
		{"https://t.coding.net/u/x", ""},
	} {
		if got := projectPage(tt.in); got != tt.want {
			t.Errorf("projectPage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLinksFromWhatThePayloadHas builds each link from less and less of
// a payload: every message links to its thing, else its project, else
// its team.
func TestLinksFromWhatThePayloadHas(t *testing.T) {
	const team = `"team":{"url":"https://t.coding.net"}`
	for _, tt := range []struct {
		name, event, body string
		project, obj, lnk string
	}{
		{"build under project.url", "ci", `{"project":{"name":"pay","url":"https://t.coding.net/p/pay"},` + team + `,"ci":{"id":"7","build":{"number":3}}}`,
			"pay", "https://t.coding.net/p/pay/ci/job/7/build/3/pipeline", "https://t.coding.net/p/pay/ci/job/7/build/3/pipeline"},
		{"build under the team", "ci", `{"project":{"name":"pay","display_name":"支付"},` + team + `,"ci":{"id":"7","build":{"number":3}}}`,
			"支付", "https://t.coding.net/p/pay/ci/job/7/build/3/pipeline", "https://t.coding.net/p/pay/ci/job/7/build/3/pipeline"},
		{"issue by code", "ISSUE_CREATED", `{"project":{"name":"pay","url":"https://t.coding.net/p/pay"},"issue":{"code":"9"}}`,
			"pay", "https://t.coding.net/p/pay/all/issues/9", "https://t.coding.net/p/pay/all/issues/9"},
		{"merge request by number", "merge_request", `{"repository":{"name":"gw","full_name":"t/pay/gw","url":"https://t.coding.net/api/team/t/project/pay/depot/gw"},"mergeRequest":{"number":5}}`,
			"pay", "https://t.coding.net/p/pay/d/gw/git/merge/5", "https://t.coding.net/p/pay/d/gw/git/merge/5"},
		{"deleted branch", "push", `{"ref":"refs/heads/x","deleted":true,"before":"abc","repository":{"name":"gw","html_url":"https://t.coding.net/p/pay/d/gw/git"}}`,
			"pay", "https://t.coding.net/p/pay/d/gw/git", "https://t.coding.net/p/pay/d/gw/git"},
		{"push without compare", "push", `{"ref":"refs/heads/m","before":"a1","after":"b2","project":{"url":"https://t.coding.net/p/pay"},"repository":{"name":"gw"}}`,
			"pay", "https://t.coding.net/p/pay/d/gw/git/compare/a1...b2", "https://t.coding.net/p/pay/d/gw/git/compare/a1...b2"},
		{"member by its url", "member", `{"project":{"url":"https://t.coding.net/p/pay"},"member":{"url":"https://t.coding.net/api/user/key/zhou"}}`,
			"pay", "https://t.coding.net/u/zhou", "https://t.coding.net/p/pay/setting/member"},
		{"ping", "ping", `{"zen":"z","project":{"url":"https://t.coding.net/p/pay"}}`,
			"pay", "", "https://t.coding.net/p/pay/setting/webhook"},
		{"tag pushed", "push", `{"ref":"refs/tags/v1/rc","before":"0000000000000000000000000000000000000000","after":"b2","project":{"url":"https://t.coding.net/p/pay"},"repository":{"name":"gw"}}`,
			"pay", "https://t.coding.net/p/pay/d/gw/git/tree/v1/rc", "https://t.coding.net/p/pay/d/gw/git/tree/v1/rc"},
		{"tag deleted", "push", `{"ref":"refs/tags/v1","before":"a1","after":"0000000000000000000000000000000000000000","project":{"url":"https://t.coding.net/p/pay"},"repository":{"name":"gw"}}`,
			"pay", "https://t.coding.net/p/pay/d/gw/git/tags", "https://t.coding.net/p/pay/d/gw/git/tags"},
		{"artifact version", "ARTIFACTS_VERSION_CREATED", `{"project":{"url":"https://t.coding.net/p/pay"},"artifact":{"artifactRepoId":21,"artifactPkgId":7,"artifactVersionId":9}}`,
			"pay", "https://t.coding.net/p/pay/artifacts/repositories/21/packages/7/versions/9", "https://t.coding.net/p/pay/artifacts/repositories/21/packages/7/versions/9"},
		{"artifact version deleted", "ARTIFACTS_VERSION_DELETED", `{"project":{"url":"https://t.coding.net/p/pay"},"artifact":{"artifactRepoId":21,"artifactPkgId":7,"artifactVersionId":9}}`,
			"pay", "https://t.coding.net/p/pay/artifacts/repositories/21/packages/7", "https://t.coding.net/p/pay/artifacts/repositories/21/packages/7"},
		{"artifact repository", "ARTIFACTS_REPO_CREATED", `{"project":{"url":"https://t.coding.net/p/pay"},"artifact":{"artifactRepoId":21,"artifactPkgId":7}}`,
			"pay", "https://t.coding.net/p/pay/artifacts/repositories/21", "https://t.coding.net/p/pay/artifacts/repositories/21"},
		{"artifact without ids", "artifact", `{"project":{"url":"https://t.coding.net/p/pay"},"artifact":{"artifactPkgName":"x"}}`,
			"pay", "https://t.coding.net/p/pay/artifacts", "https://t.coding.net/p/pay/artifacts"},
		{"nothing but the team", "release", `{` + team + `}`, "", "", "https://t.coding.net"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Decode(tt.event, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.ProjectName; got != tt.project {
				t.Errorf("ProjectName = %q, want %q", got, tt.project)
			}
			if got := ev.ObjectURL; got != tt.obj {
				t.Errorf("ObjectURL = %q, want %q", got, tt.obj)
			}
			if got := ev.Link; got != tt.lnk {
				t.Errorf("Link = %q, want %q", got, tt.lnk)
			}
		})
	}
}
