package inbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"balcao/app/bot"
	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/app/whatsapp"
)

// sessionRetention is how long an idle bot session is kept. The engine
// restarts a conversation idle past its timeout, but a form left half-way
// is offered to be resumed, so its session outlives the timeout by far.
const sessionRetention = 7 * 24 * time.Hour

// botReady reports whether e has a menu to talk with: without one the
// processor queues every message for the clerks, as before the bot existed.
func botReady(e *bot.Engine) bool {
	if e == nil {
		return false
	}
	m := e.Menu()
	return m != nil && m.Root != nil && m.Root.Action.Kind == store.MenuActionMenu && len(m.Root.Children) > 0
}

// BotReady reports whether the bot answers the citizens now (it has a menu):
// only then can it read the answers of a satisfaction survey.
func (p *Processor) BotReady() bool { return botReady(p.bot) }

// drainBot processes pending messages one at a time, through the bot unless
// the contact's chat is in a clerk's hands.
func (p *Processor) drainBot(ctx context.Context) {
	for ctx.Err() == nil {
		pending, err := p.store.PendingInbound(ctx, batchSize)
		if err != nil {
			if ctx.Err() == nil {
				p.log.Error("reading inbound messages", "err", err)
			}
			return
		}
		var routed []store.RoutedMessage
		queued := false
		for _, m := range pending {
			r, sent, err := p.processOne(ctx, m)
			if err != nil && ctx.Err() == nil {
				p.log.Error("bot: processing an inbound message; handing it to the clerks", "message", m.ID, "err", err)
				r, sent, err = p.toQueue(ctx, m)
			}
			if err != nil {
				if ctx.Err() == nil {
					p.log.Error("inbox: queueing an inbound message", "message", m.ID, "err", err)
				}
				// The message is not lost: it stays pending and is tried again.
				break
			}
			queued = queued || sent
			if r.TicketID != 0 {
				routed = append(routed, r)
			}
		}
		if queued {
			p.sent()
		}
		if len(routed) > 0 {
			p.routed(routed)
		}
		if len(pending) < batchSize {
			return
		}
	}
}

// processOne finishes one inbound message; sent says replies were queued.
func (p *Processor) processOne(ctx context.Context, m store.PendingInbound) (store.RoutedMessage, bool, error) {
	r := store.RoutedMessage{MessageID: m.ID, ContactID: m.ContactID, TicketID: m.TicketID}
	if m.TicketID != 0 {
		// Stored into the clerk's ticket at ingest: only a ticket that
		// waited for the citizen moves on.
		released := 0
		_, err := p.store.FinishInbound(ctx, m.ID, func(tx *sql.Tx) (err error) {
			if released, err = p.store.ReleaseHeldTx(ctx, tx, m.ContactID); err != nil {
				return err
			}
			return p.store.ResumeTicketTx(ctx, tx, m.TicketID)
		})
		return r, released > 0, err
	}
	row, err := p.store.BotSession(ctx, m.ContactID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return r, false, err
	}
	sess, err := bot.DecodeSession(row.State)
	if err != nil {
		p.log.Warn("bot: a stored session did not decode; starting over", "contact", m.ContactID, "err", err)
	}
	d := p.bot.Decide(ctx, sess, botInput(m))
	for _, err := range d.Errs {
		p.log.Warn("bot: a dependency failed; the bot worked around it", "contact", m.ContactID, "err", err)
	}
	sent := false
	_, err = p.store.FinishInbound(ctx, m.ID, func(tx *sql.Tx) error {
		// The citizen wrote: what waited for the window goes first.
		released, err := p.store.ReleaseHeldTx(ctx, tx, m.ContactID)
		if err != nil {
			return err
		}
		sent = released > 0
		chat, err := p.store.ChatTicketTx(ctx, tx, m.ContactID)
		if err != nil {
			return err
		}
		if chat != 0 {
			// A clerk's chat opened since (an earlier message's hand-off): the
			// bot stays silent and the message joins it.
			r.TicketID = chat
			if err := p.store.AttachInboundTx(ctx, tx, m.ID, chat); err != nil {
				return err
			}
			return p.store.ResumeTicketTx(ctx, tx, chat)
		}
		r.TicketID, r.NewTicket, err = p.apply(ctx, tx, m, &d)
		sent = sent || len(d.Replies) > 0
		return err
	})
	if err != nil {
		return r, false, err
	}
	return r, sent, nil
}

