package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"balcao/app/bot"
	"balcao/app/store"
	"balcao/views"
)

// roboView builds the Robô page with node selected open in the editor; f is
// the editor's submitted form (nil: the stored node).
func (s *Server) roboView(r *http.Request, selected int64, f *views.Form) (views.RoboView, error) {
	ctx := r.Context()
	records, err := s.store.LoadMenu(ctx)
	if err != nil {
		return views.RoboView{}, err
	}
	articles, err := s.store.ListArticles(ctx)
	if err != nil {
		return views.RoboView{}, err
	}
	groups, err := s.store.ListGroups(ctx)
	if err != nil {
		return views.RoboView{}, err
	}
	menu, _ := bot.BuildMenu(records)
	v := views.RoboView{Root: treeOf(menu.Root, true, true), Test: s.testTurns(ctx)}
	known := bot.Known{Articles: map[int64]store.Article{}, Groups: map[int64]bool{}}
	for _, a := range articles {
		known.Articles[a.ID] = a
		v.Articles = append(v.Articles, views.Choice{Value: strconv.FormatInt(a.ID, 10), Label: a.Question})
	}
	for _, g := range groups {
		known.Groups[g.ID] = true
		v.Groups = append(v.Groups, views.Choice{Value: strconv.FormatInt(g.ID, 10), Label: g.Name})
	}
	for _, p := range bot.Validate(records, known) {
		v.Problems = append(v.Problems, views.RoboProblem{NodeID: p.NodeID, Severity: string(p.Severity), Text: p.String()})
	}
	node := menu.Node(selected)
	if node == nil {
		return v, nil
	}
	v.Selected, v.NodeTitle, v.Form, v.Inside = node.ID, node.Path(), f, treeOf(node, true, true).Size-1
	if f == nil {
		for _, rec := range records {
			if rec.ID == node.ID {
				v.Form = nodeForm(rec)
			}
		}
	}
	v.Targets = moveTargets(menu.Root, node)
	d := previewNode(ctx, s.testEngine(menu), node)
	v.Notes = s.effectNotes(ctx, &d)
	v.Preview = replyViews(d.Replies)
	return v, nil
}

// treeOf is n and its children as the page lists them.
func treeOf(n *bot.Node, first, last bool) *views.RoboNode {
	if n == nil {
		return nil
	}
	out := &views.RoboNode{ID: n.ID, Title: n.Title, Action: n.Action.Kind, First: first, Last: last, Size: 1}
	for i, c := range n.Children {
		t := treeOf(c, i == 0, i == len(n.Children)-1)
		out.Children = append(out.Children, t)
		out.Size += t.Size
	}
	return out
}

// moveTargets are the menu nodes n can move under: every node that shows
// options, except n's parent, n and what is inside it.
func moveTargets(root, n *bot.Node) []views.MoveTarget {
	var out []views.MoveTarget
	var walk func(c *bot.Node)
	walk = func(c *bot.Node) {
		if c == n {
			return
		}
		if c.Action.Kind == store.MenuActionMenu && c != n.Parent {
			out = append(out, views.MoveTarget{ID: c.ID, Path: c.Path()})
		}
		for _, k := range c.Children {
			walk(k)
		}
	}
	if root != nil && n.Parent != nil {
		walk(root)
	}
	return out
}

// previewNode is what the citizen gets on choosing n from its parent's
// options (for the root: on writing "oi"), decided by the real engine.
func previewNode(ctx context.Context, e *bot.Engine, n *bot.Node) bot.Decision {
	now := time.Now()
	if n.Parent == nil {
		return e.Decide(ctx, bot.Session{}, bot.Input{Type: bot.TypeText, Text: "oi", ProfileName: "Maria", Now: now})
	}
	number := 0
	for i, c := range n.Parent.Children {
		if c == n {
			number = i + 1
		}
	}
	sess := bot.Session{Node: n.Parent.ID, Mode: bot.ModeMenu, LastActivity: now.UnixMilli()}
	return e.Decide(ctx, sess, bot.Input{Type: bot.TypeText, Text: strconv.Itoa(number), Now: now})
}

// replyViews are replies as the page shows them.
func replyViews(replies []bot.Reply) []views.BotReply {
	out := make([]views.BotReply, 0, len(replies))
	for _, r := range replies {
		v := views.BotReply{Text: r.Text, Form: string(r.Form), Button: r.Button, Plain: r.Plain()}
		for _, o := range r.Options {
			v.Options = append(v.Options, views.BotOption{ID: o.ID, Number: o.Number, Title: o.Title, Description: o.Description})
		}
		out = append(out, v)
	}
	return out
}
