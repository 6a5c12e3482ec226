package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"balcao/app/chat"
	"balcao/app/hours"
	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/views"
)

// Everything a clerk reads in this file is pt-BR.

// protocolPageSize is how many tickets a page of Protocolos lists.
const protocolPageSize = 50

var (
	msgCheckDigit  = "O dígito verificador não confere: o número foi digitado errado. Confira o protocolo (ex.: 2026 000123-4)."
	msgBadProtocol = "Isto não é um número de protocolo: são 11 dígitos, o ano primeiro (ex.: 2026 000123-4)."
	msgBadDate     = "Data inválida: use o calendário do campo."
	sortChoices    = []views.Choice{{Value: store.SortNewest, Label: "Mais recentes"}, {Value: store.SortOldest, Label: "Mais antigos"},
		{Value: store.SortActivity, Label: "Última atividade"}}
)

// protocolos is the ticket search; htmx requests get the results only.
func (s *Server) protocolos(w http.ResponseWriter, r *http.Request) error {
	v, err := s.protocolosView(r)
	if err != nil {
		return err
	}
	if isHTMX(r) {
		return views.ProtocolosResults(v).Render(r.Context(), w)
	}
	return views.ProtocolosPage(s.page(r, "Protocolos", "protocolos"), v).Render(r.Context(), w)
}

func (s *Server) protocolosView(r *http.Request) (views.ProtocolosView, error) {
	q := r.URL.Query()
	v := views.ProtocolosView{Filter: q, Sorts: sortChoices, Statuses: statusChoices(),
		Kinds: append(slices.Clone(views.TicketKindChoices[1:]), views.Choice{Value: store.KindNone, Label: "Conversa (sem tipo)"})}
	if err := s.filterChoices(r, &v); err != nil {
		return v, err
	}
	f, problem := ticketFilter(q)
	if problem != "" {
		v.Problem = problem
		return v, nil
	}
	a := actor(r)
	f.SeesProtected = a.SeesIdentities()
	rows, next, err := s.store.SearchTickets(r.Context(), f)
	if err != nil {
		return v, err
	}
	if err := s.auditContactSearch(r, a, f, rows); err != nil {
		return v, err
	}
	now := time.Now()
	for _, t := range rows {
		v.Rows = append(v.Rows, protocolRow(t, now))
	}
	if next != nil {
		nq := cloneValues(q)
		nq.Set("apos", strconv.FormatInt(next.Key, 10)+"."+strconv.FormatInt(next.ID, 10))
		v.NextURL = "/protocolos?" + nq.Encode()
	}
	if q.Has("apos") {
		fq := cloneValues(q)
		fq.Del("apos")
		v.FirstURL = "/protocolos?" + fq.Encode()
	}
	return v, nil
}

// ticketFilter reads the query string; a problem is a pt-BR message.
func ticketFilter(q url.Values) (store.TicketFilter, string) {
	f := store.TicketFilter{Contact: strings.TrimSpace(q.Get("contato")), Text: q.Get("texto"), Sort: q.Get("ordem"),
		Limit: protocolPageSize}
	if typed := strings.TrimSpace(q.Get("protocolo")); typed != "" {
		n, err := protocol.Parse(typed)
		if errors.Is(err, protocol.ErrCheckDigit) {
			return f, msgCheckDigit
		}
		if err != nil {
			return f, msgBadProtocol
		}
		f.Protocol = n.Digits()
	}
	if k := q.Get("tipo"); k == store.KindNone || slices.ContainsFunc(views.TicketKindChoices, func(c views.Choice) bool { return c.Value == k }) {
		f.Kind = k
	}
	if _, ok := ticketStatusLabels[q.Get("situacao")]; ok {
		f.Status = q.Get("situacao")
	}
	f.Overdue = q.Get("atrasados") == "1"
	f.GroupID = queryID(q, "grupo")
	f.DepartmentID = queryID(q, "secretaria")
	if q.Get("responsavel") == "ninguem" {
		f.AssigneeID = store.NoAssignee
	} else {
		f.AssigneeID = queryID(q, "responsavel")
	}
	var ok bool
	if f.From, ok = dayStart(q.Get("de"), 0); !ok {
		return f, msgBadDate
	}
	if f.To, ok = dayStart(q.Get("ate"), 1); !ok {
		return f, msgBadDate
	}
	if key, id, found := strings.Cut(q.Get("apos"), "."); found {
		k, err1 := strconv.ParseInt(key, 10, 64)
		i, err2 := strconv.ParseInt(id, 10, 64)
		if err1 == nil && err2 == nil {
			f.After = &store.TicketCursor{Key: k, ID: i}
		}
	}
	return f, ""
}