// toQueue finishes m without the bot, when carrying out its decision
// failed: the message joins the contact's chat or opens one in the queue, so
// one bad step never holds up every message behind it.
func (p *Processor) toQueue(ctx context.Context, m store.PendingInbound) (store.RoutedMessage, bool, error) {
	r := store.RoutedMessage{MessageID: m.ID, ContactID: m.ContactID}
	sent := false
	_, err := p.store.FinishInbound(ctx, m.ID, func(tx *sql.Tx) error {
		released, err := p.store.ReleaseHeldTx(ctx, tx, m.ContactID)
		if err != nil {
			return err
		}
		sent = released > 0
		id, err := p.store.ChatTicketTx(ctx, tx, m.ContactID)
		if err != nil {
			return err
		}
		if id == 0 {
			t, err := p.store.OpenTicketTx(ctx, tx, store.NewTicket{ContactID: m.ContactID, Status: store.TicketQueued})
			if err != nil {
				return err
			}
			if err := p.store.EmitTicketEventTx(ctx, tx, store.HookEvent{Event: store.EventTicketCreated, TicketID: t.ID}); err != nil {
				return err
			}
			id, r.NewTicket = t.ID, true
		}
		r.TicketID = id
		return p.store.AttachInboundTx(ctx, tx, m.ID, id)
	})
	return r, sent && err == nil, err
}

// apply carries out a decision inside the transaction that finishes m.
func (p *Processor) apply(ctx context.Context, tx *sql.Tx, m store.PendingInbound, d *bot.Decision) (ticketID int64, opened bool, err error) {
	live, group := false, int64(0)
	for _, e := range d.Effects {
		if h, ok := e.(bot.HandToHuman); ok {
			live, group = true, h.GroupID
		}
	}
	var number string
	// replyTicket is the ticket the replies are stored with. An anonymous
	// one's confirmation (which has no number) is not stored at all, only
	// queued (store.EnqueueUnlinkedTx): in the citizen's history its time
	// would point at the ticket.
	var replyTicket int64
	unlinked := false
	for _, e := range d.Effects {
		switch e := e.(type) {
		case bot.OpenTicket:
			t, err := p.openTicket(ctx, tx, m, e, live)
			if err != nil {
				return 0, false, err
			}
			ticketID, opened = t.ID, true
			if e.Identity == store.IdentityAnonima {
				unlinked = true
			} else {
				number, replyTicket = protocol.Display(t.Protocol), t.ID
			}
		case bot.HandToHuman:
			if ticketID == 0 {
				// The engine always opens the ticket first; should it not,
				// the citizen still reaches the queue.
				t, err := p.openTicket(ctx, tx, m, bot.OpenTicket{GroupID: e.GroupID}, true)
				if err != nil {
					return 0, false, err
				}
				ticketID, opened, number, replyTicket = t.ID, true, protocol.Display(t.Protocol), t.ID
			}
		case bot.RecordAnswer:
			if err := p.store.AddContactAnswersTx(ctx, tx, []store.ContactAnswer{contactAnswer(m.ContactID, 0, e.Answer)}); err != nil {
				return 0, false, err
			}
		case bot.ArticleFeedback:
			if err := p.store.RecordArticleFeedbackTx(ctx, tx, e.ArticleID, e.Helpful); err != nil {
				return 0, false, err
			}
		case bot.OptOut:
			if err := p.store.OptOutTx(ctx, tx, m.ContactID); err != nil {
				return 0, false, err
			}
		case bot.SurveyScore:
			if _, err := p.store.RecordSurveyScoreTx(ctx, tx, e.TicketID, e.Score); err != nil {
				return 0, false, err
			}
		case bot.SurveyComment:
			if err := p.store.RecordSurveyCommentTx(ctx, tx, e.TicketID, e.Text); err != nil {
				return 0, false, err
			}
		}
	}
	if number != "" {
		d.SetProtocol(number)
	}
	for _, reply := range d.Replies {
		msg := outMessage(m.WaID, reply)
		payload, err := json.Marshal(msg)
		if err != nil {
			return 0, false, fmt.Errorf("bot reply: %w", err)
		}
		if unlinked {
			err = p.store.EnqueueUnlinkedTx(ctx, tx, m.WaID, msg.Kind(), string(payload))
		} else {
			_, _, err = p.store.EnqueueTx(ctx, tx, store.Outgoing{ContactID: m.ContactID, TicketID: replyTicket, ToWaID: m.WaID,
				Kind: msg.Kind(), Body: reply.Plain(), Payload: string(payload)})
		}
		if err != nil {
			return 0, false, err
		}
	}
	if live && group != 0 && ticketID != 0 {
		if err := p.queue(ctx, tx, m, ticketID, group); err != nil {
			return 0, false, err
		}
	}
	if d.Ended() {
		return ticketID, opened, p.store.DeleteBotSessionTx(ctx, tx, m.ContactID)
	}
	return ticketID, opened, p.store.SaveBotSessionTx(ctx, tx, m.ContactID, d.Session.Encode())
}

