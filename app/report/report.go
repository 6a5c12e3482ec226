// Package report computes the Relatórios from the facts of tickets
// (store.ReportFact): volumes, times, SLA, reopenings, abandonment and
// satisfaction, and the annual report of the ouvidoria (Lei 13.460/2017,
// art. 14–15). The computations are pure: the same facts always give the
// same figures, whatever the clock; the definitions are in Definitions.
package report

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"balcao/app/store"
	"balcao/app/words"
)

// KindNone filters the tickets without a kind (plain chats).
const KindNone = store.KindNone

// Filter chooses the tickets of a report. From and To are Unix ms, To
// excluded; the zero IDs and "" kind mean "all".
type Filter struct {
	From, To     int64
	DepartmentID int64
	GroupID      int64
	UserID       int64
	Kind         string
}

// Names are the labels of ids the facts refer to, and the department of each group.
type Names struct {
	Groups      map[int64]string
	GroupDept   map[int64]int64
	Departments map[int64]string
	Users       map[int64]string
}

// Input is everything a report is computed from.
type Input struct {
	Filter Filter
	// Opened are the facts of the tickets opened in the period, Closed of
	// those closed in it (store.ReportFacts).
	Opened, Closed []store.ReportFact
	// BotOnly is the number of conversations the bot handled alone in the period.
	BotOnly  int
	Articles []store.Article
	Names    Names
	// Now (Unix ms) decides whether a first response without an answer is already late.
	Now int64
	Loc *time.Location
}

// Stats summarizes durations (ms): how many, mean, median and 90th
// percentile (nearest rank).
type Stats struct {
	N                 int
	Mean, Median, P90 int64
}

// Summarize computes Stats of values; it reorders values in place.
func Summarize(values []int64) Stats {
	s := Stats{N: len(values)}
	if s.N == 0 {
		return s
	}
	var sum int64
	for _, v := range values {
		sum += v
	}
	s.Mean = (sum + int64(s.N)/2) / int64(s.N)
	// Selection instead of a sort: linear time, and the second search only
	// looks above the first rank.
	k50, k90 := rank(50, s.N), rank(90, s.N)
	s.Median = nth(values, k50)
	s.P90 = nth(values[k50:], k90-k50)
	return s
}

// nth returns the k-th smallest of v (0-based), moving it to v[k] with the
// smaller values before it and the larger after (quickselect).
func nth(v []int64, k int) int64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		// median of three as the pivot: sorted or reversed data stay linear
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// rank is the index of the p-th percentile of n sorted values by nearest
// rank: the smallest value with at least p % of the values at or below it.
func rank(p, n int) int {
	r := (p*n + 99) / 100
	return max(r, 1) - 1
}

// DayCount is one day of the volume chart.
type DayCount struct {
	Day            time.Time
	Opened, Closed int
}

// Count is a row of a volume table.
type Count struct {
	Label          string
	Opened, Closed int
}

// SLARow is the deadlines kept and missed by one group.
type SLARow struct {
	Group string
	// ResolutionMet and ResolutionMissed count closed tickets with a deadline.
	ResolutionMet, ResolutionMissed int
	// ResponseMet, ResponseMissed and ResponsePending count opened tickets
	// with a first-response deadline (pending: not answered, not yet late).
	ResponseMet, ResponseMissed, ResponsePending int
}

// CSATRow is the satisfaction answers of one clerk or group.
type CSATRow struct {
	Label string
	// Scores counts the answers 1 to 5 (index 0 is score 1).
	Scores [5]int
	N      int
	// Mean is the average score ×100 (rounded), so 4.25 is 425.
	Mean int
}

// ArticleRow is one knowledge-base article's "Isso resolveu?" answers.
type ArticleRow struct {
	Question string
	Yes, No  int
}

// Report is the computed Relatórios page.
type Report struct {
	Filter Filter
	Days   []DayCount
	// Heat counts the opened tickets by weekday (Monday first) and hour.
	Heat                          [7][24]int
	HeatMax                       int
	ByKind, ByGroup, ByDepartment []Count
	BySubject                     []Count
	Opened, Closed                int
	// BotOnly and HandedOff: conversations the bot ended alone, tickets opened.
	BotOnly, HandedOff              int
	FirstResponse, QueueWait        Stats
	Handling, Resolution            Stats
	SLA                             []SLARow
	Reopened, Abandoned             int
	CSATByUser, CSATByGroup         []CSATRow
	CSATAll                         CSATRow
	Articles                        []ArticleRow
	ClosedWithHolder, ClosedNoTimes int
}

