// Package chat is what a clerk does with a WhatsApp conversation: take it,
// read it, answer it (text, a photo, a PDF or, outside the 24-hour window, the
// approved template), resend a failed message and finish it. Replies only ever
// become outbox rows; the outbox worker sends them. Every change is announced
// on the live hub so open panels refresh.
package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"balcao/app/live"
	"balcao/app/notify"
	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/app/whatsapp"
)

// Window is how long after the citizen's last message free text may be sent.
const Window = notify.Window

// Errors a clerk may meet; the web side turns them into pt-BR messages.
var (
	// ErrNotAllowed: only the clerk holding the conversation, a supervisor or an admin may change it.
	ErrNotAllowed = errors.New("chat: not the holder of this conversation")
	// ErrWindowClosed: the citizen wrote more than 24 hours ago; only a template may be sent.
	ErrWindowClosed = errors.New("chat: 24-hour window closed")
	// ErrEmpty: nothing to send.
	ErrEmpty = errors.New("chat: empty message")
	// ErrTooLong: the text is over WhatsApp's limit.
	ErrTooLong = errors.New("chat: text too long")
	// ErrNoTemplate: no template is configured for a closed window.
	ErrNoTemplate = errors.New("chat: no template configured")
	// ErrMediaType: only JPEG/PNG photos and PDF documents may be attached.
	ErrMediaType = errors.New("chat: file type not accepted")
	// ErrMediaSize: the file is over WhatsApp's limit for its kind.
	ErrMediaSize = errors.New("chat: file too large")
	// ErrNoCitizen is returned for a message to an anonymous ticket: it has
	// no citizen to write to.
	ErrNoCitizen = errors.New("chat: anonymous ticket, no citizen to write to")
)

// Media limits of the Cloud API for what the panel attaches.
const (
	MaxImageBytes    = 5 << 20
	MaxDocumentBytes = 16 << 20
)

// Service runs the clerk's actions.
type Service struct {
	Store *store.Store
	Live  *live.Hub
	// Template and TemplateLang name the approved template for a closed window.
	Template, TemplateLang string
	// Wake tells the outbox worker a row is waiting (may be nil: it polls).
	Wake func()
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// ComplementDays is how long a ticket waits for the citizen
	// (aguardando cidadão) before it is archived (DefaultComplementDays when 0).
	ComplementDays int
	// Log receives the failures of background work such as automatic assignment (may be nil).
	Log *slog.Logger
	// Notify tells citizens outside the window through the template (may be
	// nil: PublicReply then refuses outside the window).
	Notify *notify.Notifier
}

// Actor is who acts: the logged-in user.
type Actor struct {
	ID   int64
	Role string
}

// Supervises reports whether the actor may act on any conversation.
func (a Actor) Supervises() bool {
	return a.Role == store.RoleAdmin || a.Role == store.RoleSupervisor || a.Role == store.RoleOuvidor
}

// SeesIdentities reports whether the actor may reveal who the citizen of a
// sigilosa ticket is: the ouvidor role only (not even an admin), and each
// reveal is audited (Reveal).
func (a Actor) SeesIdentities() bool { return a.Role == store.RoleOuvidor }

// Holds reports whether the actor may change conversation c.
func (a Actor) Holds(c store.Conversation) bool { return c.AssigneeID == a.ID || a.Supervises() }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// WindowOpen reports whether free text may still be sent to the contact.
func (s *Service) WindowOpen(c store.Contact) bool {
	return c.LastInboundAt > 0 && s.now().Sub(time.UnixMilli(c.LastInboundAt)) < Window
}

// Reference is how a ticket is named to the citizen (the template's {{1}}):
// its protocol number as displayed, or "nº <id>" for a ticket without one.
func Reference(c store.Conversation) string {
	if c.Protocol == "" {
		return "nº " + strconv.FormatInt(c.TicketID, 10)
	}
	return protocol.Display(c.Protocol)
}

// Assume gives the conversation to the actor; of two clerks at once, one gets
// store.ErrTicketTaken. A ticket in a group's queue is for the group's
// members (and supervisors) only.
func (s *Service) Assume(ctx context.Context, a Actor, ticketID int64) error {
	c, err := s.Store.ConversationByTicket(ctx, ticketID)
	if err != nil {
		return err
	}
	if err := s.member(ctx, a, c); err != nil {
		return err
	}
	if err := s.Store.AssignTicket(ctx, ticketID, a.ID); err != nil {
		return err
	}
	s.wake()
	s.Live.Publish(live.EventQueue, live.TicketEvent(ticketID))
	return nil
}

// Finish closes the conversation, from the status it is in now, with a
// resolution (required for tickets with a kind, see ChangeStatus).
func (s *Service) Finish(ctx context.Context, a Actor, ticketID int64, resolution string) error {
	c, err := s.holding(ctx, a, ticketID)
	if err != nil {
		return err
	}
	return s.ChangeStatus(ctx, a, ticketID, StatusChange{From: c.Status, To: store.TicketClosed, Resolution: resolution})
}