// queue puts a handed-over ticket in its group's hands: automatic assignment
// runs in the same transaction, and when nobody is free the citizen is told
// their place in the queue (the 24-hour window is open: they just wrote).
func (p *Processor) queue(ctx context.Context, tx *sql.Tx, m store.PendingInbound, ticketID, group int64) error {
	if _, err := p.store.DispatchGroupTx(ctx, tx, group); err != nil {
		return err
	}
	pos, err := p.store.QueuePositionTx(ctx, tx, ticketID)
	if err != nil || pos == 0 {
		return err
	}
	msg := whatsapp.Text(m.WaID, QueuePlaceText(pos))
	payload, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("queue place: %w", err)
	}
	_, _, err = p.store.EnqueueTx(ctx, tx, store.Outgoing{ContactID: m.ContactID, TicketID: ticketID, ToWaID: m.WaID,
		Kind: msg.Kind(), Body: msg.Summary(), Payload: string(payload)})
	return err
}

// QueuePlaceText tells the citizen their place in the queue (pt-BR).
func QueuePlaceText(pos int) string {
	if pos == 1 {
		return "Todos os atendentes estão ocupados agora. Você é o próximo da fila: já vamos atender."
	}
	return fmt.Sprintf("Todos os atendentes estão ocupados agora. Sua posição na fila: %dº. Aguarde, por favor: vamos atender na ordem de chegada.", pos)
}

// openTicket opens the ticket of an OpenTicket effect with its answers, and
// moves the conversation that led to it into it, so the clerk reads it.
func (p *Processor) openTicket(ctx context.Context, tx *sql.Tx, m store.PendingInbound, e bot.OpenTicket, live bool) (store.OpenedTicket, error) {
	since, err := p.store.BotHistoryStartTx(ctx, tx, m.ContactID)
	if err != nil {
		return store.OpenedTicket{}, err
	}
	status := store.TicketNew
	if live {
		status = store.TicketQueued
	}
	if e.Identity == store.IdentityAnonima {
		return p.openAnonymous(ctx, tx, m, e, status, since)
	}
	t, err := p.store.OpenTicketTx(ctx, tx, store.NewTicket{ContactID: m.ContactID, Status: status, GroupID: e.GroupID,
		Kind: e.Kind, Subject: e.Subject, Identity: e.Identity})
	if err != nil {
		return t, err
	}
	if err := p.store.EmitTicketEventTx(ctx, tx, store.HookEvent{Event: store.EventTicketCreated, TicketID: t.ID}); err != nil {
		return t, err
	}
	answers := make([]store.ContactAnswer, len(e.Answers))
	for i, a := range e.Answers {
		answers[i] = contactAnswer(m.ContactID, t.ID, a)
	}
	if err := p.store.AddContactAnswersTx(ctx, tx, answers); err != nil {
		return t, err
	}
	return t, p.store.AttachBotHistoryTx(ctx, tx, m.ContactID, t.ID, since, m.ID)
}