// keep reports whether the filter keeps a ticket; the clerk is the holder
// (its assignee), the department the one of its group.
func (in *Input) keep(f *store.ReportFact) bool {
	fl := in.Filter
	switch {
	case fl.GroupID != 0 && f.GroupID != fl.GroupID:
		return false
	case fl.DepartmentID != 0 && (f.GroupID == 0 || in.Names.GroupDept[f.GroupID] != fl.DepartmentID):
		return false
	case fl.UserID != 0 && f.AssigneeID != fl.UserID:
		return false
	case fl.Kind == KindNone && f.Kind != "":
		return false
	case fl.Kind != "" && fl.Kind != KindNone && f.Kind != fl.Kind:
		return false
	}
	return true
}

// Compute builds the report from the facts in in.
func Compute(in Input) Report {
	b := newBuilder(&in)
	for i := range in.Opened {
		b.opened(&in.Opened[i])
	}
	for i := range in.Closed {
		b.closed(&in.Closed[i])
	}
	return b.finish()
}

// builder accumulates a report one fact at a time, so that years of facts
// are never held in memory: only the durations the percentiles need.
type builder struct {
	in         *Input
	loc        *time.Location
	r          Report
	starts     []int64 // of each day of r.Days, Unix ms; ends[i] is where it stops
	ends       []int64
	lastDay    int
	kinds      [len(kindOrder)][2]int
	groups     map[int64]*[2]int
	subjects   counter
	fr, wait   []int64
	tma, res   []int64
	sla        map[int64]*SLARow
	csatUser   map[int64]*CSATRow
	csatGroup  map[int64]*CSATRow
	otherKinds counter
}

// kindOrder are the kinds a ticket may have ("" is a plain chat).
var kindOrder = [...]string{"", "solicitacao", "reclamacao", "denuncia", "sugestao", "elogio", "informacao"}

func kindIndex(k string) int {
	switch k {
	case "":
		return 0
	case "solicitacao":
		return 1
	case "reclamacao":
		return 2
	case "denuncia":
		return 3
	case "sugestao":
		return 4
	case "elogio":
		return 5
	case "informacao":
		return 6
	}
	return -1
}

func newBuilder(in *Input) *builder {
	b := &builder{in: in, loc: in.Loc, groups: map[int64]*[2]int{}, subjects: counter{}, sla: map[int64]*SLARow{},
		csatUser: map[int64]*CSATRow{}, csatGroup: map[int64]*CSATRow{}, otherKinds: counter{}}
	b.r.Filter = in.Filter
	if b.loc == nil {
		b.loc = time.UTC
	}
	first := time.UnixMilli(in.Filter.From).In(b.loc)
	for d := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, b.loc); d.UnixMilli() < in.Filter.To; d = d.AddDate(0, 0, 1) {
		b.r.Days = append(b.r.Days, DayCount{Day: d})
		b.starts = append(b.starts, d.UnixMilli())
		b.ends = append(b.ends, d.AddDate(0, 0, 1).UnixMilli())
	}
	return b
}

// day is the index in r.Days of the day of ms (-1: outside); facts come
// roughly in time order, so the last answer is tried first.
func (b *builder) day(ms int64) int {
	if i := b.lastDay; i < len(b.starts) && ms >= b.starts[i] && ms < b.ends[i] {
		return i
	}
	i, found := slices.BinarySearch(b.starts, ms)
	if !found {
		i--
	}
	if i < 0 || i >= len(b.starts) || ms >= b.ends[i] {
		return -1
	}
	b.lastDay = i
	return i
}

func (b *builder) kind(k string, opened, closed int) {
	if i := kindIndex(k); i >= 0 {
		b.kinds[i][0] += opened
		b.kinds[i][1] += closed
		return
	}
	b.otherKinds.add(KindLabel(k), opened, closed)
}

func (b *builder) group(id int64, opened, closed int) {
	g := b.groups[id]
	if g == nil {
		g = new([2]int)
		b.groups[id] = g
	}
	g[0] += opened
	g[1] += closed
}

func (b *builder) slaOf(g int64) *SLARow {
	if b.sla[g] == nil {
		b.sla[g] = &SLARow{Group: b.in.groupName(g)}
	}
	return b.sla[g]
}

