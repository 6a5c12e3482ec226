package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"balcao/app/markdown"
	"balcao/app/store"
	"balcao/app/words"
)

// DefaultIdleTimeout is how long a conversation waits for the citizen before
// the next message starts over at the top.
const DefaultIdleTimeout = 30 * time.Minute

// maxFailures is how many unusable messages in a row make the bot offer a human.
const maxFailures = 3

// maxOffers is how many articles a search offers.
const maxOffers = 3

// KB is the knowledge base the engine searches; *store.Store implements it.
type KB interface {
	// SearchArticles returns public, active articles for free text, best first.
	SearchArticles(ctx context.Context, text string, limit int) ([]store.ArticleHit, error)
	// ArticleByID returns an article, or an error wrapping store.ErrNotFound.
	ArticleByID(ctx context.Context, id int64) (store.Article, error)
}

// Protocols looks tickets up by protocol number; the tickets service
// implements it.
type Protocols interface {
	// LookupProtocol finds the ticket with number (the digits the citizen
	// typed) that contactID may see. Not found is Protocol{Found: false}, not
	// an error; the implementation decides whether citizens may look up
	// tickets that are not theirs.
	LookupProtocol(ctx context.Context, contactID int64, number string) (Protocol, error)
}

// Protocol is what a citizen may know about a ticket.
type Protocol struct {
	Found bool
	// Number is the protocol formatted for reading ("2026 000123-4").
	Number  string
	Subject string
	// Status is the status in pt-BR ("Em atendimento").
	Status string
	// LastUpdate is the last update meant for the citizen (plain text).
	LastUpdate string
	UpdatedAt  time.Time
}

// Groups tells whether a group of attendance works now; StoreGroups
// implements it over the store.
type Groups interface {
	GroupHours(ctx context.Context, groupID int64, now time.Time) (GroupHours, error)
}

// GroupHours is a group's business hours as the citizen is told them.
type GroupHours struct {
	Open bool
	// Hours describes the week ("segunda a sexta, das 08:00 às 17:00").
	Hours string
	// Next says when it opens next ("amanhã às 08:00"), when closed.
	Next string
}

// Options are the engine's dependencies and settings.
type Options struct {
	KB        KB
	Protocols Protocols
	Groups    Groups
	// IdleTimeout restarts a conversation idle this long (0: DefaultIdleTimeout).
	IdleTimeout time.Duration
	// OrgName is how the bot presents its organisation, read after "da"
	// ("Prefeitura de Vale Verde", "Defensoria Pública"); "" says "Prefeitura".
	OrgName string
}

// Engine decides the bot's replies. It is safe for concurrent use; the menu
// can be replaced at any time (SetMenu) by one edited in the panel.
type Engine struct {
	opts     Options
	menu     atomic.Pointer[Menu]
	articles sync.Map // article id → renderedArticle
	// reload serializes ReloadMenu, so the last edit's menu is the one kept.
	reload sync.Mutex
}

// renderedArticle caches an article's answer in WhatsApp formatting.
type renderedArticle struct {
	updatedAt int64
	text      string
}

// New returns an engine over menu (which may be nil: every message then goes
// to a human).
func New(menu *Menu, opts Options) *Engine {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	e := &Engine{opts: opts}
	e.menu.Store(menu)
	return e
}

// SetMenu replaces the menu; conversations in a node that no longer exists
// start over.
func (e *Engine) SetMenu(m *Menu) { e.menu.Store(m) }

// Menu returns the current menu.
func (e *Engine) Menu() *Menu { return e.menu.Load() }

// Decide returns what to answer to in, given the conversation so far. It
// never fails and never panics: when a dependency fails it says something
// sensible and reports the error in Decision.Errs.
func (e *Engine) Decide(ctx context.Context, s Session, in Input) (d Decision) {
	s.Step, s.Failures = max(s.Step, 0), max(s.Failures, 0) // a stored session is data, not trusted
	t := &turn{e: e, ctx: ctx, m: e.menu.Load(), s: s, in: newMessage(in)}
	defer func() {
		if r := recover(); r != nil {
			d = Decision{
				Session: Session{LastActivity: t.in.now.UnixMilli()},
				Replies: []Reply{text(txtNotUnderstood + " Envie *menu* para ver as opções.")},
				Errs:    []error{fmt.Errorf("bot: panic deciding a reply: %v", r)},
			}
		}
	}()
	t.run()
	return t.decision()
}

