package bot

import "strings"

// ProtocolPlaceholder stands for the protocol number in replies decided
// before the ticket exists; Decision.SetProtocol replaces it.
const ProtocolPlaceholder = "{{protocolo}}"

// Decision is what the engine decided for one inbound message.
type Decision struct {
	// Session is the new state to store (unless an EndConversation effect
	// says to delete it).
	Session Session
	// Replies are sent in order.
	Replies []Reply
	// Effects are for the caller to carry out, in order, with the replies.
	Effects []Effect
	// Errs are failures of the caller's dependencies (KB, protocols, groups)
	// that the engine worked around; log them.
	Errs []error
}

// Effect is something the caller does because of a decision: one of
// OpenTicket, HandToHuman, RecordAnswer, ArticleFeedback, OptOut,
// EndConversation, SurveyScore, SurveyComment.
type Effect interface{ isEffect() }

// OpenTicket asks for a ticket (a protocol) in a group. The caller opens it,
// stores Answers with it (store.AddContactAnswersTx with the ticket id) and
// then calls Decision.SetProtocol with its number.
type OpenTicket struct {
	// GroupID is 0 when the menu names no group: the caller's default queue.
	GroupID int64
	// Kind is the ticket kind (KindReclamacao…).
	Kind string
	// NodeID is the menu node that opened it.
	NodeID int64
	// Subject is the path of menu titles, e.g. "Ouvidoria › Reclamação".
	Subject string
	Answers []Answer
	// Identity is the citizen's choice (store.IdentityNormal, "" when the
	// form did not ask, IdentitySigilosa or IdentityAnonima). An anonymous
	// ticket must keep no link to the contact: the caller opens it on a
	// placeholder contact, without the Identifying answers, and sends the
	// replies outside the ticket (they carry no protocol number).
	Identity string
}

// HandToHuman says the conversation is now the group's: the ticket of the
// OpenTicket before it goes to the group's live queue, and the bot stays
// silent for the contact until that ticket is closed.
type HandToHuman struct{ GroupID int64 }

// RecordAnswer keeps a value the citizen gave with the contact (no ticket):
// a form that opens no ticket, or one left half-way.
type RecordAnswer struct{ Answer Answer }

// ArticleFeedback is the citizen's answer to "Isso resolveu?".
type ArticleFeedback struct {
	ArticleID int64
	Helpful   bool
}

// OptOut records that the contact wants no campaign messages.
type OptOut struct{}

// EndConversation says the bot's conversation is over: delete the session.
type EndConversation struct{}

func (OpenTicket) isEffect()      {}
func (HandToHuman) isEffect()     {}
func (RecordAnswer) isEffect()    {}
func (ArticleFeedback) isEffect() {}
func (OptOut) isEffect()          {}
func (EndConversation) isEffect() {}

// Ticket kinds (Lei 13.460/2017 for the ouvidoria, plus informação).
const (
	KindSolicitacao = "solicitacao"
	KindReclamacao  = "reclamacao"
	KindDenuncia    = "denuncia"
	KindSugestao    = "sugestao"
	KindElogio      = "elogio"
	KindInformacao  = "informacao"
)

// Kinds lists the ticket kinds.
var Kinds = []string{KindSolicitacao, KindReclamacao, KindDenuncia, KindSugestao, KindElogio, KindInformacao}

// NeedsProtocol reports whether a reply still holds ProtocolPlaceholder.
func (d Decision) NeedsProtocol() bool {
	for _, r := range d.Replies {
		if strings.Contains(r.Text, ProtocolPlaceholder) {
			return true
		}
	}
	return false
}

// SetProtocol writes number in place of ProtocolPlaceholder in every reply.
func (d *Decision) SetProtocol(number string) {
	for i := range d.Replies {
		d.Replies[i].Text = strings.ReplaceAll(d.Replies[i].Text, ProtocolPlaceholder, number)
	}
}

// Ended reports whether the decision ends the conversation.
func (d Decision) Ended() bool {
	for _, e := range d.Effects {
		if _, ok := e.(EndConversation); ok {
			return true
		}
	}
	return false
}
