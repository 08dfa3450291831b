package translate

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
)

// removedFields are the template fields that are gone, by field chain from
// the template's data (".IsFeishu", ".Event.CI"), with what to use
// instead. A user template that still uses one would fail on every message
// ("can't evaluate field"); New refuses it at start-up instead, naming the
// file, the line, the field and its replacement. A chain also matches the
// longer chains it starts (".Event.CI" matches ".Event.CI.Build.Status").
// docs/templates.md lists the same.
var removedFields = map[string]string{
	".IsDingTalk": `a capability (.Headings, .Colors, .Lists, .Quotes, .Mentions, .Card), or eq .Target "dingtalk"`,
	".IsWeCom":    `not .Lists (markdown v1 shows "- " items as text), or eq .Target "wecom"`,
	".IsWeComV2":  `not .Colors (markdown_v2 has no colours), or eq .Target "wecom_v2"`,
	".IsFeishu":   `.Card (a card's header shows the title) or not .Headings, or eq .Target "feishu"`,
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

// fieldChains calls visit for every field chain in n that starts at the
// data: .A.B, $.A.B and (.A).B, as ".A.B". Chains from a variable or a
// function's result are not followed: what they hold is not known here.
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