// Reply ids: what comes back when the citizen taps an option.
const (
	idNode    = "n:"   // + node id
	idArticle = "a:"   // + article id
	idChoice  = "opt:" // + index of a choice field's option
	idBack    = "back"
	idHuman   = "human"
	idMenu    = "menu"
	idYes     = "yes"
	idNo      = "no"
	idSkip    = "skip"
	idResume  = "resume"
	idRestart = "restart"
)

// anonKey is the key of the anonymity question some forms ask first.
const anonKey = "_anonimo"

// turn is one decision in progress.
type turn struct {
	e       *Engine
	ctx     context.Context
	m       *Menu
	s       Session
	in      *message
	replies []Reply
	effects []Effect
	errs    []error
	ended   bool
	silent  bool
}

func (t *turn) decision() Decision {
	if t.silent {
		return Decision{Session: t.s}
	}
	s := t.s
	if t.ended {
		s = Session{Mode: ModeEnded}
		t.effects = append(t.effects, EndConversation{})
	}
	s.LastActivity = t.in.now.UnixMilli()
	return Decision{Session: s, Replies: compact(t.replies), Effects: t.effects, Errs: t.errs}
}

// say adds a text reply (split when longer than WhatsApp allows).
func (t *turn) say(s string) {
	for _, part := range splitText(strings.TrimSpace(s)) {
		t.replies = append(t.replies, text(part))
	}
}

func (t *turn) reply(r Reply) { t.replies = append(t.replies, r) }

func (t *turn) effect(e Effect) { t.effects = append(t.effects, e) }

func (t *turn) end() { t.ended = true }

func (t *turn) run() {
	in := t.in
	if in.kind == kindReaction && in.raw == "" {
		t.silent = true // a reaction removed: nothing to answer
		return
	}
	m := t.m
	if m == nil || m.Root == nil || m.Root.Action.Kind != store.MenuActionMenu || len(m.Root.Children) == 0 {
		t.say(txtNoMenu)
		t.human()
		return
	}
	s := t.s
	known := s.Node == 0 || m.Node(s.Node) != nil
	if s.LastActivity == 0 || s.Mode == ModeNew || s.Mode == ModeEnded || !known {
		t.start()
		return
	}
	if in.now.UnixMilli()-s.LastActivity > t.e.opts.IdleTimeout.Milliseconds() {
		if (s.Mode == ModeField || s.Mode == ModeResume) && (len(s.Answers) > 0 || s.Step > 0) {
			t.resumeAfterTimeout()
			return
		}
		t.s = Session{}
		t.start()
		return
	}
	if s.Mode == ModeSurvey || s.Mode == ModeSurveyComment {
		t.onSurvey()
		return
	}
	if t.global() {
		return
	}
	switch s.Mode {
	case ModeOffers:
		t.onOffers()
	case ModeFeedback:
		t.onFeedback()
	case ModeOfferHelp:
		t.onOfferHelp()
	case ModeField:
		t.onField()
	case ModeLookup:
		t.onLookup()
	case ModeResume:
		t.onResume()
	default:
		t.onMenu(t.contextMenu(), false)
	}
}

// start opens a conversation: a greeting, then the first message is read
// as a choice at the top (a citizen often writes what they want at once).
func (t *turn) start() {
	t.abandon() // a form left in a node the panel deleted
	t.s = Session{}
	if wordsOptOut[t.in.norm] {
		t.optOut()
		return
	}
	t.say(greeting(firstName(t.in.profile), t.e.opts.OrgName))
	if t.global() {
		return
	}
	root := t.m.Root
	if t.in.textual() && t.in.norm != "" && !wordsGreeting[t.in.norm] && !wordsThanks[t.in.norm] {
		t.onMenu(root, true)
		return
	}
	switch t.in.kind {
	case kindMedia:
		t.say(txtMediaAtMenu)
	case kindLocation:
		t.say(txtLocationMenu)
	}
	t.showMenu(root)
}