// Open loads a conversation for the actor. When the actor holds it, unread
// messages are marked read: the count goes to zero and a read receipt for the
// last inbound message is queued (blue ticks on the citizen's phone).
func (s *Service) Open(ctx context.Context, a Actor, ticketID int64) (store.Conversation, []store.ChatMessage, error) {
	c, err := s.Store.ConversationByTicket(ctx, ticketID)
	if err != nil {
		return c, nil, err
	}
	if c.AssigneeID == a.ID && c.Unread > 0 {
		if err := s.markRead(ctx, ticketID); err != nil {
			return c, nil, err
		}
		c.Unread = 0
	}
	msgs, err := s.history(ctx, c, false)
	return c, msgs, err
}

// historyLimit bounds the messages a ticket screen shows.
const historyLimit = 500

// history is what the ticket screen of c shows. A protected ticket shows only
// its own messages unless revealed: the contact's other tickets would tell who
// the citizen is. Any other ticket shows the contact's whole history but
// the messages of their sigilosa tickets, for every role: the ouvidor sees
// those only through an audited reveal.
func (s *Service) history(ctx context.Context, c store.Conversation, revealed bool) ([]store.ChatMessage, error) {
	switch {
	case c.Identity == store.IdentityAnonima || (c.Identity == store.IdentitySigilosa && !revealed):
		return s.Store.TicketHistory(ctx, c.TicketID, historyLimit)
	case revealed:
		return s.Store.ContactHistory(ctx, c.Contact.ID, historyLimit, false)
	}
	return s.Store.ContactHistory(ctx, c.Contact.ID, historyLimit, true)
}

// Reveal is Open for an ouvidor who asks to see who the citizen of a
// sigilosa ticket is: the reveal is recorded (audit log and the ticket's
// history) before anything is shown, and the whole history of the contact
// comes back. Anyone else, or a ticket that is not sigilosa, is ErrNotAllowed.
func (s *Service) Reveal(ctx context.Context, a Actor, ticketID int64) (store.Conversation, []store.ChatMessage, error) {
	c, err := s.Store.ConversationByTicket(ctx, ticketID)
	if err != nil {
		return c, nil, err
	}
	if !a.SeesIdentities() || c.Identity != store.IdentitySigilosa {
		return c, nil, ErrNotAllowed
	}
	if err := s.Store.RecordIdentityReveal(ctx, a.ID, ticketID, RevealOnTicket); err != nil {
		return c, nil, err
	}
	msgs, err := s.history(ctx, c, true)
	return c, msgs, err
}

// RevealOnTicket is the audit detail of a reveal on the ticket screen (pt-BR:
// the Auditoria page shows it).
const RevealOnTicket = "tela do atendimento"

func (s *Service) markRead(ctx context.Context, ticketID int64) error {
	wamid, waID, err := s.Store.ResetUnread(ctx, ticketID)
	if err != nil || wamid == "" {
		return err
	}
	payload, err := json.Marshal(whatsapp.MarkRead(wamid))
	if err != nil {
		return err
	}
	if err := s.Store.EnqueueMarkRead(ctx, waID, string(payload)); err != nil {
		return err
	}
	s.wake()
	s.Live.Publish(live.EventQueue)
	return nil
}

// holding loads the conversation and checks the actor may change it.
func (s *Service) holding(ctx context.Context, a Actor, ticketID int64) (store.Conversation, error) {
	c, err := s.held(ctx, a, ticketID)
	if err != nil {
		return c, err
	}
	if c.Status == store.TicketClosed {
		return c, store.ErrTicketClosed
	}
	return c, nil
}

// held loads a ticket that a may act on: a member of its group who holds it,
// or a supervisor.
func (s *Service) held(ctx context.Context, a Actor, ticketID int64) (store.Conversation, error) {
	c, err := s.Store.ConversationByTicket(ctx, ticketID)
	if err != nil {
		return c, err
	}
	if err := s.member(ctx, a, c); err != nil {
		return c, err
	}
	if !a.Holds(c) {
		return c, ErrNotAllowed
	}
	return c, nil
}

// replyable loads a ticket a holds whose citizen may get free-form messages
// now (open ticket, 24-hour window open).
func (s *Service) replyable(ctx context.Context, a Actor, ticketID int64) (store.Conversation, error) {
	c, err := s.holding(ctx, a, ticketID)
	if err != nil {
		return c, err
	}
	if c.Identity == store.IdentityAnonima {
		return c, ErrNoCitizen
	}
	if !s.WindowOpen(c.Contact) {
		return c, ErrWindowClosed
	}
	return c, nil
}

// ReplyText queues a text answer; outside the 24-hour window it refuses with ErrWindowClosed.
func (s *Service) ReplyText(ctx context.Context, a Actor, ticketID int64, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return ErrEmpty
	}
	if utf8.RuneCountInString(text) > whatsapp.MaxTextBody {
		return ErrTooLong
	}
	c, err := s.replyable(ctx, a, ticketID)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, a, c, whatsapp.Text(c.Contact.WaID, text), 0)
}

