package bot

import (
	"slices"

	"balcao/app/store"
	"balcao/app/words"
)

// Severity tells whether a problem breaks a path (error) or only makes it
// worse (warning).
type Severity string

// Severities of a problem.
const (
	SevError   Severity = "erro"
	SevWarning Severity = "aviso"
)

// Problem is something wrong with the menu, for the panel (pt-BR).
type Problem struct {
	// NodeID is the node concerned (0 for the menu as a whole).
	NodeID   int64
	Title    string
	Severity Severity
	Message  string
}

// String is the problem as one pt-BR line: «Título»: mensagem.
func (p Problem) String() string {
	if p.Title == "" {
		return p.Message
	}
	return "«" + p.Title + "»: " + p.Message
}

func problem(id int64, title string, sev Severity, msg string) Problem {
	return Problem{NodeID: id, Title: title, Severity: sev, Message: msg}
}

// Known is what exists outside the menu, to check the menu's references.
// A nil map skips that check.
type Known struct {
	Articles map[int64]store.Article
	// Groups holds the ids of the groups of attendance.
	Groups map[int64]bool
}

// Validate checks that every path of the menu ends in an answer, a hand-off
// or a way back: one root that shows options, no cycles or unreachable
// nodes, no menu without options, every article and group present, every
// form well formed. Problems come in menu order.
func Validate(records []store.MenuNode, known Known) []Problem {
	m, problems := BuildMenu(records)
	if m.Root == nil {
		return problems
	}
	if m.Root.Action.Kind != store.MenuActionMenu {
		problems = append(problems, problem(m.Root.ID, m.Root.Title, SevError, txtProblemRootAction))
	}
	var walk func(n *Node)
	walk = func(n *Node) {
		problems = append(problems, checkNode(n, known)...)
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(m.Root)
	if m.humanGroup(m.Root) == 0 {
		problems = append(problems, problem(0, "", SevWarning, txtProblemNoHuman))
	}
	return problems
}

// checkNode returns the problems of n alone.
func checkNode(n *Node, known Known) []Problem {
	var out []Problem
	add := func(sev Severity, msg string) { out = append(out, problem(n.ID, n.Title, sev, msg)) }
	if n.Title == "" {
		add(SevError, txtProblemTitle)
	} else if n.Parent != nil && runes(n.Title) > maxRowTitle {
		add(SevWarning, txtProblemLongTitle)
	}
	a := n.Action
	if a.Kind != store.MenuActionMenu && len(n.Children) > 0 {
		add(SevError, txtProblemLeafChildren)
	}
	switch a.Kind {
	case store.MenuActionMenu:
		if len(n.Children) == 0 {
			add(SevError, txtProblemNoOptions)
		}
		if len(n.Children) > 8 {
			add(SevWarning, txtProblemTooMany)
		}
		seen := map[string]bool{}
		for _, c := range n.Children {
			k := words.Fold(c.Title)
			if seen[k] {
				add(SevWarning, txtProblemSameTitle)
				break
			}
			seen[k] = true
		}
		if a.GroupID != 0 && known.Groups != nil && !known.Groups[a.GroupID] {
			add(SevError, txtProblemGroupGone)
		}
	case store.MenuActionArticle:
		switch art, ok := known.Articles[a.ArticleID]; {
		case a.ArticleID == 0:
			add(SevError, txtProblemNoArticle)
		case known.Articles == nil:
		case !ok:
			add(SevError, txtProblemArticleGone)
		case !art.Active || !art.Public:
			add(SevError, txtProblemArticleOff)
		}
	case store.MenuActionAsk:
		if len(a.Fields) == 0 {
			add(SevError, txtProblemNoFields)
		}
		out = append(out, checkFields(n, a.Fields)...)
		out = append(out, checkTicket(n, known, false)...)
	case store.MenuActionHandoff:
		out = append(out, checkTicket(n, known, true)...)
	case store.MenuActionLookup, store.MenuActionEnd:
	default:
		add(SevError, txtProblemUnknownKind)
	}
	return out
}

func checkFields(n *Node, fields []Field) []Problem {
	var out []Problem
	add := func(msg string) {
		p := problem(n.ID, n.Title, SevError, msg)
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	keys := map[string]bool{}
	for _, f := range fields {
		if f.Key == "" || f.Label == "" {
			add(txtProblemFieldKey)
		}
		if keys[f.Key] {
			add(txtProblemFieldDup)
		}
		keys[f.Key] = true
		if !slices.Contains(FieldTypes, f.Type) {
			add(txtProblemFieldType)
		}
		if f.Type == FieldChoice && len(f.Options) < 2 {
			add(txtProblemFieldChoices)
		}
	}
	return out
}

// checkTicket checks the group and kind of a node that opens tickets.
func checkTicket(n *Node, known Known, handoff bool) []Problem {
	var out []Problem
	a := n.Action
	switch {
	case a.GroupID == 0 && handoff:
		out = append(out, problem(n.ID, n.Title, SevWarning, txtProblemNoGroup))
	case a.GroupID != 0 && known.Groups != nil && !known.Groups[a.GroupID]:
		out = append(out, problem(n.ID, n.Title, SevError, txtProblemGroupGone))
	}
	if a.TicketKind != "" && !slices.Contains(Kinds, a.TicketKind) {
		out = append(out, problem(n.ID, n.Title, SevError, txtProblemKind))
	}
	return out
}