// global handles what works at any step: menu, voltar, sair, atendente,
// opt-out words, and taps on options of earlier messages.
func (t *turn) global() bool {
	in := t.in
	if !in.textual() {
		return false
	}
	if id, ok := cutID(in.replyID, idNode); ok {
		if n := t.m.Node(id); n != nil {
			t.abandon()
			t.enter(n)
			return true
		}
	}
	if id, ok := cutID(in.replyID, idArticle); ok {
		t.abandon()
		t.showArticle(id, "", t.contextMenu())
		return true
	}
	n := in.norm
	inText := t.s.Mode == ModeField
	switch {
	case wordsOptOut[n]:
		t.optOut()
	case in.replyID == idMenu || wordsMenu[n]:
		t.abandon()
		t.showMenu(t.m.Root)
	case in.replyID == idBack || wordsBack[n]:
		t.back()
	case wordsExit[n]:
		t.abandon()
		t.say(txtGoodbye)
		t.end()
	case in.replyID == idHuman || wordsHuman[n] || (!inText && in.replyID == "" && hasHumanTerm(n)):
		t.human()
	default:
		return false
	}
	return true
}

func hasHumanTerm(norm string) bool {
	for _, w := range strings.Fields(norm) {
		if humanTerms[w] {
			return true
		}
	}
	return false
}

// cutID reads "<prefix><number>".
func cutID(id, prefix string) (int64, bool) {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n > 0
}

// contextMenu is the menu the citizen is in: the session's node, or the
// nearest menu above it, or the root.
func (t *turn) contextMenu() *Node {
	for n := t.m.Node(t.s.Node); n != nil; n = n.Parent {
		if n.Action.Kind == store.MenuActionMenu {
			return n
		}
	}
	return t.m.Root
}

// parentMenu is the menu that offers n.
func (t *turn) parentMenu(n *Node) *Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Action.Kind == store.MenuActionMenu {
			return p
		}
	}
	return t.m.Root
}

func (t *turn) optOut() {
	t.effect(OptOut{})
	t.say(txtOptOutDone)
}

// back goes one level up: from a menu to the menu above it, from anything
// else to the menu it was chosen in.
func (t *turn) back() {
	cur := t.m.Node(t.s.Node)
	t.abandon()
	if cur == nil {
		t.showMenu(t.m.Root)
		return
	}
	if t.s.Mode == ModeMenu && cur.Action.Kind == store.MenuActionMenu {
		if cur.Parent != nil {
			t.showMenu(t.parentMenu(cur))
			return
		}
		t.showMenu(cur)
		return
	}
	t.showMenu(t.contextMenu())
}

// abandon leaves a form: what was collected is kept with the contact.
func (t *turn) abandon() {
	for _, a := range t.s.Answers {
		t.effect(RecordAnswer{Answer: a})
	}
	t.s.Answers, t.s.Step, t.s.Identity = nil, 0, ""
}

// showMenu puts the options of menu n on screen.
func (t *turn) showMenu(n *Node) {
	t.s = Session{Node: n.ID, Mode: ModeMenu, Failures: t.s.Failures}
	body := n.text
	if body == "" {
		body = txtChooseOption
	}
	t.reply(choose(body, t.menuOptions(n)))
}

func (t *turn) menuOptions(n *Node) []Option {
	opts := make([]Option, 0, len(n.Children)+2)
	for i, c := range n.Children {
		opts = append(opts, Option{ID: idNode + strconv.FormatInt(c.ID, 10), Number: strconv.Itoa(i + 1), Title: c.Title})
	}
	if n.Parent != nil {
		opts = append(opts, Option{ID: idBack, Number: "0", Title: optBack})
	}
	if humanNumber(n) {
		opts = append(opts, Option{ID: idHuman, Number: "9", Title: optHuman})
	}
	return opts
}

// humanNumber reports whether "9 - Falar com atendente" is offered in n: when
// 9 is not an option number and no option already hands off.
func humanNumber(n *Node) bool {
	if len(n.Children) > 8 {
		return false
	}
	for _, c := range n.Children {
		if c.Action.Kind == store.MenuActionHandoff {
			return false
		}
	}
	return true
}

