package translate

// The models below mirror what CODING sends. Every field is optional: a
// missing object is a nil pointer, a missing scalar its zero value. Times are
// epoch milliseconds as CODING sends them; templates format them with the
// `time` helper. Fields tagged coding:"url" hold a plain http(s) URL even
// when an old payload sent an HTML anchor.

// CleanURL is what a field tagged coding:"url" holds of the text s a
// payload put there: the plain http(s) URL, also out of an HTML anchor's
// href, made safe inside a markdown link, or "" when s holds none. It is
// what the templates' url helper does; sources call it as they decode.
func CleanURL(s string) string { return cleanURL(s) }

// User is anybody CODING names: sender, pusher, commit author, MR author,
// assignee, member. Push payloads fill Name/Email/Username; the others fill
// ID/Login/Name/HTMLURL.
type User struct {
	ID         string `json:"id"`
	Login      string `json:"login" alias:"global_key,globalKey"`
	Name       string `json:"name" alias:"nickname,display_name,displayName"`
	NamePinyin string `json:"name_pinyin"`
	Username   string `json:"username"`
	Email      string `json:"email"`
	AvatarURL  string `json:"avatar_url" coding:"url"`
	URL        string `json:"url" coding:"url"`
	HTMLURL    string `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
}

// Display is the name a human recognises: the display name, else the login.
func (u *User) Display() string {
	if u == nil {
		return ""
	}
	for _, s := range []string{u.Name, u.Login, u.Username, u.Email} {
		if s != "" {
			return s
		}
	}
	return ""
}

// Key is the account key of the user (login, else username, else email).
func (u *User) Key() string {
	if u == nil {
		return ""
	}
	for _, s := range []string{u.Login, u.Username, u.Email, u.Name} {
		if s != "" {
			return s
		}
	}
	return ""
}

// Repository is a CODING Git repository (v2 "repository", MR head/base repo).
type Repository struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	FullName      string `json:"full_name"`
	Owner         *User  `json:"owner"`
	Private       bool   `json:"private"`
	HTMLURL       string `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	Description   string `json:"description"`
	URL           string `json:"url" coding:"url"`
	CloneURL      string `json:"clone_url" coding:"url"`
	SSHURL        string `json:"ssh_url"`
	DefaultBranch string `json:"default_branch"`
	CreatedAt     int64  `json:"created_at"`
	UpdatedAt     int64  `json:"updated_at"`
}

// Project is the Service Hook "project" object. Service Hook payloads send
// the project's page as url and often no html_url.
type Project struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name" alias:"displayName"`
	Description string `json:"description"`
	HTMLURL     string `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	URL         string `json:"url" coding:"url"`
	Icon        string `json:"icon" coding:"url"`
}

// Team is the Service Hook "team" object. Service Hook payloads send the
// team's page as url (and no html_url).
type Team struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Domain  string `json:"domain"`
	HTMLURL string `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	URL     string `json:"url" coding:"url"`
}

// Commit is one entry of a push's commits (and head_commit).
type Commit struct {
	ID        string   `json:"id" alias:"sha"`
	Distinct  bool     `json:"distinct"`
	Message   string   `json:"message"`
	Timestamp int64    `json:"timestamp"`
	URL       string   `json:"url" alias:"html_url" coding:"url"`
	Author    *User    `json:"author"`
	Committer *User    `json:"committer"`
	Added     []string `json:"added"`
	Removed   []string `json:"removed"`
	Modified  []string `json:"modified"`

	// Short, Subject, Link and AuthorName are what a line about the commit
	// shows: its id's first 7 characters, its message's first line, URL
	// (else the commit's page in the event's repository) and the author's
	// Display. They are set on the commits a render lists (.Commits,
	// .Event.ShownCommits, .Event.LatestCommit), not on the payload's own
	// .Event.Commits and .Event.HeadCommit.
	Short      string `json:"-"`
	Subject    string `json:"-"`
	Link       string `json:"-"`
	AuthorName string `json:"-"`
}