// opened counts a ticket opened in the period.
func (b *builder) opened(f *store.ReportFact) {
	if !b.in.keep(f) {
		return
	}
	r := &b.r
	r.Opened++
	if i := b.day(f.CreatedAt); i >= 0 {
		r.Days[i].Opened++
		var wd, hr int
		if b.ends[i]-b.starts[i] == 24*3_600_000 {
			wd = (int(r.Days[i].Day.Weekday()) + 6) % 7
			hr = int((f.CreatedAt - b.starts[i]) / 3_600_000)
		} else { // a day when the clocks changed (summer time, before 2019)
			t := time.UnixMilli(f.CreatedAt).In(b.loc)
			wd, hr = (int(t.Weekday())+6)%7, t.Hour()
		}
		r.Heat[wd][hr]++
		r.HeatMax = max(r.HeatMax, r.Heat[wd][hr])
	}
	b.kind(f.Kind, 1, 0)
	b.group(f.GroupID, 1, 0)
	b.subjects.add(subjectLabel(f.Subject), 1, 0)
	if f.FirstResponseAt != 0 && f.FirstResponseAt >= f.CreatedAt {
		b.fr = append(b.fr, f.FirstResponseAt-f.CreatedAt)
	}
	if f.QueuedAt != 0 && f.FirstAssignAt >= f.QueuedAt {
		b.wait = append(b.wait, f.FirstAssignAt-f.QueuedAt)
	}
	if f.ResponseDueAt != 0 {
		row := b.slaOf(f.GroupID)
		switch {
		case f.FirstResponseAt != 0 && f.FirstResponseAt <= f.ResponseDueAt:
			row.ResponseMet++
		case f.FirstResponseAt != 0 || b.in.Now > f.ResponseDueAt:
			row.ResponseMissed++
		default:
			row.ResponsePending++
		}
	}
	if f.Reopened > 0 {
		r.Reopened++
	}
	if Abandoned(f) {
		r.Abandoned++
	}
}

// closed counts a ticket closed in the period.
func (b *builder) closed(f *store.ReportFact) {
	if !b.in.keep(f) {
		return
	}
	r := &b.r
	r.Closed++
	if i := b.day(f.ClosedAt); i >= 0 {
		r.Days[i].Closed++
	}
	b.kind(f.Kind, 0, 1)
	b.group(f.GroupID, 0, 1)
	b.subjects.add(subjectLabel(f.Subject), 0, 1)
	b.res = append(b.res, f.ClosedAt-f.CreatedAt)
	if h, ok := Handling(f); ok {
		b.tma = append(b.tma, h)
	}
	if f.DueAt != 0 {
		row := b.slaOf(f.GroupID)
		if f.ClosedAt <= f.DueAt {
			row.ResolutionMet++
		} else {
			row.ResolutionMissed++
		}
	}
	if f.Score >= 1 && f.Score <= 5 {
		addScore(b.csatUser, f.ScoreUserID, f.Score)
		addScore(b.csatGroup, f.ScoreGroupID, f.Score)
		r.CSATAll.Scores[f.Score-1]++
	}
}

// finish sorts, summarizes and labels what was counted.
func (b *builder) finish() Report {
	r, in := b.r, b.in
	r.BotOnly = in.BotOnly
	r.HandedOff = r.Opened
	kinds, groups, deps := counter{}, counter{}, counter{}
	for i, c := range b.kinds {
		if c[0]+c[1] > 0 {
			kinds.add(KindLabel(kindOrder[i]), c[0], c[1])
		}
	}
	for label, c := range b.otherKinds {
		kinds.add(label, c.Opened, c.Closed)
	}
	for id, c := range b.groups {
		groups.add(in.groupName(id), c[0], c[1])
		deps.add(in.deptName(id), c[0], c[1])
	}
	r.ByKind, r.ByGroup, r.ByDepartment, r.BySubject = kinds.sorted(), groups.sorted(), deps.sorted(), b.subjects.sorted()
	r.FirstResponse, r.QueueWait, r.Handling, r.Resolution = Summarize(b.fr), Summarize(b.wait), Summarize(b.tma), Summarize(b.res)
	for _, row := range b.sla {
		r.SLA = append(r.SLA, *row)
	}
	slices.SortFunc(r.SLA, func(a, b SLARow) int { return strings.Compare(a.Group, b.Group) })
	r.CSATByUser = csatRows(b.csatUser, in.userName)
	r.CSATByGroup = csatRows(b.csatGroup, in.groupName)
	finishCSAT(&r.CSATAll)
	r.CSATAll.Label = "Todos"
	for _, a := range in.Articles {
		if a.HelpfulYes+a.HelpfulNo > 0 {
			r.Articles = append(r.Articles, ArticleRow{Question: a.Question, Yes: a.HelpfulYes, No: a.HelpfulNo})
		}
	}
	slices.SortStableFunc(r.Articles, func(a, b ArticleRow) int { return (b.Yes + b.No) - (a.Yes + a.No) })
	return r
}