// onMenu reads a message sent while menu n is on screen; first is true for
// the first message of a conversation (no menu seen yet, nothing to count
// as a failure).
func (t *turn) onMenu(n *Node, first bool) {
	in := t.in
	switch in.kind {
	case kindMedia:
		t.failAt(n, txtMediaAtMenu, first)
		return
	case kindLocation:
		t.failAt(n, txtLocationMenu, first)
		return
	case kindSticker:
		t.failAt(n, txtSticker, first)
		return
	case kindAudio:
		t.failAt(n, txtAudio, first)
		return
	case kindContacts:
		t.failAt(n, txtContacts, first)
		return
	case kindReaction:
		t.failAt(n, txtReaction, first)
		return
	case kindOther:
		t.failAt(n, txtUnsupported, first)
		return
	}
	if in.norm == "" {
		if in.text == "" {
			t.failAt(n, txtEmpty, first)
		} else {
			t.failAt(n, txtEmojiOnly, first)
		}
		return
	}
	if t.m.lookup != nil && looksLikeProtocol(in.text) {
		t.s = Session{Node: t.m.lookup.ID, Mode: ModeLookup}
		t.onLookup()
		return
	}
	if num, ok := parseNumber(in.norm); ok {
		switch {
		case num >= 1 && num <= len(n.Children):
			t.enter(n.Children[num-1])
		case num == 0:
			t.showMenu(t.parentMenuOrSelf(n))
		case num == 9 && humanNumber(n):
			t.human()
		default:
			t.failAt(n, txtInvalidNumber(len(n.Children)), first)
		}
		return
	}
	if wordsGreeting[in.norm] {
		if !first {
			t.say(txtGreetingAgain)
		}
		t.showMenu(n)
		return
	}
	if wordsThanks[in.norm] {
		t.say(txtThanksReply)
		return
	}
	// An option whose words are all in the message wins; one that matches
	// only some of them yields to an article that has them all.
	q := words.Terms(in.head)
	target, full := t.m.index.find(q, n)
	if target != nil && full {
		t.enter(target)
		return
	}
	if t.search(n, q) {
		return
	}
	if target != nil {
		t.enter(target)
		return
	}
	if first {
		t.showMenu(n)
		return
	}
	t.failAt(n, txtNothingFound, false)
}

// looksLikeProtocol reports whether a message is just a protocol number:
// eight to twenty digits, with at most a word like "protocolo" around them.
func looksLikeProtocol(s string) bool {
	d := digits(s)
	if len(d) < 8 || len(d) > 20 {
		return false
	}
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters <= len("protocolo")
}

func (t *turn) parentMenuOrSelf(n *Node) *Node {
	if n.Parent == nil {
		return n
	}
	return t.parentMenu(n)
}

// failAt answers a message the bot could not use with why and menu n again;
// after maxFailures in a row it offers a human instead.
func (t *turn) failAt(n *Node, why string, first bool) {
	if !first {
		t.s.Failures++
	}
	t.say(why)
	if t.s.Failures >= maxFailures {
		t.offerHelp(n, txtOfferHuman, optYesHuman, optNoMenu)
		return
	}
	t.showMenu(n)
}

// offerHelp asks whether the citizen wants a person (1) or the menu (2).
func (t *turn) offerHelp(n *Node, question, human, menu string) {
	t.s = Session{Node: n.ID, Mode: ModeOfferHelp, Failures: t.s.Failures}
	t.reply(choose(question, []Option{
		{ID: idHuman, Number: "1", Title: human},
		{ID: idMenu, Number: "2", Title: menu},
	}))
}

// search offers knowledge-base articles for free text: one is shown at
// once, two or three are offered. It reports false when nothing was found.
func (t *turn) search(n *Node, q []string) bool {
	if t.e.opts.KB == nil || len(q) == 0 {
		return false
	}
	hits, err := t.e.opts.KB.SearchArticles(t.ctx, t.in.head, maxOffers)
	if err != nil {
		t.errs = append(t.errs, fmt.Errorf("bot: search: %w", err))
		return false
	}
	switch len(hits) {
	case 0:
		return false
	case 1:
		t.showArticle(hits[0].ID, "", n)
		return true
	}
	t.s = Session{Node: n.ID, Mode: ModeOffers}
	opts := make([]Option, 0, len(hits)+2)
	for i, h := range hits {
		t.s.Offers = append(t.s.Offers, h.ID)
		o := Option{ID: idArticle + strconv.FormatInt(h.ID, 10), Number: strconv.Itoa(i + 1), Title: truncate(h.Question, maxRowTitle)}
		if o.Title != h.Question {
			o.Description = truncate(h.Question, maxRowDesc)
		}
		opts = append(opts, o)
	}
	opts = append(opts, Option{ID: idBack, Number: "0", Title: optBack}, Option{ID: idHuman, Number: "9", Title: optHuman})
	t.reply(choose(txtFoundSome, opts))
	return true
}

