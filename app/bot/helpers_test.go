package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"balcao/app/bot"
	"balcao/app/store"
)

// Group ids of the test fixture, by the demo's names.
var testGroups = map[string]int64{
	bot.GroupGeneral: 1, bot.GroupWaterBill: 2, bot.GroupWaterLeak: 3,
	bot.GroupOmbudsman: 4, bot.GroupLighting: 5, bot.GroupHealth: 6,
}

// defaultFixture is the default menu and articles with the ids a fresh
// database would give them (articles 1…n in order, nodes depth-first).
func defaultFixture() ([]store.MenuNode, []store.Article) {
	arts := bot.DefaultArticles()
	ids := map[string]int64{}
	for key, i := range bot.DefaultArticleKeys() {
		ids[key] = int64(i + 1)
	}
	for i := range arts {
		arts[i].ID = int64(i + 1)
		arts[i].UpdatedAt = 1
	}
	return flatten(bot.DefaultMenu(testGroups, ids)), arts
}

// flatten numbers a tree depth-first from 1, as store.ReplaceMenu would.
func flatten(tree store.MenuTree) []store.MenuNode {
	var out []store.MenuNode
	var walk func(t store.MenuTree, parent int64, pos int)
	walk = func(t store.MenuTree, parent int64, pos int) {
		n := t.Node
		n.ID, n.ParentID, n.Position = int64(len(out)+1), parent, pos
		out = append(out, n)
		for i, c := range t.Children {
			walk(c, n.ID, i)
		}
	}
	walk(tree, 0, 0)
	return out
}

// memKB is an in-memory knowledge base with the store's search semantics
// (same terms, prefix match, every term, else at least two), indexed
// so that it stays fast for thousands of articles.
type memKB struct {
	arts  map[int64]store.Article
	vocab []string           // sorted
	post  map[string][]int64 // word → articles (ascending)
	title map[int64]map[string]bool
}

func newMemKB(list []store.Article) *memKB {
	k := &memKB{arts: map[int64]store.Article{}, post: map[string][]int64{}, title: map[int64]map[string]bool{}}
	for _, a := range list {
		k.arts[a.ID] = a
		if !a.Active || !a.Public {
			continue
		}
		k.title[a.ID] = map[string]bool{}
		for _, w := range tokens(a.Question) {
			k.title[a.ID][w] = true
		}
		seen := map[string]bool{}
		for _, w := range tokens(a.Question + " " + a.Answer + " " + a.Keywords + " " + a.Theme + " " + a.Category) {
			if !seen[w] {
				seen[w] = true
				k.post[w] = append(k.post[w], a.ID)
			}
		}
	}
	for w := range k.post {
		k.vocab = append(k.vocab, w)
		slices.Sort(k.post[w])
	}
	sort.Strings(k.vocab)
	return k
}