// Handling is the TMA of a closed ticket: from the last time it was given
// to the clerk who held it at closing, to the closing. ok is false for a
// ticket closed by nobody's holder.
func Handling(f *store.ReportFact) (int64, bool) {
	if f.ClosedAt == 0 || f.AssigneeID == 0 || f.HeldAt == 0 || f.HeldAt > f.ClosedAt {
		return 0, false
	}
	return f.ClosedAt - f.HeldAt, true
}

// Abandoned reports whether a ticket was closed after entering a queue
// without ever being given to a clerk or answered by a person.
func Abandoned(f *store.ReportFact) bool {
	return f.ClosedAt != 0 && f.Status == store.TicketClosed && f.QueuedAt != 0 && f.FirstAssignAt == 0 && f.FirstResponseAt == 0
}

func addScore(m map[int64]*CSATRow, id int64, score int) {
	if m[id] == nil {
		m[id] = &CSATRow{}
	}
	m[id].Scores[score-1]++
}

func finishCSAT(c *CSATRow) {
	sum := 0
	c.N = 0
	for i, n := range c.Scores {
		c.N += n
		sum += (i + 1) * n
	}
	if c.N > 0 {
		c.Mean = (sum*100 + c.N/2) / c.N
	}
}

func csatRows(m map[int64]*CSATRow, name func(int64) string) []CSATRow {
	out := make([]CSATRow, 0, len(m))
	for id, row := range m {
		row.Label = name(id)
		finishCSAT(row)
		out = append(out, *row)
	}
	slices.SortFunc(out, func(a, b CSATRow) int { return strings.Compare(a.Label, b.Label) })
	return out
}

func (in *Input) groupName(id int64) string {
	if id == 0 {
		return "Sem grupo"
	}
	if n, ok := in.Names.Groups[id]; ok {
		return n
	}
	return "Grupo excluído"
}

func (in *Input) deptName(group int64) string {
	if group == 0 {
		return "Sem secretaria"
	}
	if n, ok := in.Names.Departments[in.Names.GroupDept[group]]; ok {
		return n
	}
	return "Secretaria excluída"
}

func (in *Input) userName(id int64) string {
	if id == 0 {
		return "Sem atendente"
	}
	if n, ok := in.Names.Users[id]; ok {
		return n
	}
	return "Usuário excluído"
}

func subjectLabel(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "Sem assunto"
	}
	return s
}

// kindLabels are the kinds as people read them.
var kindLabels = map[string]string{
	"": "Conversa (sem tipo)", "solicitacao": "Solicitação", "reclamacao": "Reclamação", "denuncia": "Denúncia",
	"sugestao": "Sugestão", "elogio": "Elogio", "informacao": "Pedido de informação",
}

// KindLabel is a ticket kind in Portuguese.
func KindLabel(kind string) string {
	if l, ok := kindLabels[kind]; ok {
		return l
	}
	return kind
}

// StatusLabels are the ticket statuses in Portuguese.
var StatusLabels = map[string]string{
	store.TicketNew: "Novo", store.TicketQueued: "Em fila", store.TicketInService: "Em atendimento",
	store.TicketForwarded: "Encaminhado", store.TicketWaitingCit: "Aguardando cidadão", store.TicketAnswered: "Respondido",
	store.TicketClosed: "Encerrado", store.TicketReopened: "Reaberto",
}

// counter counts opened and closed tickets by label.
type counter map[string]*Count

func (c counter) add(label string, opened, closed int) {
	if c[label] == nil {
		c[label] = &Count{Label: label}
	}
	c[label].Opened += opened
	c[label].Closed += closed
}

// sorted is the rows, most opened first, then by label.
func (c counter) sorted() []Count {
	out := make([]Count, 0, len(c))
	for _, v := range c {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.Opened != b.Opened {
			return b.Opened - a.Opened
		}
		if a.Closed != b.Closed {
			return b.Closed - a.Closed
		}
		return strings.Compare(a.Label, b.Label)
	})
	return out
}

// Annual is the annual report of the ouvidoria for one year.
type Annual struct {
	Year                      int
	Total, Closed             int
	ByKind, ByStatus, Subject []Count
	FirstResponse, Resolution Stats
	Handling                  Stats
	Words                     []Count
	SLA                       []SLARow
	CSAT                      CSATRow
	Reopened, Abandoned       int
	// Chats counts the tickets of the year without a kind: conversations at
	// the counter, not manifestations, left out of every other figure.
	Chats int
}