// enter carries out the action of the option the citizen chose.
func (t *turn) enter(n *Node) {
	t.s.Failures = 0
	switch n.Action.Kind {
	case store.MenuActionMenu:
		if len(n.Children) == 0 {
			t.say(n.text)
			t.showMenu(t.parentMenu(n))
			return
		}
		t.showMenu(n)
	case store.MenuActionArticle:
		t.showArticle(n.Action.ArticleID, n.text, t.parentMenu(n))
	case store.MenuActionAsk:
		t.startForm(n)
	case store.MenuActionLookup:
		t.s = Session{Node: n.ID, Mode: ModeLookup}
		prompt := n.text
		if prompt == "" {
			prompt = txtAskProtocol
		}
		t.say(prompt)
	case store.MenuActionHandoff:
		t.openTicket(n, true)
	case store.MenuActionEnd:
		if n.text != "" {
			t.say(n.text)
		} else {
			t.say(txtGoodbye)
		}
		t.end()
	default:
		t.showMenu(t.parentMenu(n))
	}
}

// showArticle answers with an article and asks whether it helped; ctx is
// the menu to fall back to.
func (t *turn) showArticle(id int64, intro string, ctx *Node) {
	body, ok := t.articleText(id)
	if !ok {
		t.say(txtArticleGone)
		t.showMenu(ctx)
		return
	}
	t.say(joinText(intro, body))
	t.s = Session{Node: ctx.ID, Mode: ModeFeedback, Article: id}
	t.reply(choose(txtFeedbackQuestion, []Option{
		{ID: idYes, Number: "1", Title: optYes},
		{ID: idNo, Number: "2", Title: optNo},
	}))
}

// articleText is a public, active article's question and answer in WhatsApp
// formatting.
func (t *turn) articleText(id int64) (string, bool) {
	if t.e.opts.KB == nil || id == 0 {
		return "", false
	}
	a, err := t.e.opts.KB.ArticleByID(t.ctx, id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			t.errs = append(t.errs, fmt.Errorf("bot: article %d: %w", id, err))
		}
		return "", false
	}
	if !a.Active || !a.Public {
		return "", false
	}
	if c, ok := t.e.articles.Load(id); ok && c.(renderedArticle).updatedAt == a.UpdatedAt {
		return c.(renderedArticle).text, true
	}
	body := joinText("*"+strings.TrimSpace(a.Question)+"*", markdown.WhatsApp(a.Answer))
	t.e.articles.Store(id, renderedArticle{updatedAt: a.UpdatedAt, text: body})
	return body, true
}

func (t *turn) onOffers() {
	in := t.in
	n := t.contextMenu()
	if num, ok := parseNumber(in.norm); ok && in.replyID == "" {
		switch {
		case num >= 1 && num <= len(t.s.Offers):
			t.showArticle(t.s.Offers[num-1], "", n)
		case num == 0:
			t.showMenu(n)
		case num == 9:
			t.human()
		default:
			t.failAt(n, txtInvalidNumber(len(t.s.Offers)), false)
		}
		return
	}
	t.s.Mode, t.s.Offers = ModeMenu, nil
	t.onMenu(n, false)
}

func (t *turn) onFeedback() {
	in := t.in
	yn := 0
	switch in.replyID {
	case idYes:
		yn = 1
	case idNo:
		yn = -1
	}
	if yn == 0 && (in.textual() || in.kind == kindReaction) {
		if num, ok := parseNumber(in.norm); ok {
			switch num {
			case 1:
				yn = 1
			case 2:
				yn = -1
			}
		} else if wordsThanks[in.norm] {
			yn = 1
		} else {
			yn = yesNo(in.norm, in.raw)
		}
	}
	article := t.s.Article
	switch yn {
	case 1:
		t.effect(ArticleFeedback{ArticleID: article, Helpful: true})
		t.say(txtFeedbackThanks)
		t.end()
	case -1:
		t.effect(ArticleFeedback{ArticleID: article, Helpful: false})
		t.offerHelp(t.contextMenu(), txtFeedbackSorry, optHuman, optMenu)
		t.s.Failures = 0
	default:
		t.s.Mode, t.s.Article = ModeMenu, 0
		t.onMenu(t.contextMenu(), false)
	}
}