// BranchRef is one side of a merge request (head = source, base = target).
type BranchRef struct {
	Label string      `json:"label"`
	Ref   string      `json:"ref"`
	SHA   string      `json:"sha"`
	User  *User       `json:"user"`
	Repo  *Repository `json:"repo"`
}

// MergeRequest is v2 "mergeRequest" (also accepted as merge_request or
// pull_request). State is CANMERGE, ACCEPTED, CANNOTMERGE, REFUSED, CANCEL,
// MERGING or ABNORMAL.
type MergeRequest struct {
	ID             string     `json:"id"`
	Number         int64      `json:"number" alias:"iid"`
	URL            string     `json:"url" coding:"url"`
	HTMLURL        string     `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	PatchURL       string     `json:"patch_url" coding:"url"`
	DiffURL        string     `json:"diff_url" coding:"url"`
	State          string     `json:"state" alias:"status"`
	Title          string     `json:"title"`
	Body           string     `json:"body" alias:"content,description"`
	User           *User      `json:"user" alias:"author,creator"`
	CreatedAt      int64      `json:"created_at"`
	UpdatedAt      int64      `json:"updated_at"`
	MergedAt       int64      `json:"merged_at"`
	MergeCommitSHA string     `json:"merge_commit_sha"`
	Head           *BranchRef `json:"head"`
	Base           *BranchRef `json:"base"`
	Merged         bool       `json:"merged"`
	MergedBy       *User      `json:"merged_by"`
	Reviewers      []User     `json:"reviewers"`
	Assignee       *User      `json:"assignee"`
	Comments       int64      `json:"comments"`
	Commits        int64      `json:"commits"`
	Additions      int64      `json:"additions"`
	Deletions      int64      `json:"deletions"`
	ChangedFiles   int64      `json:"changed_files"`
}

// Source is the source branch name (head.ref).
func (mr *MergeRequest) Source() string {
	if mr == nil || mr.Head == nil {
		return ""
	}
	return mr.Head.Ref
}

// Target is the target branch name (base.ref).
func (mr *MergeRequest) Target() string {
	if mr == nil || mr.Base == nil {
		return ""
	}
	return mr.Base.Ref
}

// Label is a task or issue label.
type Label struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

// Task is the v2 "task" object (CODING's project-management task). Its
// shape is not fully documented, so common spellings are all accepted.
type Task struct {
	ID          string  `json:"id"`
	Code        string  `json:"code" alias:"number"`
	Title       string  `json:"title" alias:"content,name"`
	Description string  `json:"description" alias:"body"`
	HTMLURL     string  `json:"html_url" alias:"htmlUrl,web_url,url" coding:"url"`
	Status      string  `json:"status"`
	StatusName  string  `json:"status_name" alias:"statusZh,statusName"`
	Priority    string  `json:"priority"`
	Deadline    int64   `json:"deadline" alias:"due_date,dueDate"`
	Creator     *User   `json:"creator"`
	Assignee    *User   `json:"assignee" alias:"owner"`
	Labels      []Label `json:"labels"`
}

// Document is the v2 "document" object (files and folders of the project
// file store).
type Document struct {
	ID      string `json:"id"`
	Name    string `json:"name" alias:"title"`
	Type    string `json:"type"`
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	HTMLURL string `json:"html_url" alias:"htmlUrl,web_url,url" coding:"url"`
	Creator *User  `json:"creator" alias:"owner"`
}

// Member is the v2 "member" object: a user plus the role they hold.
type Member struct {
	User
	Role string `json:"role" alias:"role_name,roleName"`
}

// Build is one CI build (ci.build). Duration is in milliseconds.
type Build struct {
	ID            string `json:"id"`
	Number        int64  `json:"number"`
	Status        string `json:"status"`
	PreStatus     string `json:"pre_status"`
	Cause         string `json:"cause"`
	CommitID      string `json:"commit_id"`
	Branch        string `json:"branch"`
	Duration      int64  `json:"duration"`
	FailedMessage string `json:"failed_message"`
	HTMLURL       string `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	CreatedAt     int64  `json:"created_at"`
	UpdatedAt     int64  `json:"updated_at"`
}

