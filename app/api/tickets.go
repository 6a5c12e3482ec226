package api

import (
	"encoding/base64"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"balcao/app/chat"
	"balcao/app/live"
	"balcao/app/protocol"
	"balcao/app/store"
)

// Limits of what the API accepts.
const (
	defaultLimit   = 50
	maxLimit       = 200
	maxMessages    = 1000
	maxSubject     = 200
	maxDescription = 4000
	maxName        = 120
)

// Ticket is a ticket in API answers.
type Ticket struct {
	Protocol        string `json:"protocol"`
	ProtocolDisplay string `json:"protocol_display"`
	Status          string `json:"status"`
	StatusLabel     string `json:"status_label"`
	Kind            string `json:"kind,omitempty"`
	KindLabel       string `json:"kind_label,omitempty"`
	Subject         string `json:"subject"`
	GroupID         int64  `json:"group_id,omitempty"`
	GroupName       string `json:"group_name,omitempty"`
	// Identity is normal, sigilosa (the citizen is known only to the
	// ouvidoria) or anonima (no citizen at all).
	Identity string `json:"identity"`
	// Anonymous is identity other than normal, as before identity existed.
	Anonymous bool       `json:"anonymous"`
	Assignee  string     `json:"assignee,omitempty"`
	Citizen   *Citizen   `json:"citizen,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	// Resolution is what was done, written when it closed.
	Resolution string `json:"resolution,omitempty"`
	// Survey is the citizen's satisfaction answer, once given.
	Survey *Survey `json:"survey,omitempty"`
	// Deadlines are the ticket's deadlines (README "Prazos").
	Deadlines Deadlines `json:"deadlines"`
	Messages  []Message `json:"messages,omitempty"`
	History   []Change  `json:"history,omitempty"`
}

// Deadlines are a ticket's deadlines; a time is left out when there is none.
type Deadlines struct {
	// FirstResponseAt is when a person first wrote to the citizen on it.
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	// ResponseDueAt is when the first response is due (the group's target).
	ResponseDueAt *time.Time `json:"response_due_at,omitempty"`
	// DueAt is when it must be resolved (the legal term of its kind, or the group's target).
	DueAt    *time.Time `json:"due_at,omitempty"`
	Extended bool       `json:"extended"`
	// DepartmentDueAt is when the department it was forwarded to must answer.
	DepartmentDueAt    *time.Time `json:"department_due_at,omitempty"`
	DepartmentExtended bool       `json:"department_extended"`
	// PausedSince is when the clock stopped, waiting for the citizen.
	PausedSince *time.Time `json:"paused_since,omitempty"`
	// Overdue is the panel's "atrasado".
	Overdue bool `json:"overdue"`
}

// deadlinesView is d in API form, late or not at now.
func deadlinesView(d store.TicketDeadlines, now time.Time) Deadlines {
	at := func(v int64) *time.Time {
		if v == 0 {
			return nil
		}
		t := ms(v)
		return &t
	}
	return Deadlines{FirstResponseAt: at(d.FirstResponseAt), ResponseDueAt: at(d.ResponseDueAt), DueAt: at(d.DueAt),
		Extended: d.Extended, DepartmentDueAt: at(d.DeptDueAt), DepartmentExtended: d.DeptExtended,
		PausedSince: at(d.PausedAt), Overdue: d.Overdue(now.UnixMilli())}
}

// Survey is a citizen's 1–5 score of a closed ticket, with their comment.
type Survey struct {
	Score   int    `json:"score"`
	Comment string `json:"comment,omitempty"`
}

// Citizen is the WhatsApp contact of a ticket; never given for a protected
// (sigilosa or anônima) ticket: API tokens are not the ouvidor.
type Citizen struct {
	WaID string `json:"wa_id"`
	Name string `json:"name,omitempty"`
}

// Message is one message of a ticket.
type Message struct {
	ID        int64     `json:"id"`
	Direction string    `json:"direction"`
	Type      string    `json:"type"`
	Body      string    `json:"body"`
	Status    string    `json:"status"`
	Author    string    `json:"author,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Change is one recorded change of a ticket: a status change, an
// assignment, a forward or an internal note.
type Change struct {
	Kind string `json:"kind"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Comment is internal unless Public (then the citizen was told it).
	Comment string    `json:"comment,omitempty"`
	Public  bool      `json:"public"`
	Author  string    `json:"author,omitempty"`
	At      time.Time `json:"at"`
}

// protectedData replaces, on a protected ticket, a message that carried an
// answer identifying the citizen (CPF, phone, name…).
const protectedData = "dado protegido"

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func ticketView(t store.APITicket) Ticket {
	v := Ticket{Protocol: t.Protocol, ProtocolDisplay: protocol.Display(t.Protocol), Status: t.Status,
		StatusLabel: statusLabels[t.Status], Kind: t.Kind, KindLabel: kindLabels[t.Kind], Subject: t.Subject,
		GroupID: t.GroupID, GroupName: t.GroupName, Identity: t.Identity, Anonymous: store.Protected(t.Identity), Assignee: t.AssigneeName,
		CreatedAt: ms(t.CreatedAt), UpdatedAt: ms(t.UpdatedAt)}
	if t.ClosedAt != 0 {
		c := ms(t.ClosedAt)
		v.ClosedAt = &c
	}
	v.Resolution = t.Resolution
	v.Deadlines = deadlinesView(t.Deadlines, time.Now())
	if t.SurveyScore != 0 {
		v.Survey = &Survey{Score: t.SurveyScore, Comment: t.SurveyComment}
	}
	// The store already blanks the contact of protected tickets; checking
	// here too keeps a later query change from leaking it.
	if t.WaID != "" && !store.Protected(t.Identity) {
		v.Citizen = &Citizen{WaID: t.WaID, Name: t.ContactName}
	}
	return v
}

// TicketList is a page of tickets; NextCursor is "" on the last page.
type TicketList struct {
	Tickets    []Ticket `json:"tickets"`
	NextCursor string   `json:"next_cursor,omitempty"`
}

// listTickets lists and searches tickets, newest first, a page at a time.
func (a *API) listTickets(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilter(r)
	if err != nil {
		return err
	}
	list, err := a.store.APITickets(r.Context(), f)
	if err != nil {
		return err
	}
	out := TicketList{Tickets: []Ticket{}}
	for _, t := range list {
		out.Tickets = append(out.Tickets, ticketView(t))
	}
	if len(list) == f.Limit {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(list[len(list)-1].ID, 10)))
	}
	return writeJSON(w, http.StatusOK, out)
}

// parseFilter reads the list's query; every problem is named in one 400.
func parseFilter(r *http.Request) (store.APITicketFilter, error) {
	q := r.URL.Query()
	f := store.APITicketFilter{Limit: defaultLimit, Status: q.Get("status"), Kind: q.Get("kind")}
	bad := map[string]string{}
	if p := q.Get("protocol"); p != "" {
		n, err := protocol.Parse(p)
		if err != nil {
			bad["protocol"] = "not a valid protocol number (wrong check digit?)"
		}
		f.Protocol = n.Digits()
	}
	if _, ok := statusLabels[f.Status]; f.Status != "" && !ok {
		bad["status"] = "unknown status"
	}
	if _, ok := kindLabels[f.Kind]; f.Kind != "" && !ok {
		bad["kind"] = "unknown kind"
	}
	if g := q.Get("group"); g != "" {
		id, err := strconv.ParseInt(g, 10, 64)
		if err != nil || id <= 0 {
			bad["group"] = "must be a group id"
		}
		f.GroupID = id
	}
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			bad["since"] = "must be an RFC 3339 time, e.g. 2026-11-01T00:00:00-03:00"
		}
		f.Since = t.UnixMilli()
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxLimit {
			bad["limit"] = "must be between 1 and " + strconv.Itoa(maxLimit)
		}
		f.Limit = n
	}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		id, err2 := strconv.ParseInt(string(b), 10, 64)
		if err != nil || err2 != nil || id <= 0 {
			bad["cursor"] = "not a cursor this API gave"
		}
		f.Before = id
	}
	if len(bad) > 0 {
		return f, &Error{Status: http.StatusBadRequest, Code: "bad_query", Message: "invalid query parameters", Fields: bad}
	}
	return f, nil
}

// ticket finds the ticket named by the {protocol} path value: 400 for a
// malformed number or a wrong check digit, 404 for an unknown one.
func (a *API) ticket(r *http.Request) (store.APITicket, error) {
	n, err := protocol.Parse(r.PathValue("protocol"))
	if err != nil {
		return store.APITicket{}, apiError(http.StatusBadRequest, "bad_protocol", "not a valid protocol number (wrong check digit?)")
	}
	t, err := a.store.APITicketByProtocol(r.Context(), n.Digits())
	if errors.Is(err, store.ErrNotFound) {
		return t, apiError(http.StatusNotFound, "ticket_not_found", "no ticket with protocol %s", n)
	}
	return t, err
}

// getTicket shows one ticket with its messages and its history.
func (a *API) getTicket(w http.ResponseWriter, r *http.Request) error {
	t, err := a.ticket(r)
	if err != nil {
		return err
	}
	msgs, err := a.store.APITicketMessages(r.Context(), t.ID, maxMessages)
	if err != nil {
		return err
	}
	changes, err := a.store.TicketChanges(r.Context(), t.ID)
	if err != nil {
		return err
	}
	v := ticketView(t)
	v.Messages, v.History = []Message{}, []Change{}
	// A token is not the ouvidor: a protected ticket's citizen is hidden in
	// the messages too (the bot greets people by name).
	var mask *store.Redactor
	if store.Protected(t.Identity) {
		c, err := a.store.TicketContact(r.Context(), t.ID)
		if err != nil {
			return err
		}
		rd := store.NewRedactor(c)
		mask = &rd
	}
	for _, m := range msgs {
		body := m.Body
		if mask != nil {
			body = mask.Redact(body, "["+protectedData+"]")
			if m.Identifying {
				body = protectedData
			}
		}
		v.Messages = append(v.Messages, Message{ID: m.ID, Direction: m.Direction, Type: m.Type, Body: body,
			Status: m.Status, Author: m.AuthorName, CreatedAt: ms(m.CreatedAt)})
	}
	for _, c := range changes {
		v.History = append(v.History, Change{Kind: c.Kind, From: c.From, To: c.To, Comment: c.Comment,
			Public: c.Public, Author: c.UserName, At: ms(c.At)})
	}
	return writeJSON(w, http.StatusOK, v)
}

// NewTicket is the body of POST /tickets.
type NewTicket struct {
	Kind        string   `json:"kind"`
	Subject     string   `json:"subject"`
	Description string   `json:"description"`
	GroupID     int64    `json:"group_id"`
	Anonymous   bool     `json:"anonymous"`
	Citizen     *Citizen `json:"citizen"`
}

var waIDPattern = regexp.MustCompile(`^[1-9][0-9]{7,14}$`)

// validate lists every problem of the request by field.
func (n *NewTicket) validate() map[string]string {
	bad := map[string]string{}
	n.Subject, n.Description = strings.TrimSpace(n.Subject), strings.TrimSpace(n.Description)
	if _, ok := kindLabels[n.Kind]; !ok {
		bad["kind"] = "must be one of solicitacao, reclamacao, denuncia, sugestao, elogio, informacao"
	}
	switch l := utf8.RuneCountInString(n.Subject); {
	case l == 0:
		bad["subject"] = "required"
	case l > maxSubject:
		bad["subject"] = "at most " + strconv.Itoa(maxSubject) + " characters"
	}
	switch l := utf8.RuneCountInString(n.Description); {
	case l == 0:
		bad["description"] = "required"
	case l > maxDescription:
		bad["description"] = "at most " + strconv.Itoa(maxDescription) + " characters"
	}
	if n.GroupID < 0 {
		bad["group_id"] = "must be a group id"
	}
	if c := n.Citizen; c != nil {
		c.WaID = strings.TrimPrefix(strings.TrimSpace(c.WaID), "+")
		c.Name = strings.TrimSpace(c.Name)
		switch {
		case n.Anonymous:
			bad["citizen"] = "an anonymous ticket keeps no link to a citizen; leave citizen out"
		case !waIDPattern.MatchString(c.WaID):
			bad["citizen.wa_id"] = "must be the WhatsApp number in international format, digits only (e.g. 5514999998888)"
		case utf8.RuneCountInString(c.Name) > maxName:
			bad["citizen.name"] = "at most " + strconv.Itoa(maxName) + " characters"
		}
	}
	return bad
}

// Created is the answer to POST /tickets.
type Created struct {
	Protocol        string `json:"protocol"`
	ProtocolDisplay string `json:"protocol_display"`
}

// createTicket opens a ticket (e.g. from the city's website).
func (a *API) createTicket(w http.ResponseWriter, r *http.Request) error {
	var n NewTicket
	if err := decode(w, r, &n); err != nil {
		return err
	}
	if bad := n.validate(); len(bad) > 0 {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: "the ticket has invalid fields", Fields: bad}
	}
	if n.GroupID != 0 {
		if _, err := a.store.GroupByID(r.Context(), n.GroupID); errors.Is(err, store.ErrNotFound) {
			return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: "the ticket has invalid fields",
				Fields: map[string]string{"group_id": "no such group"}}
		} else if err != nil {
			return err
		}
	}
	nt := store.APINewTicket{Kind: n.Kind, Subject: n.Subject, Description: n.Description, GroupID: n.GroupID, Anonymous: n.Anonymous}
	if n.Citizen != nil {
		nt.WaID, nt.Name = n.Citizen.WaID, n.Citizen.Name
	}
	o, err := a.store.CreateAPITicket(r.Context(), nt)
	if err != nil {
		return err
	}
	a.wake()
	a.chat.Live.Publish(live.EventQueue, live.TicketEvent(o.ID))
	w.Header().Set("Location", Prefix+"/tickets/"+o.Protocol)
	return writeJSON(w, http.StatusCreated, Created{Protocol: o.Protocol, ProtocolDisplay: protocol.Display(o.Protocol)})
}

// ReplyRequest is the body of POST /tickets/{protocol}/replies.
type ReplyRequest struct {
	Text string `json:"text"`
	// Template sends the approved template instead, when the 24-hour window is closed.
	Template bool `json:"template"`
}

// Queued says a message waits in the outbox.
type Queued struct {
	Queued   bool   `json:"queued"`
	Template bool   `json:"template"`
	Protocol string `json:"protocol"`
}

// reply queues a public reply to the citizen, with the panel's rules.
func (a *API) reply(w http.ResponseWriter, r *http.Request) error {
	var req ReplyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t, err := a.ticket(r)
	if err != nil {
		return err
	}
	// A sigilosa ticket's citizen is masked here but still gets replies.
	if t.Identity == store.IdentityAnonima || (t.WaID == "" && t.Identity == store.IdentityNormal) {
		return apiError(http.StatusConflict, "no_citizen", "this ticket has no citizen on WhatsApp to reply to (anonymous or opened without one)")
	}
	actor, templated := actorOf(r), req.Template
	if req.Template {
		err = a.chat.SendTemplate(r.Context(), actor, t.ID)
	} else {
		templated, err = a.chat.PublicReply(r.Context(), actor, t.ID, req.Text)
	}
	if err := replyError(err); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, Queued{Queued: true, Template: templated, Protocol: t.Protocol})
}

// replyError maps app/chat's refusals to API errors.
func replyError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, chat.ErrWindowClosed):
		return apiError(http.StatusConflict, "window_closed",
			"the citizen last wrote more than 24 hours ago and no template may be sent (none configured, or the citizen opted out)")
	case errors.Is(err, chat.ErrNoCitizen):
		return apiError(http.StatusConflict, "no_citizen", "this ticket has no citizen on WhatsApp to reply to (anonymous)")
	case errors.Is(err, chat.ErrNoTemplate):
		return apiError(http.StatusConflict, "no_template", "no WhatsApp template is configured (BALCAO_WA_TEMPLATE)")
	case errors.Is(err, store.ErrTicketClosed):
		return apiError(http.StatusConflict, "ticket_closed", "the ticket is closed; reopen it first")
	case errors.Is(err, chat.ErrEmpty):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: "nothing to send", Fields: map[string]string{"text": "required"}}
	case errors.Is(err, chat.ErrTooLong):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: "text too long", Fields: map[string]string{"text": "over WhatsApp's limit"}}
	}
	return err
}

// actorOf is who acts for a token in app/chat: the admin who created it
// (0 for tokens made on the command line), with a supervisor's reach, since
// the city's systems act on every group's tickets.
func actorOf(r *http.Request) chat.Actor {
	return chat.Actor{ID: tokenFrom(r.Context()).CreatedBy, Role: store.RoleAdmin}
}

// NoteRequest is the body of POST /tickets/{protocol}/notes.
type NoteRequest struct {
	Text string `json:"text"`
}

// note records an internal note in the ticket's history; it is never sent.
func (a *API) note(w http.ResponseWriter, r *http.Request) error {
	var req NoteRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	req.Text = strings.TrimSpace(req.Text)
	switch l := utf8.RuneCountInString(req.Text); {
	case l == 0:
		return invalid("empty note", "text", "required")
	case l > chat.MaxComment:
		return invalid("note too long", "text", "at most "+strconv.Itoa(chat.MaxComment)+" characters")
	}
	t, err := a.ticket(r)
	if err != nil {
		return err
	}
	if err := a.store.AddNote(r.Context(), t.ID, actorOf(r).ID, req.Text); err != nil {
		return err
	}
	a.chat.Live.Publish(live.TicketEvent(t.ID))
	return writeJSON(w, http.StatusCreated, Recorded{Recorded: true, Protocol: t.Protocol})
}

// Recorded says a change was stored.
type Recorded struct {
	Recorded bool   `json:"recorded"`
	Protocol string `json:"protocol"`
}

// StatusRequest is the body of POST /tickets/{protocol}/status.
type StatusRequest struct {
	Status string `json:"status"`
	// Comment is recorded with the change; Public also sends it to the
	// citizen with the news of the change.
	Comment string `json:"comment"`
	Public  bool   `json:"public"`
	// Resolution is what was done, when closing (encerrado): required for
	// tickets with a kind, sent to the citizen.
	Resolution string `json:"resolution"`
}

// changeStatus moves the ticket along the workflow (app/chat), whose
// transaction also queues the outgoing webhooks.
func (a *API) changeStatus(w http.ResponseWriter, r *http.Request) error {
	var req StatusRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if _, ok := statusLabels[req.Status]; !ok {
		return invalid("unknown status", "status", "unknown status")
	}
	t, err := a.ticket(r)
	if err != nil {
		return err
	}
	err = a.chat.ChangeStatus(r.Context(), actorOf(r), t.ID, chat.StatusChange{From: t.Status, To: req.Status, Comment: req.Comment,
		Public: req.Public, Resolution: req.Resolution})
	switch {
	case errors.Is(err, chat.ErrBadTransition):
		return apiError(http.StatusConflict, "invalid_transition", "a ticket cannot go from %s to %s here", t.Status, req.Status)
	case errors.Is(err, store.ErrStatusConflict):
		return apiError(http.StatusConflict, "status_changed", "the ticket's status changed meanwhile; read it again")
	case errors.Is(err, chat.ErrNoResolution):
		return invalid("a ticket with a kind is closed with a resolution", "resolution", "required")
	case errors.Is(err, chat.ErrTooLong):
		return invalid("comment or resolution too long", "comment", "comment and resolution: at most "+strconv.Itoa(chat.MaxComment)+" characters each")
	case err != nil:
		return err
	}
	// The workflow queues the outgoing webhooks in the change's own
	// transaction (store.TransitionTicketTx).
	a.wake()
	t, err = a.store.APITicketByProtocol(r.Context(), t.Protocol)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ticketView(t))
}

// invalid is a 422 naming one field.
func invalid(msg, field, problem string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: msg, Fields: map[string]string{field: problem}}
}
