package translate

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
)

// removedFields maps gone field chains (".Event.CI", also matching longer
// chains) to replacements. A user template using one would fail on every
// message, so New refuses it at start-up, naming file, line and
// replacement. docs/templates.md lists the same.
var removedFields = map[string]string{
	".IsDingTalk": `a capability (.Headings, .Colors, .Lists, .Quotes, .Mentions, .Card), or eq .Target "dingtalk"`,
	".IsWeCom":    `not .Lists (markdown v1 shows "- " items as text), or eq .Target "wecom"`,
	".IsWeComV2":  `not .Colors (markdown_v2 has no colours), or eq .Target "wecom_v2"`,
	".IsFeishu":   `.Card (a card's header shows the title) or not .Headings, or eq .Target "feishu"`,

	// The event model of every source replaced CODING's payload objects.
	".Event.Sender":                 `.Event.ActorUser (.ActorName, .ActorURL)`,
	".Event.Pusher":                 `.Event.ActorUser (.ActorName, .ActorURL)`,
	".Event.Repository":             `.Event.RepoName and .Event.RepoURL (.Event.Get "repository.…" for the rest)`,
	".Event.Project":                `.Event.ProjectName and .Event.ProjectURL`,
	".Event.Team":                   `.Event.TeamURL`,
	".Event.MergeRequest.Title":     `.Event.Title`,
	".Event.MergeRequest.Number":    `.Event.Number (text) or .Event.ID ("!12")`,
	".Event.MergeRequest.Body":      `.Event.Body`,
	".Event.MergeRequest.State":     `.Event.State`,
	".Event.MergeRequest.Source":    `.Event.SourceBranch`,
	".Event.MergeRequest.Target":    `.Event.TargetBranch`,
	".Event.MergeRequest.User":      `.Event.Author`,
	".Event.MergeRequest.Assignee":  `.Event.Assignees (a list)`,
	".Event.MergeRequest.Reviewers": `.Event.Reviewers`,
	".Event.MergeRequest.MergedBy":  `.Event.MergedBy`,
	".Event.MergeRequest":           `the model's fields: .Event.Title, .Event.ID, .Event.State, .Event.Changes, … (docs/templates.md)`,
	".Event.CI.Name":                `.Event.Title`,
	".Event.CI.Build.Number":        `.Event.Number`,
	".Event.CI.Build.Status":        `.Event.Status`,
	".Event.CI.Build.Duration":      `.Event.Duration (a time.Duration; duration takes it)`,
	".Event.CI.Build.FailedMessage": `.Event.Error`,
	".Event.CI.Build.CommitID":      `.Event.Commit.ID (.Short, .Link)`,
	".Event.CI.Build.Branch":        `.Event.Branch`,
	".Event.CI.Build.Cause":         `.Event.Cause`,
	".Event.CI":                     `the model's fields: .Event.Title, .Event.Number, .Event.Status, … (docs/templates.md)`,
	".Event.Task":                   `the model's fields: .Event.ID, .Event.Title, .Event.Assignees, .Event.Due, … (docs/templates.md)`,
	".Event.Issue":                  `the model's fields: .Event.ID, .Event.Title, .Event.TypeName, .Event.StatusName, … (docs/templates.md)`,
	".Event.Iteration":              `.Event.Title, .Event.Start, .Event.End, .Event.Goal (an issue's iteration: .Event.Milestone)`,
	".Event.Artifact":               `.Event.Registry, .Event.Package, .Event.Version, .Event.Type, .Event.Size`,
	".Event.Document":               `.Event.Title, .Event.Path, .Event.Size`,
	".Event.File":                   `.Event.Title, .Event.Type, .Event.Path, .Event.Size`,
	".Event.Wiki":                   `.Event.Title, .Event.Path, .Event.Version`,
	".Event.Member.Role":            `.Event.Role`,
	".Event.HeadCommit":             `.Event.LatestCommit`,
	".Event.ShownCommits":           `.Event.Commits (newest first)`,
	".Event.Compare":                `.Event.CompareURL`,
	".Event.After":                  `.Event.LatestCommit.ID`,
	".Event.BuildURL":               `.Event.ObjectURL`,
	".Event.ArtifactURL":            `.Event.ObjectURL`,
	".Event.CodeVerb":               `.Event.Verb`,
	".Event.ZenText":                `.Event.Zen`,
	".Event.Hook":                   `.Event.Get "hook.…"`,
	".Event.Created":                `.Event.RefCreated`,
	".Event.Deleted":                `.Event.RefDeleted`,
}

// checkRemoved reports the uses of removedFields in the templates of set
// parsed from user files (named user/…).
func checkRemoved(set *template.Template) error {
	var errs []string
	for _, tm := range set.Templates() {
		tree := tm.Tree
		if tree == nil || !strings.HasPrefix(tree.ParseName, "user/") {
			continue
		}
		fieldChains(tree.Root, func(n parse.Node, chain string) {
			for c := chain; c != ""; c = c[:strings.LastIndexByte(c, '.')] {
				if use, ok := removedFields[c]; ok {
					at, _ := tree.ErrorContext(n)
					errs = append(errs, fmt.Sprintf("%s: %s is gone: use %s", at, c, use))
					return
				}
			}
		})
	}
	if len(errs) == 0 {
		return nil
	}
	slices.Sort(errs)
	return errors.New("templates use fields that are gone (see docs/templates.md, Removed fields):\n" + strings.Join(errs, "\n"))
}

// fieldChains visits each chain in n from the data (.A.B, $.A.B, (.A).B)
// as ".A.B"; a variable's or function's result is unknown here.
func fieldChains(n parse.Node, visit func(parse.Node, string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				fieldChains(c, visit)
			}
		}
	case *parse.ActionNode:
		fieldChains(n.Pipe, visit)
	case *parse.IfNode:
		branchChains(&n.BranchNode, visit)
	case *parse.RangeNode:
		branchChains(&n.BranchNode, visit)
	case *parse.WithNode:
		branchChains(&n.BranchNode, visit)
	case *parse.TemplateNode:
		fieldChains(n.Pipe, visit)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				fieldChains(c, visit)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			fieldChains(a, visit)
		}
	case *parse.FieldNode:
		visit(n, "."+strings.Join(n.Ident, "."))
	case *parse.VariableNode:
		if len(n.Ident) > 1 && n.Ident[0] == "$" {
			visit(n, "."+strings.Join(n.Ident[1:], "."))
		}
	case *parse.ChainNode:
		if p, ok := n.Node.(*parse.PipeNode); ok && len(p.Decl) == 0 && len(p.Cmds) == 1 && len(p.Cmds[0].Args) == 1 {
			if f, ok := p.Cmds[0].Args[0].(*parse.FieldNode); ok {
				visit(n, "."+strings.Join(append(slices.Clone(f.Ident), n.Field...), "."))
			}
		}
		fieldChains(n.Node, visit)
	}
}

func branchChains(n *parse.BranchNode, visit func(parse.Node, string)) {
	for _, c := range []parse.Node{n.Pipe, n.List, n.ElseList} {
		fieldChains(c, visit)
	}
}