// CI is the v2 "ci" object: a job and the build the event is about.
type CI struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ProjectID string `json:"project_id"`
	DepotID   string `json:"depot_id"`
	HTMLURL   string `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	Build     *Build `json:"build"`
}

// Artifact is the v2 "artifact" object (a package version in an artifact
// repository). Size is in bytes.
type Artifact struct {
	ProjectID   string `json:"projectId"`
	RepoID      string `json:"artifactRepoId"`
	PkgID       string `json:"artifactPkgId"`
	VersionID   string `json:"artifactVersionId"`
	UserID      string `json:"userId"`
	Size        int64  `json:"size"`
	RepoName    string `json:"artifactRepoName" alias:"repoName,repository_name"`
	PkgName     string `json:"artifactPkgName" alias:"pkgName,packageName,package_name"`
	VersionName string `json:"artifactVersionName" alias:"versionName,version"`
	Action      string `json:"action"`
	Type        string `json:"artifactType" alias:"type,repoType"`
	ProjectName string `json:"projectName"`
	UserName    string `json:"userName"`
	HTMLURL     string `json:"html_url" alias:"htmlUrl,web_url,url" coding:"url"`
}

// Issue is the Service Hook "issue" object (requirement, task, defect, epic).
type Issue struct {
	ID          string     `json:"id"`
	Code        string     `json:"code"`
	Title       string     `json:"title" alias:"name"`
	Type        string     `json:"type"`
	TypeZh      string     `json:"typeZh"`
	Status      string     `json:"status"`
	StatusZh    string     `json:"statusZh"`
	Priority    string     `json:"priority"`
	DueDate     int64      `json:"due_date" alias:"dueDate"`
	Description string     `json:"description"`
	HTMLURL     string     `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	Creator     *User      `json:"creator"`
	Assignee    *User      `json:"assignee"`
	Iteration   *Iteration `json:"iteration"`
	Labels      []Label    `json:"labels"`
}

// Iteration is the Service Hook "iteration" object (a sprint).
type Iteration struct {
	ID       string `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name" alias:"title"`
	Goal     string `json:"goal"`
	Status   string `json:"status"`
	StartAt  int64  `json:"start_at" alias:"startAt"`
	EndAt    int64  `json:"end_at" alias:"endAt"`
	HTMLURL  string `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	Creator  *User  `json:"creator"`
	Assignee *User  `json:"assignee"`
}

// Wiki is the Service Hook "wiki" object.
type Wiki struct {
	ID      string `json:"id"`
	IID     string `json:"iid"`
	Title   string `json:"title" alias:"name"`
	Content string `json:"content"`
	Path    string `json:"path"`
	Version string `json:"version"`
	HTMLURL string `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	Creator *User  `json:"creator"`
	Editor  *User  `json:"editor" alias:"updater,modifier"`
}

// File is the Service Hook "file" object (project file store).
type File struct {
	ID      string `json:"id"`
	Name    string `json:"name" alias:"title"`
	Type    string `json:"type"`
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	HTMLURL string `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	Creator *User  `json:"creator" alias:"owner"`
}

// Comment is a note on a merge request or an issue.
type Comment struct {
	ID      string `json:"id"`
	Body    string `json:"body" alias:"content"`
	HTMLURL string `json:"html_url" alias:"htmlUrl,web_url" coding:"url"`
	User    *User  `json:"user" alias:"author,creator"`
}

// Hook describes the webhook itself (ping).
type Hook struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Active bool     `json:"active"`
	Events []string `json:"events"`
}