// annualWords is how many frequent words of subjects the annual report lists.
const annualWords = 15

// ComputeAnnual builds the annual report from the facts of the tickets
// opened in the year: the manifestations (tickets with a kind; the others
// are only counted, in Chats). Statuses are today's; times are of the
// manifestations of the year that are closed.
func ComputeAnnual(year int, opened []store.ReportFact, names Names, now int64) Annual {
	b := newAnnualBuilder(year, names, now)
	for i := range opened {
		b.add(&opened[i])
	}
	return b.finish()
}

// annualBuilder accumulates the annual report one fact at a time.
type annualBuilder struct {
	a                         Annual
	in                        Input
	kinds, statuses, subjects counter
	terms                     counter
	spelled                   map[string]string
	wordsOf                   map[string][]string
	fr, res, tma              []int64
	sla                       map[int64]*SLARow
}

func newAnnualBuilder(year int, names Names, now int64) *annualBuilder {
	return &annualBuilder{a: Annual{Year: year}, in: Input{Names: names, Now: now}, kinds: counter{}, statuses: counter{},
		subjects: counter{}, terms: counter{}, spelled: map[string]string{}, wordsOf: map[string][]string{}, sla: map[int64]*SLARow{}}
}

func (b *annualBuilder) add(f *store.ReportFact) {
	a := &b.a
	if f.Kind == "" {
		a.Chats++
		return
	}
	a.Total++
	b.kinds.add(KindLabel(f.Kind), 1, 0)
	b.statuses.add(StatusLabels[f.Status], 1, 0)
	b.subjects.add(subjectLabel(f.Subject), 1, 0)
	ws, ok := b.wordsOf[f.Subject]
	if !ok { // subjects repeat (menu paths): split each once
		ws = subjectWords(f.Subject, b.spelled)
		b.wordsOf[f.Subject] = ws
	}
	for _, w := range ws {
		b.terms.add(w, 1, 0)
	}
	if f.FirstResponseAt != 0 && f.FirstResponseAt >= f.CreatedAt {
		b.fr = append(b.fr, f.FirstResponseAt-f.CreatedAt)
	}
	if f.Status == store.TicketClosed && f.ClosedAt != 0 {
		a.Closed++
		b.res = append(b.res, f.ClosedAt-f.CreatedAt)
		if h, ok := Handling(f); ok {
			b.tma = append(b.tma, h)
		}
		if f.DueAt != 0 {
			if b.sla[f.GroupID] == nil {
				b.sla[f.GroupID] = &SLARow{Group: b.in.groupName(f.GroupID)}
			}
			if f.ClosedAt <= f.DueAt {
				b.sla[f.GroupID].ResolutionMet++
			} else {
				b.sla[f.GroupID].ResolutionMissed++
			}
		}
		if f.Score >= 1 && f.Score <= 5 {
			a.CSAT.Scores[f.Score-1]++
		}
	}
	if f.Reopened > 0 {
		a.Reopened++
	}
	if Abandoned(f) {
		a.Abandoned++
	}
}

func (b *annualBuilder) finish() Annual {
	a := b.a
	a.ByKind, a.ByStatus, a.Subject = b.kinds.sorted(), b.statuses.sorted(), b.subjects.sorted()
	a.Words = b.terms.sorted()
	for i := range a.Words {
		a.Words[i].Label = b.spelled[a.Words[i].Label]
	}
	if len(a.Words) > annualWords {
		a.Words = a.Words[:annualWords]
	}
	a.FirstResponse, a.Resolution, a.Handling = Summarize(b.fr), Summarize(b.res), Summarize(b.tma)
	for _, row := range b.sla {
		a.SLA = append(a.SLA, *row)
	}
	slices.SortFunc(a.SLA, func(x, y SLARow) int { return strings.Compare(x.Group, y.Group) })
	finishCSAT(&a.CSAT)
	a.CSAT.Label = "Todos"
	return a
}

// subjectWords are the meaningful words of a subject, each once, folded
// (so "Água" and "agua" count together); spelled keeps the first spelling seen.
func subjectWords(subject string, spelled map[string]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(subject), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		k := words.Fold(w)
		if len([]rune(k)) < 3 || words.IsStopWord(k) || seen[k] {
			continue
		}
		seen[k] = true
		if _, ok := spelled[k]; !ok {
			spelled[k] = w
		}
		out = append(out, k)
	}
	return out
}