func tokens(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(foldTest(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		out = append(out, t)
	}
	return out
}

// foldTest folds like words.Fold (kept separate: the stub must not share code
// paths with what it checks beyond the store's exported SearchTerms).
func foldTest(s string) string {
	r := strings.NewReplacer("á", "a", "à", "a", "â", "a", "ã", "a", "é", "e", "ê", "e", "í", "i",
		"ó", "o", "ô", "o", "õ", "o", "ú", "u", "ü", "u", "ç", "c")
	return r.Replace(strings.ToLower(s))
}

// matching returns, for a term, the articles with a word starting with it.
func (k *memKB) matching(term string) map[int64]bool {
	out := map[int64]bool{}
	i := sort.SearchStrings(k.vocab, term)
	for ; i < len(k.vocab) && strings.HasPrefix(k.vocab[i], term); i++ {
		for _, id := range k.post[k.vocab[i]] {
			out[id] = true
		}
	}
	return out
}

func (k *memKB) SearchArticles(_ context.Context, text string, limit int) ([]store.ArticleHit, error) {
	terms := store.SearchTerms(text)
	if len(terms) == 0 {
		return nil, nil
	}
	count := map[int64]int{}
	titled := map[int64]int{}
	for _, t := range terms {
		for id := range k.matching(t) {
			count[id]++
			for w := range k.title[id] {
				if strings.HasPrefix(w, t) {
					titled[id]++
					break
				}
			}
		}
	}
	need := len(terms)
	var hits []store.ArticleHit
	for pass := 0; pass < 2 && len(hits) == 0; pass++ {
		var ids []int64
		for id, n := range count {
			if (pass == 0 && n == need) || (pass == 1 && n < need && (n >= 2 || need == 2)) {
				ids = append(ids, id)
			}
		}
		slices.SortFunc(ids, func(a, b int64) int {
			if count[a] != count[b] {
				return count[b] - count[a]
			}
			if titled[a] != titled[b] {
				return titled[b] - titled[a]
			}
			return int(a - b)
		})
		for _, id := range ids {
			if len(hits) == limit {
				break
			}
			hits = append(hits, store.ArticleHit{ID: id, Question: k.arts[id].Question, Score: float64(count[id])})
		}
	}
	return hits, nil
}

func (k *memKB) ArticleByID(_ context.Context, id int64) (store.Article, error) {
	a, ok := k.arts[id]
	if !ok {
		return a, fmt.Errorf("article %d: %w", id, store.ErrNotFound)
	}
	return a, nil
}

// fakeProtocols knows protocols by their digits.
type fakeProtocols map[string]bot.Protocol

func (f fakeProtocols) LookupProtocol(_ context.Context, _ int64, number string) (bot.Protocol, error) {
	p, ok := f[number]
	if !ok {
		return bot.Protocol{}, nil
	}
	p.Found = true
	return p, nil
}

// fakeGroups answers business hours per group (open unless listed).
type fakeGroups map[int64]bot.GroupHours

func (f fakeGroups) GroupHours(_ context.Context, id int64, _ time.Time) (bot.GroupHours, error) {
	if gh, ok := f[id]; ok {
		return gh, nil
	}
	return bot.GroupHours{Open: true}, nil
}

var (
	testStart = time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC) // a Tuesday, 11:00 in São Paulo
	testProto = fakeProtocols{"20260001234": {Number: "2026 000123-4", Subject: "Ouvidoria › Reclamação",
		Status: "Em atendimento", LastUpdate: "A equipe de obras foi acionada.", UpdatedAt: testStart}}
)

// newTestEngine is the default menu over the in-memory KB.
func newTestEngine(t testing.TB, groups fakeGroups) (*bot.Engine, *bot.Menu) {
	t.Helper()
	nodes, arts := defaultFixture()
	m, problems := bot.BuildMenu(nodes)
	if len(problems) > 0 {
		t.Fatalf("default menu: %v", problems)
	}
	e := bot.New(m, bot.Options{KB: newMemKB(arts), Protocols: testProto, Groups: groups, OrgName: "Prefeitura de Vale Verde"})
	return e, m
}

// convo drives the engine like the inbox would: it keeps the session
// between messages and checks every decision.
type convo struct {
	t    testing.TB
	e    *bot.Engine
	s    bot.Session
	now  time.Time
	last bot.Decision
	msg  int64
}

func newConvo(t testing.TB, e *bot.Engine) *convo {
	return &convo{t: t, e: e, now: testStart}
}

// send decides in, resolving a ReplyID "@Title" to the id of the option
// with that title in the previous replies.
func (c *convo) send(in bot.Input) bot.Decision {
	c.t.Helper()
	if title, ok := strings.CutPrefix(in.ReplyID, "@"); ok {
		in.ReplyID = c.optionID(title)
	}
	c.msg++
	in.Now, in.MessageID, in.ContactID = c.now, c.msg, 42
	if in.ProfileName == "" {
		in.ProfileName = "Maria Aparecida"
	}
	d := c.e.Decide(context.Background(), c.s, in)
	checkDecision(c.t, in, d)
	c.last = d
	if d.Ended() {
		c.s = bot.Session{}
	} else {
		// The caller stores the session as JSON: go through it.
		s, err := bot.DecodeSession(d.Session.Encode())
		if err != nil {
			c.t.Fatal(err)
		}
		c.s = s
	}
	c.now = c.now.Add(time.Minute)
	return d
}

func (c *convo) optionID(title string) string {
	c.t.Helper()
	for _, r := range c.last.Replies {
		for _, o := range r.Options {
			if o.Title == title {
				return o.ID
			}
		}
	}
	c.t.Fatalf("no option %q in %s", title, transcript(c.last))
	return ""
}