func (t *turn) onOfferHelp() {
	in := t.in
	yn := 0
	if num, ok := parseNumber(in.norm); ok && in.textual() {
		switch num {
		case 1:
			yn = 1
		case 2:
			yn = -1
		}
	} else if in.textual() {
		yn = yesNo(in.norm, in.raw)
	}
	switch yn {
	case 1:
		t.human()
	case -1:
		t.s.Failures = 0
		t.showMenu(t.m.Root)
	default:
		t.s.Mode = ModeMenu
		t.onMenu(t.contextMenu(), false)
	}
}

// human opens a ticket for "falar com um atendente" from where the citizen
// is, with whatever a half-filled form already collected.
func (t *turn) human() {
	var n *Node
	if t.m != nil {
		n = t.m.Node(t.s.Node)
		if n == nil {
			n = t.m.Root
		}
	}
	t.ticket(n, t.m.humanGroupOf(n), "", optHuman, "", true)
}

// humanGroupOf is humanGroup that tolerates a missing menu.
func (m *Menu) humanGroupOf(n *Node) int64 {
	if m == nil {
		return 0
	}
	return m.humanGroup(n)
}

// openTicket opens the ticket of an ask or handoff node n; live hands the
// conversation to a clerk.
func (t *turn) openTicket(n *Node, live bool) {
	group := n.Action.GroupID
	kind := n.Action.TicketKind
	if live {
		if group == 0 {
			group = t.m.humanGroup(n)
		}
		// A chat handed to a clerk keeps no kind unless its node names one:
		// a question at the counter is not a formal request under Lei
		// 12.527/2011, with its legal term, nor an ouvidoria manifestation.
	} else if kind == "" {
		kind = KindSolicitacao
	}
	intro := ""
	if n.Action.Kind == store.MenuActionHandoff {
		intro = n.text
	}
	t.ticket(n, group, kind, n.Path(), intro, live)
}

func (t *turn) ticket(n *Node, group int64, kind, subject, intro string, live bool) {
	var nodeID int64
	if n != nil {
		nodeID = n.ID
	}
	t.effect(OpenTicket{GroupID: group, Kind: kind, NodeID: nodeID, Subject: subject,
		Answers: t.s.Answers, Identity: t.s.Identity})
	if live {
		t.effect(HandToHuman{GroupID: group})
	}
	gh := t.groupHours(group)
	var msg string
	switch {
	case live && gh.Open:
		msg = txtHandoffOpen
	case live:
		msg = joinText(txtHandoffClosedLead, txtClosedNow(gh.Hours, gh.Next))
	default:
		msg = txtTicketOpened
		switch t.s.Identity {
		case store.IdentitySigilosa:
			msg = joinText(msg, txtSigilosaNote)
		case store.IdentityAnonima:
			msg = txtAnonimaOpened
		}
		if !gh.Open {
			msg = joinText(msg, txtClosedNow(gh.Hours, gh.Next))
		}
	}
	t.s.Answers = nil
	t.say(joinText(intro, msg))
	t.end()
}

// groupHours asks whether group works now; without an answer it is taken as
// open (never promise a wait that may not exist).
func (t *turn) groupHours(group int64) GroupHours {
	if t.e.opts.Groups == nil || group == 0 {
		return GroupHours{Open: true}
	}
	gh, err := t.e.opts.Groups.GroupHours(t.ctx, group, t.in.now)
	if err != nil {
		t.errs = append(t.errs, fmt.Errorf("bot: hours of group %d: %w", group, err))
		return GroupHours{Open: true}
	}
	return gh
}