// dayStart is the start (Unix ms, the city's time) of the day typed as
// 2006-01-02, plus days; "" is 0 (no bound).
func dayStart(s string, days int) (int64, bool) {
	if s = strings.TrimSpace(s); s == "" {
		return 0, true
	}
	d, err := time.ParseInLocation(time.DateOnly, s, hours.SaoPaulo())
	if err != nil {
		return 0, false
	}
	return d.AddDate(0, 0, days).UnixMilli(), true
}

func queryID(q url.Values, name string) int64 {
	id, err := strconv.ParseInt(q.Get(name), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		if len(vs) > 0 && vs[0] != "" {
			out[k] = slices.Clone(vs)
		}
	}
	return out
}

func statusChoices() []views.Choice {
	order := []string{store.TicketNew, store.TicketQueued, store.TicketInService, store.TicketForwarded,
		store.TicketWaitingCit, store.TicketAnswered, store.TicketClosed, store.TicketReopened}
	out := make([]views.Choice, len(order))
	for i, st := range order {
		out[i] = views.Choice{Value: st, Label: ticketStatusLabels[st]}
	}
	return out
}

// filterChoices fills the selects of groups, departments and clerks.
func (s *Server) filterChoices(r *http.Request, v *views.ProtocolosView) error {
	groups, err := s.store.ListGroups(r.Context())
	if err != nil {
		return err
	}
	for _, g := range groups {
		v.Groups = append(v.Groups, views.Choice{Value: strconv.FormatInt(g.ID, 10), Label: g.Name})
	}
	deps, err := s.store.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	for _, d := range deps {
		v.Departments = append(v.Departments, views.Choice{Value: strconv.FormatInt(d.ID, 10), Label: d.Name})
	}
	users, err := s.store.ListUsers(r.Context())
	if err != nil {
		return err
	}
	v.Assignees = append(v.Assignees, views.Choice{Value: "ninguem", Label: "Ninguém (na fila)"})
	for _, u := range users {
		v.Assignees = append(v.Assignees, views.Choice{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
	}
	return nil
}

// auditContactSearch records the sigilosa tickets an ouvidor's search by a
// citizen's name or number found: the results tie them to that citizen.
func (s *Server) auditContactSearch(r *http.Request, a chat.Actor, f store.TicketFilter, rows []store.TicketRow) error {
	if !f.SeesProtected || f.Contact == "" {
		return nil
	}
	var ids []int64
	for _, t := range rows {
		if t.Identity == store.IdentitySigilosa {
			ids = append(ids, t.ID)
		}
	}
	return s.auditProtectedRows(r.Context(), a, ids, "busca em Protocolos por “"+clipRunes(f.Contact, 60)+"”")
}

// protocolRow is a ticket as the results show it; a protected one has no
// name, number or link to a contact.
func protocolRow(t store.TicketRow, now time.Time) views.ProtocolRow {
	row := views.ProtocolRow{URL: convURL(t.ID), Protocol: protocol.Display(t.Protocol), Kind: kindName(t.Kind),
		Status: ticketStatusLabels[t.Status], Subject: t.Subject, Group: t.GroupName, Assignee: t.AssigneeName,
		Created: brDate(t.CreatedAt), Age: age(now, t.CreatedAt), Identity: identityLabels[t.Identity],
		Overdue: t.Overdue}
	if masked := maskedPerson(t.Identity); masked != "" {
		row.Contact = masked
		return row
	}
	row.Contact, row.Phone, row.ContactURL = t.ContactName, phone(t.ContactWaID), views.ContatoURL(t.ContactID)
	return row
}

func convURL(id int64) string { return "/atendimentos/" + strconv.FormatInt(id, 10) }

func kindName(kind string) string {
	if kind == "" {
		return "Conversa"
	}
	return kindLabel(kind)
}

// brDate is a Unix ms time as people in the city read it.
func brDate(ms int64) string {
	if ms == 0 {
		return "—"
	}
	return time.UnixMilli(ms).In(hours.SaoPaulo()).Format("02/01/2006 15:04")
}

// age says how long ago ms was, roughly.
func age(now time.Time, ms int64) string {
	d := now.Sub(time.UnixMilli(ms))
	switch {
	case d < time.Hour:
		return strconv.Itoa(max(0, int(d/time.Minute))) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " dias"
}

// phone formats a Brazilian WhatsApp id (55 + DDD + number) for reading.
func phone(waID string) string {
	if len(waID) < 12 || !strings.HasPrefix(waID, "55") {
		return "+" + waID
	}
	n := waID[4:]
	return "+55 (" + waID[2:4] + ") " + n[:len(n)-4] + "-" + n[len(n)-4:]
}