// PublicReply sends a text answer: inside the 24-hour window as text;
// outside it the template tells the citizen a reply waits ("responda para
// ler") and the text is held until they write (store.HoldTx), recorded in
// the ticket's history meanwhile. templated says which way it went.
func (s *Service) PublicReply(ctx context.Context, a Actor, ticketID int64, text string) (templated bool, err error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return false, ErrEmpty
	}
	if utf8.RuneCountInString(text) > whatsapp.MaxTextBody {
		return false, ErrTooLong
	}
	c, err := s.holding(ctx, a, ticketID)
	if err != nil {
		return false, err
	}
	if c.Identity == store.IdentityAnonima || c.Contact.WaID == store.NoWhatsAppWaID {
		return false, ErrNoCitizen
	}
	if s.WindowOpen(c.Contact) {
		return false, s.enqueue(ctx, a, c, whatsapp.Text(c.Contact.WaID, text), 0)
	}
	if s.Notify == nil || s.Template == "" {
		return false, ErrWindowClosed
	}
	err = s.Store.RecordReply(ctx, ticketID, a.ID, text, func(tx *sql.Tx) error {
		t, err := s.Store.NoticeTargetTx(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if t.OptedOut {
			return ErrWindowClosed
		}
		return s.Notify.Send(ctx, tx, t, text, notify.ReadReply, true)
	})
	if err != nil {
		return false, err
	}
	s.wake()
	s.Live.Publish(live.EventQueue, live.TicketEvent(ticketID))
	return true, nil
}

// ReplyMedia stores a photo (JPEG, PNG) or a PDF in media.db and queues it.
// The outbox payload names the file as "media:<local id>" (see store.LocalMediaRef);
// the worker uploads it and sends WhatsApp's media id instead.
func (s *Service) ReplyMedia(ctx context.Context, a Actor, ticketID int64, mime, filename string, data []byte, caption string) error {
	caption = strings.TrimSpace(caption)
	kind, limit := whatsapp.TypeImage, MaxImageBytes
	switch mime {
	case "image/jpeg", "image/png":
	case "application/pdf":
		kind, limit = whatsapp.TypeDocument, MaxDocumentBytes
	default:
		return ErrMediaType
	}
	if len(data) == 0 {
		return ErrEmpty
	}
	if len(data) > limit {
		return ErrMediaSize
	}
	if utf8.RuneCountInString(caption) > whatsapp.MaxCaption {
		return ErrTooLong
	}
	c, err := s.replyable(ctx, a, ticketID)
	if err != nil {
		return err
	}
	id, err := s.Store.Media.SaveMedia(ctx, mime, filename, data, "")
	if err != nil {
		return err
	}
	m := whatsapp.Image(c.Contact.WaID, store.LocalMediaRef(id), caption)
	if kind == whatsapp.TypeDocument {
		m = whatsapp.Document(c.Contact.WaID, store.LocalMediaRef(id), filename, caption)
	}
	return s.enqueue(ctx, a, c, m, id)
}

// SendTemplate queues the configured template with the protocol number and
// "há uma nova mensagem da equipe" as its two parameters.
func (s *Service) SendTemplate(ctx context.Context, a Actor, ticketID int64) error {
	c, err := s.holding(ctx, a, ticketID)
	if err != nil {
		return err
	}
	return s.sendTemplate(ctx, a, c, notify.MessageWaiting)
}

// sendTemplate queues the configured template with news as its {{2}}.
func (s *Service) sendTemplate(ctx context.Context, a Actor, c store.Conversation, news string) error {
	if s.Template == "" {
		return ErrNoTemplate
	}
	m := whatsapp.Template(c.Contact.WaID, s.Template, s.TemplateLang, Reference(c), notify.OneLine(news))
	return s.enqueue(ctx, a, c, m, 0)
}

func (s *Service) enqueue(ctx context.Context, a Actor, c store.Conversation, m whatsapp.OutMessage, mediaID int64) error {
	if c.Identity == store.IdentityAnonima {
		return ErrNoCitizen
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("chat: %w", err)
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, _, err = s.Store.Enqueue(ctx, store.Outgoing{
		ContactID: c.Contact.ID, TicketID: c.TicketID, AuthorID: a.ID, ToWaID: c.Contact.WaID,
		Kind: m.Type, Body: m.Summary(), Payload: string(payload), MediaID: mediaID,
	})
	if err != nil {
		return err
	}
	s.wake()
	s.Live.Publish(live.EventQueue, live.TicketEvent(c.TicketID))
	return nil
}

func (s *Service) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

// Resend queues again a message whose send failed or whose outcome is unknown.
func (s *Service) Resend(ctx context.Context, a Actor, ticketID, messageID int64) error {
	if _, err := s.holding(ctx, a, ticketID); err != nil {
		return err
	}
	t, _, err := s.Store.TicketOfMessage(ctx, messageID)
	if err != nil {
		return err
	}
	if t != ticketID {
		return store.ErrNotFound
	}
	if err := s.Store.Resend(ctx, messageID); err != nil {
		return err
	}
	s.wake()
	s.Live.Publish(live.TicketEvent(ticketID))
	return nil
}