func (t *turn) onLookup() {
	in := t.in
	node := t.m.Node(t.s.Node)
	if node == nil || node.Action.Kind != store.MenuActionLookup {
		t.showMenu(t.contextMenu())
		return
	}
	if !in.textual() {
		t.lookupFailed(txtBadProtocol)
		return
	}
	if num, ok := parseNumber(in.norm); ok && num == 0 {
		t.showMenu(t.parentMenu(node))
		return
	}
	d := digits(in.text)
	if len(d) < 5 || len(d) > 20 {
		if len(d) == 0 && hasLetters(in.text, 3) {
			// Words, not a number: the citizen wants something else.
			t.s = Session{Node: t.parentMenu(node).ID, Mode: ModeMenu}
			t.onMenu(t.parentMenu(node), false)
			return
		}
		t.lookupFailed(txtBadProtocol)
		return
	}
	if t.e.opts.Protocols == nil {
		t.say(txtLookupUnavailable)
		t.showMenu(t.parentMenu(node))
		return
	}
	p, err := t.e.opts.Protocols.LookupProtocol(t.ctx, in.contact, d)
	if err != nil {
		t.errs = append(t.errs, fmt.Errorf("bot: lookup protocol: %w", err))
		t.say(txtLookupUnavailable)
		return
	}
	if !p.Found {
		number := p.Number
		if number == "" {
			number = d
		}
		t.lookupFailed(txtProtocolNotFound(number))
		return
	}
	t.s.Failures = 0
	t.say(txtProtocolStatus(p))
	t.say(txtLookupMore)
}

func (t *turn) lookupFailed(why string) {
	t.s.Failures++
	if t.s.Failures >= maxFailures {
		why = joinText(why, txtHumanHint)
	}
	t.say(why)
}

// Forms.

// formFields are the fields node asks, the anonymity question first when it
// offers one.
func formFields(n *Node) []Field {
	if !n.Action.OfferAnonymity {
		return n.Action.Fields
	}
	anon := Field{Key: anonKey, Label: txtAnonymityLabel, Type: FieldChoice, Options: []string{optIdentified, optSigilosa, optAnonima}}
	return append([]Field{anon}, n.Action.Fields...)
}

// fieldLabel is the question of field i of node in WhatsApp formatting.
func fieldLabel(n *Node, i int) string {
	if n.Action.OfferAnonymity {
		if i == 0 {
			return txtAnonymityLabel
		}
		i--
	}
	if i < len(n.labels) {
		return n.labels[i]
	}
	return ""
}

func (t *turn) startForm(n *Node) {
	t.s = Session{Node: n.ID, Mode: ModeField}
	if len(formFields(n)) == 0 {
		t.complete(n)
		return
	}
	t.promptField(n, n.text, true)
}

// promptField asks the session's current field of node.
func (t *turn) promptField(n *Node, intro string, first bool) {
	fields := formFields(n)
	if t.s.Step >= len(fields) {
		t.complete(n)
		return
	}
	f := fields[t.s.Step]
	parts := []string{intro, fieldLabel(n, t.s.Step)}
	switch f.Type {
	case FieldCPF:
		parts = append(parts, txtHintCPF)
	case FieldPhone:
		parts = append(parts, txtHintPhone)
	case FieldDate:
		parts = append(parts, txtHintDate)
	case FieldLocation:
		parts = append(parts, txtHintLocation)
	case FieldMedia:
		parts = append(parts, txtHintMedia)
	}
	var opts []Option
	switch {
	case f.Type == FieldChoice:
		for i, o := range f.Options {
			opts = append(opts, Option{ID: idChoice + strconv.Itoa(i), Number: strconv.Itoa(i + 1), Title: o})
		}
	case f.Optional:
		parts = append(parts, txtSkipHint)
		opts = []Option{{ID: idSkip, Title: optSkip}}
	}
	if first {
		parts = append(parts, txtCancelHint)
	}
	if t.s.Failures >= maxFailures {
		opts = append(opts, Option{ID: idHuman, Title: optHuman})
	}
	r := choose(joinText(parts...), opts)
	if f.Type != FieldChoice && r.Form == FormText {
		r.Options = nil // "pular" and "atendente" are in the text already
	}
	t.reply(r)
}