// openAnonymous opens an anônima ticket so that nothing ties it to the
// citizen: it is opened on the placeholder contact; only the answers that do
// not identify (description, place, photo…) go with it, stored under the
// placeholder; and the bot conversation is moved out of the citizen's
// history into it (store.MoveBotHistoryAnonymousTx explains how), except the
// messages that carried identifying answers, which stay the citizen's. The
// identifying answers themselves are kept with the citizen as answers given
// to the bot, with no ticket. The caller sends the replies outside the ticket.
func (p *Processor) openAnonymous(ctx context.Context, tx *sql.Tx, m store.PendingInbound, e bot.OpenTicket, status string, since int64) (store.OpenedTicket, error) {
	placeholder, err := p.store.AnonymousContactTx(ctx, tx)
	if err != nil {
		return store.OpenedTicket{}, err
	}
	t, err := p.store.OpenTicketTx(ctx, tx, store.NewTicket{ContactID: placeholder, Status: status, GroupID: e.GroupID,
		Kind: e.Kind, Subject: e.Subject, Identity: store.IdentityAnonima})
	if err != nil {
		return t, err
	}
	if err := p.store.EmitTicketEventTx(ctx, tx, store.HookEvent{Event: store.EventTicketCreated, TicketID: t.ID}); err != nil {
		return t, err
	}
	var kept, withCitizen []store.ContactAnswer
	var identifying []int64
	for _, a := range e.Answers {
		if a.Identifying {
			withCitizen = append(withCitizen, contactAnswer(m.ContactID, 0, a))
			if a.MessageID != 0 {
				identifying = append(identifying, a.MessageID)
			}
			continue
		}
		kept = append(kept, contactAnswer(placeholder, t.ID, a))
	}
	if err := p.store.AddContactAnswersTx(ctx, tx, append(kept, withCitizen...)); err != nil {
		return t, err
	}
	return t, p.store.MoveBotHistoryAnonymousTx(ctx, tx, m.ContactID, placeholder, t.ID, since, m.ID, identifying)
}

func contactAnswer(contactID, ticketID int64, a bot.Answer) store.ContactAnswer {
	return store.ContactAnswer{ContactID: contactID, TicketID: ticketID, NodeID: a.NodeID, Key: a.Key, Label: a.Label,
		Value: a.Value, MessageID: a.MessageID, Identifying: a.Identifying}
}

// botInput is a stored inbound message as the engine reads it.
func botInput(m store.PendingInbound) bot.Input {
	in := bot.Input{ContactID: m.ContactID, MessageID: m.ID, Type: m.Type, ProfileName: m.ProfileName,
		Now: time.UnixMilli(m.CreatedAt)}
	wm, err := whatsapp.ParseMessage([]byte(m.Payload))
	if err != nil {
		if m.Type == bot.TypeText {
			in.Text = m.Body
		}
		return in
	}
	switch wm.Type {
	case whatsapp.TypeText:
		in.Text = wm.Body
	case whatsapp.TypeInteractive, whatsapp.TypeButton:
		in.Text, in.ReplyID = wm.Text(), wm.ReplyID()
	case whatsapp.TypeImage, whatsapp.TypeDocument, whatsapp.TypeVideo, whatsapp.TypeAudio, whatsapp.TypeSticker:
		if wm.Media != nil {
			in.Text, in.MediaID = wm.Media.Caption, wm.Media.ID
		}
	case whatsapp.TypeLocation:
		if l := wm.Location; l != nil {
			in.Location = &bot.Location{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address}
		}
	case whatsapp.TypeReaction:
		if r := wm.Reaction; r != nil && !r.Removed {
			in.Text = r.Emoji
		}
	}
	return in
}

// outMessage is a reply as the Cloud API takes it; an interactive form the
// API would refuse goes as numbered text instead.
func outMessage(to string, r bot.Reply) whatsapp.OutMessage {
	var m whatsapp.OutMessage
	switch r.Form {
	case bot.FormButtons:
		buttons := make([]whatsapp.Button, len(r.Options))
		for i, o := range r.Options {
			buttons[i] = whatsapp.Button{ID: o.ID, Title: o.Title}
		}
		m = whatsapp.Buttons(to, r.Text, buttons...)
	case bot.FormList:
		rows := make([]whatsapp.Row, len(r.Options))
		for i, o := range r.Options {
			rows[i] = whatsapp.Row{ID: o.ID, Title: o.Title, Description: o.Description}
		}
		m = whatsapp.List(to, r.Text, r.Button, whatsapp.Section{Rows: rows})
	default:
		return whatsapp.Text(to, r.Plain())
	}
	if m.Validate() != nil {
		return whatsapp.Text(to, r.Plain())
	}
	return m
}
