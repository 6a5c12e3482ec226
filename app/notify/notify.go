// Package notify tells the citizen, on WhatsApp, of every change of their
// ticket: free text inside the 24-hour window, the approved template
// outside it; and asks for the satisfaction score when a ticket closes.
// The store calls Notifier.OnTransition inside the transaction of each
// change (store.Store.OnTransition), so the news exists exactly when the
// change does; this package decides what to say and queues it.
package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"balcao/app/bot"
	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/app/whatsapp"
)

// Window is how long after the citizen's last message free text may be sent.
const Window = 24 * time.Hour

// Notifier queues the citizen's news of ticket changes.
type Notifier struct {
	Store *store.Store
	// Template and TemplateLang name the approved template used outside the
	// window; it takes two body parameters: the protocol number and the news.
	Template, TemplateLang string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// AskSurvey reports whether the bot can read a survey's answers now
	// (nil: it can); without a bot no survey is asked.
	AskSurvey func() bool
}

// Install makes n the store's transition hook.
func (n *Notifier) Install() { n.Store.OnTransition = n.OnTransition }

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

// Reachable reports whether ticket t has a citizen on WhatsApp to tell:
// not an anonymous ticket, not one opened without a WhatsApp number.
func Reachable(t store.NoticeTarget) bool {
	return t.Identity != store.IdentityAnonima && t.ContactID != 0 && t.WaID != "" && t.WaID != store.NoWhatsAppWaID
}

// WindowOpen reports whether the citizen wrote within the last 24 hours.
func (n *Notifier) WindowOpen(lastInboundAt int64) bool {
	return lastInboundAt > 0 && n.now().Sub(time.UnixMilli(lastInboundAt)) < Window
}

// OnTransition queues, in the change's transaction, what the citizen is
// told of it: nothing for changes their own message caused, for tickets
// without a citizen on WhatsApp, or when the window is closed and no
// template may be sent (none configured, or the citizen opted out).
func (n *Notifier) OnTransition(ctx context.Context, tx *sql.Tx, tn store.TransitionNotice) error {
	if tn.ByCitizen {
		return nil
	}
	t, err := n.Store.NoticeTargetTx(ctx, tx, tn.TicketID)
	if err != nil {
		return err
	}
	if !Reachable(t) {
		return nil
	}
	number := protocol.Display(t.Protocol)
	nw, ok := newsOf(tn, t, number)
	if !ok {
		return nil
	}
	open := n.WindowOpen(t.LastInboundAt)
	if err := n.Send(ctx, tx, t, nw.Text, nw.Line, nw.Hold); err != nil {
		return err
	}
	if tn.To == store.TicketClosed && tn.From != store.TicketClosed && open && !t.OptedOut {
		return n.askSurvey(ctx, tx, t, number)
	}
	return nil
}

// Send queues text for ticket t's citizen inside the window; outside it
// the template with line as its news (when one is configured and the
// citizen did not opt out), and, with hold, text kept until the citizen
// answers (store.HoldTx).
func (n *Notifier) Send(ctx context.Context, tx *sql.Tx, t store.NoticeTarget, text, line string, hold bool) error {
	if n.WindowOpen(t.LastInboundAt) {
		return n.enqueue(ctx, tx, t, whatsapp.Text(t.WaID, text))
	}
	if n.Template != "" && !t.OptedOut {
		m := whatsapp.Template(t.WaID, n.Template, n.TemplateLang, protocol.Display(t.Protocol), OneLine(line))
		if err := n.enqueue(ctx, tx, t, m); err != nil {
			return err
		}
	}
	if !hold {
		return nil
	}
	m := whatsapp.Text(t.WaID, text)
	payload, err := n.payload(t, m)
	if err != nil {
		return err
	}
	return n.Store.HoldTx(ctx, tx, store.Outgoing{ContactID: t.ContactID, TicketID: t.TicketID, ToWaID: t.WaID,
		Kind: m.Kind(), Body: m.Summary(), Payload: payload})
}

// askSurvey sends the satisfaction question and puts the contact's bot
// session in the survey, so the next message is read as the score; not
// while the citizen has another chat open with a clerk.
func (n *Notifier) askSurvey(ctx context.Context, tx *sql.Tx, t store.NoticeTarget, number string) error {
	if n.AskSurvey != nil && !n.AskSurvey() {
		return nil
	}
	// With another chat open the citizen's next message goes to its clerk,
	// not to the bot: the answer would be lost there.
	if other, err := n.Store.ChatTicketTx(ctx, tx, t.ContactID); err != nil || other != 0 {
		return err
	}
	q := bot.SurveyQuestion(number)
	rows := make([]whatsapp.Row, len(q.Options))
	for i, o := range q.Options {
		rows[i] = whatsapp.Row{ID: o.ID, Title: o.Title}
	}
	if err := n.enqueue(ctx, tx, t, whatsapp.List(t.WaID, q.Text, q.Button, whatsapp.Section{Rows: rows})); err != nil {
		return err
	}
	return n.Store.SaveBotSessionTx(ctx, tx, t.ContactID, bot.SurveySession(t.TicketID, n.now()).Encode())
}

func (n *Notifier) enqueue(ctx context.Context, tx *sql.Tx, t store.NoticeTarget, m whatsapp.OutMessage) error {
	payload, err := n.payload(t, m)
	if err != nil {
		return err
	}
	_, _, err = n.Store.EnqueueTx(ctx, tx, store.Outgoing{ContactID: t.ContactID, TicketID: t.TicketID, ToWaID: t.WaID,
		Kind: m.Kind(), Body: m.Summary(), Payload: payload})
	return err
}

// payload is m checked against the Cloud API's limits, as JSON.
func (n *Notifier) payload(t store.NoticeTarget, m whatsapp.OutMessage) (string, error) {
	if err := m.Validate(); err != nil {
		return "", fmt.Errorf("notify ticket %d: %w", t.TicketID, err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("notify ticket %d: %w", t.TicketID, err)
	}
	return string(b), nil
}