func (t *turn) onField() {
	node := t.m.Node(t.s.Node)
	if node == nil || node.Action.Kind != store.MenuActionAsk {
		t.showMenu(t.contextMenu())
		return
	}
	fields := formFields(node)
	if t.s.Step >= len(fields) {
		t.complete(node)
		return
	}
	f := fields[t.s.Step]
	in := t.in
	if f.Optional && (in.replyID == idSkip || (f.Type != FieldChoice && in.textual() && wordsSkip[in.norm])) {
		t.s.Step++
		t.promptField(node, "", false)
		return
	}
	value, media, problem := fieldValue(f, in)
	if problem != "" {
		t.s.Failures++
		if t.s.Failures >= maxFailures {
			problem = joinText(problem, txtHumanHint)
		}
		t.say(problem)
		t.promptField(node, "", false)
		return
	}
	t.s.Failures = 0
	intro := ""
	if f.Key == anonKey {
		t.s.Identity = identityChoices[value]
		if t.s.Identity == store.IdentityAnonima {
			intro = txtAnonimaWarning
		}
	} else {
		t.s.Answers = append(t.s.Answers, Answer{NodeID: node.ID, Key: f.Key, Label: markdown.Plain(f.Label),
			Value: value, MessageID: in.msgID, MediaID: media, Identifying: Identifying(f)})
	}
	t.s.Step++
	t.promptField(node, intro, false)
}

// complete finishes the form of node: a ticket when it names a group or a
// kind, otherwise the answers are recorded and the menu shown again.
func (t *turn) complete(n *Node) {
	if n.Action.GroupID != 0 || n.Action.TicketKind != "" {
		t.openTicket(n, false)
		return
	}
	for _, a := range t.s.Answers {
		t.effect(RecordAnswer{Answer: a})
	}
	t.s.Answers = nil
	done := markdown.WhatsApp(n.Action.Done)
	if done == "" {
		done = txtFormDone
	}
	t.say(done)
	t.showMenu(t.parentMenu(n))
}

// resumeAfterTimeout greets a citizen back in the middle of a form: a photo
// or location that the form was waiting for is taken at once; otherwise
// they choose between continuing and starting over.
func (t *turn) resumeAfterTimeout() {
	node := t.m.Node(t.s.Node)
	if node == nil || node.Action.Kind != store.MenuActionAsk {
		t.abandon()
		t.start()
		return
	}
	t.say(greetingAgain(firstName(t.in.profile)))
	fields := formFields(node)
	if t.s.Step < len(fields) && fitsAtOnce(fields[t.s.Step], t.in) {
		t.s.Mode = ModeField
		t.onField()
		return
	}
	t.s.Mode = ModeResume
	t.reply(choose(joinText(fmt.Sprintf(txtResumeQuestion, node.Title), txtResumeSaved), []Option{
		{ID: idResume, Number: "1", Title: optContinue},
		{ID: idRestart, Number: "2", Title: optMenu},
	}))
}

// fitsAtOnce reports whether the message is plainly the answer to f.
func fitsAtOnce(f Field, in *message) bool {
	return (f.Type == FieldMedia && in.kind == kindMedia) || (f.Type == FieldLocation && in.kind == kindLocation)
}

func (t *turn) onResume() {
	node := t.m.Node(t.s.Node)
	if node == nil || node.Action.Kind != store.MenuActionAsk {
		t.abandon()
		t.showMenu(t.m.Root)
		return
	}
	in := t.in
	yn := 0
	switch in.replyID {
	case idResume:
		yn = 1
	case idRestart:
		yn = -1
	}
	if num, ok := parseNumber(in.norm); yn == 0 && ok && in.textual() {
		switch num {
		case 1:
			yn = 1
		case 2:
			yn = -1
		}
	} else if yn == 0 && in.textual() {
		yn = yesNo(in.norm, in.raw)
	}
	fields := formFields(node)
	switch {
	case yn > 0:
		t.s.Mode = ModeField
		t.promptField(node, "", false)
	case yn < 0:
		t.abandon()
		t.showMenu(t.m.Root)
	case t.s.Step < len(fields) && fitsAtOnce(fields[t.s.Step], in):
		t.s.Mode = ModeField
		t.onField()
	default:
		t.abandon()
		t.s = Session{Node: t.m.Root.ID, Mode: ModeMenu}
		t.onMenu(t.m.Root, false)
	}
}
