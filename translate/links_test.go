package translate

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
	team := &Team{URL: "https://t.coding.net"}
	for _, tt := range []struct {
		name              string
		ev                *Event
		project, obj, lnk string
	}{
		{"build under project.url", &Event{Name: EventCI, Project: &Project{Name: "pay", URL: "https://t.coding.net/p/pay"}, Team: team,
			CI: &CI{ID: "7", Build: &Build{Number: 3}}},
			"pay", "https://t.coding.net/p/pay/ci/job/7/build/3/pipeline", "https://t.coding.net/p/pay/ci/job/7/build/3/pipeline"},
		{"build under the team", &Event{Name: EventCI, Project: &Project{Name: "pay", DisplayName: "支付"}, Team: team,
			CI: &CI{ID: "7", Build: &Build{Number: 3}}},
			"支付", "https://t.coding.net/p/pay/ci/job/7/build/3/pipeline", "https://t.coding.net/p/pay/ci/job/7/build/3/pipeline"},
		{"issue by code", &Event{Name: EventIssue, Project: &Project{Name: "pay", URL: "https://t.coding.net/p/pay"}, Issue: &Issue{Code: "9"}},
			"pay", "https://t.coding.net/p/pay/all/issues/9", "https://t.coding.net/p/pay/all/issues/9"},
		{"merge request by number", &Event{Name: EventMergeRequest, Repository: &Repository{Name: "gw", FullName: "t/pay/gw", URL: "https://t.coding.net/api/team/t/project/pay/depot/gw"},
			MergeRequest: &MergeRequest{Number: 5}},
			"pay", "https://t.coding.net/p/pay/d/gw/git/merge/5", "https://t.coding.net/p/pay/d/gw/git/merge/5"},
		{"deleted branch", &Event{Name: EventPush, Ref: "refs/heads/x", Deleted: true, Before: "abc", Repository: &Repository{Name: "gw", HTMLURL: "https://t.coding.net/p/pay/d/gw/git"}},
			"pay", "https://t.coding.net/p/pay/d/gw/git", "https://t.coding.net/p/pay/d/gw/git"},
		{"push without compare", &Event{Name: EventPush, Ref: "refs/heads/m", Before: "a1", After: "b2", Project: &Project{URL: "https://t.coding.net/p/pay"}, Repository: &Repository{Name: "gw"}},
			"pay", "https://t.coding.net/p/pay/d/gw/git/compare/a1...b2", "https://t.coding.net/p/pay/d/gw/git/compare/a1...b2"},
		{"member by its url", &Event{Name: EventMember, Project: &Project{URL: "https://t.coding.net/p/pay"}, Member: &Member{User: User{URL: "https://t.coding.net/api/user/key/zhou"}}},
			"pay", "https://t.coding.net/u/zhou", "https://t.coding.net/p/pay"},
		{"nothing but the team", &Event{Name: "release", Team: team}, "", "", "https://t.coding.net"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ev.ProjectName(); got != tt.project {
				t.Errorf("ProjectName = %q, want %q", got, tt.project)
			}
			if got := tt.ev.ObjectURL(); got != tt.obj {
				t.Errorf("ObjectURL = %q, want %q", got, tt.obj)
			}
			if got := tt.ev.Link(); got != tt.lnk {
				t.Errorf("Link = %q, want %q", got, tt.lnk)
			}
		})
	}
}