// transcript is what the citizen reads.
func transcript(d bot.Decision) string {
	var parts []string
	for _, r := range d.Replies {
		parts = append(parts, "["+string(r.Form)+"] "+r.Plain())
	}
	return strings.Join(parts, "\n---\n")
}

// Inputs.
func txt(s string) bot.Input { return bot.Input{Type: bot.TypeText, Text: s} }
func tap(title string) bot.Input {
	return bot.Input{Type: bot.TypeInteractive, Text: title, ReplyID: "@" + title}
}
func photo(caption string) bot.Input {
	return bot.Input{Type: bot.TypeImage, Text: caption, MediaID: "wamedia.123"}
}
func loc() bot.Input {
	return bot.Input{Type: bot.TypeLocation, Location: &bot.Location{Latitude: -20.8113, Longitude: -49.3758, Name: "Praça da Matriz"}}
}
func sticker() bot.Input          { return bot.Input{Type: bot.TypeSticker, MediaID: "wamedia.st"} }
func audio() bot.Input            { return bot.Input{Type: bot.TypeAudio, MediaID: "wamedia.au"} }
func reaction(e string) bot.Input { return bot.Input{Type: bot.TypeReaction, Text: e} }
func unsupported() bot.Input      { return bot.Input{Type: "unsupported"} }
func contacts() bot.Input         { return bot.Input{Type: bot.TypeContacts, Text: "[contato] João"} }

// checkDecision asserts what must hold for every decision: something to
// say (a removed reaction aside), every reply within the Cloud API's limits,
// the protocol placeholder only with a ticket, a session that round-trips,
// and no dependency failures.
func checkDecision(t testing.TB, in bot.Input, d bot.Decision) {
	t.Helper()
	if len(d.Errs) > 0 {
		t.Errorf("errors: %v", d.Errs)
	}
	if len(d.Replies) == 0 && !(in.Type == bot.TypeReaction && strings.TrimSpace(strings.ToValidUTF8(in.Text, "")) == "") {
		t.Errorf("no reply to %+v", in)
	}
	for _, r := range d.Replies {
		if msg := replyProblem(r); msg != "" {
			t.Errorf("reply out of limits (%s): %#v", msg, r)
		}
	}
	// Every opened ticket's number is told to the citizen, except an
	// anonymous one's: that number would tie the citizen to it.
	opened := false
	for _, e := range d.Effects {
		if o, ok := e.(bot.OpenTicket); ok {
			opened = o.Identity != store.IdentityAnonima
		}
	}
	if d.NeedsProtocol() != opened {
		t.Errorf("placeholder %v but ticket %v: %s", d.NeedsProtocol(), opened, transcript(d))
	}
	var back bot.Session
	if err := json.Unmarshal([]byte(d.Session.Encode()), &back); err != nil {
		t.Errorf("session does not round-trip: %v", err)
	}
}

func replyProblem(r bot.Reply) string {
	n := utf8.RuneCountInString
	switch r.Form {
	case bot.FormText:
		if n(r.Plain()) > 4096 || strings.TrimSpace(r.Plain()) == "" {
			return "text length"
		}
	case bot.FormButtons:
		if len(r.Options) == 0 || len(r.Options) > 3 || n(r.Text) > 1024 || strings.TrimSpace(r.Text) == "" {
			return "buttons count or body"
		}
		seen := map[string]bool{}
		for _, o := range r.Options {
			if o.Title == "" || n(o.Title) > 20 || seen[o.Title] || o.ID == "" || len(o.ID) > 256 {
				return "button " + o.Title
			}
			seen[o.Title] = true
		}
	case bot.FormList:
		if len(r.Options) == 0 || len(r.Options) > 10 || n(r.Text) > 4096 || strings.TrimSpace(r.Text) == "" ||
			r.Button == "" || n(r.Button) > 20 {
			return "list rows, body or button"
		}
		for _, o := range r.Options {
			if o.Title == "" || n(o.Title) > 24 || n(o.Description) > 72 || o.ID == "" || len(o.ID) > 200 {
				return "row " + o.Title
			}
		}
	default:
		return "unknown form"
	}
	return ""
}
