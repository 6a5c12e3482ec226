package notify

import (
	"strings"
	"unicode"

	"balcao/app/store"
)

// Everything the citizen is told of their ticket's changes, in pt-BR, short
// enough for a cheap phone. Each piece of news has a full text (sent as is
// inside the 24-hour window) and a one-line form for the template's {{2}}.

// news is what to tell the citizen of one change.
type news struct {
	// Text is the message sent inside the window.
	Text string
	// Line is the template's {{2}} outside it: one line, no resolution or
	// comment (a template can't carry them), an invitation to answer instead.
	Line string
	// Hold says Text carries what Line can't (a comment, a resolution): it is
	// kept to be sent when the citizen answers the template.
	Hold bool
}

// ReadReply is the template's {{2}} for a public reply the window did not let through.
const ReadReply = "você recebeu uma resposta da equipe; responda para ler"

// MessageWaiting is the template's {{2}} a clerk sends to reopen the conversation.
const MessageWaiting = "há uma nova mensagem da equipe de atendimento"

// head opens every piece of news: "📋 Protocolo 2026 000123-4: ".
func head(number string) string { return "📋 Protocolo " + number + ": " }

// newsOf is the news of change n on ticket t (ok false: nothing to tell).
func newsOf(n store.TransitionNotice, t store.NoticeTarget, number string) (news, bool) {
	comment := ""
	if n.Public {
		comment = strings.TrimSpace(n.Comment)
	}
	var what, line string
	switch {
	case n.From == n.To && !(n.To == store.TicketInService && n.AssigneeChanged && n.AssigneeID != 0) &&
		!(n.To == store.TicketForwarded && n.GroupID != 0):
		// No change the citizen sees: only a public comment is news.
		if comment == "" {
			return news{}, false
		}
		return news{Text: head(number) + comment, Line: ReadReply, Hold: true}, true
	case n.To == store.TicketQueued && n.From == store.TicketNew && n.UserID == 0:
		// The bot's hand-off: the citizen was just told their place in the queue.
		return news{}, false
	case n.To == store.TicketQueued:
		what = "sua demanda está na fila de atendimento. Logo alguém vai falar com você."
		line = "sua demanda está na fila de atendimento"
	case n.To == store.TicketInService:
		who := firstName(t.AssigneeName)
		what, line = "sua demanda está em atendimento.", "sua demanda está em atendimento"
		if who != "" {
			what, line = "sua demanda está em atendimento com "+who+".", "sua demanda está em atendimento com "+who
		}
	case n.To == store.TicketForwarded:
		where := t.DepartmentName
		if where == "" {
			where = t.GroupName
		}
		what, line = "sua demanda foi encaminhada.", "sua demanda foi encaminhada"
		if where != "" {
			what, line = "sua demanda foi encaminhada para "+where+".", "sua demanda foi encaminhada para "+where
		}
	case n.To == store.TicketWaitingCit:
		what = "precisamos de mais informações suas. Responda esta mensagem, por favor."
		line = "precisamos de mais informações suas"
	case n.To == store.TicketAnswered:
		if comment != "" {
			return news{Text: head(number) + "sua demanda foi respondida:\n\n" + comment,
				Line: "sua demanda foi respondida; responda para ler a resposta", Hold: true}, true
		}
		what, line = "sua demanda foi respondida.", "sua demanda foi respondida"
	case n.To == store.TicketClosed:
		nw := news{Text: head(number) + "sua demanda foi encerrada.", Line: "sua demanda foi encerrada"}
		if r := strings.TrimSpace(n.Resolution); r != "" {
			nw.Text += "\n\nResolução: " + r
			nw.Line, nw.Hold = "sua demanda foi encerrada; responda para ver a resolução", true
		}
		if comment != "" && comment != strings.TrimSpace(n.Resolution) {
			nw.Text += "\n\n" + comment
			nw.Hold = true
		}
		return nw, true
	case n.To == store.TicketReopened:
		what, line = "sua demanda foi reaberta e voltou para a fila de atendimento.", "sua demanda foi reaberta"
	default:
		return news{}, false
	}
	nw := news{Text: head(number) + what, Line: line}
	if comment != "" {
		nw.Text += "\n\n" + comment
		nw.Line += "; " + ReadReply
		nw.Hold = true
	}
	return nw, true
}

// firstName is the first word of a clerk's name ("Maria Souza" → "Maria").
func firstName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// maxLine bounds the template's {{2}}.
const maxLine = 200

// OneLine makes s fit a template parameter: WhatsApp refuses newlines, tabs
// and four spaces in a row, so every run of white space becomes one space,
// and it is cut at maxLine characters.
func OneLine(s string) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if r := []rune(s); len(r) > maxLine {
		s = strings.TrimSpace(string(r[:maxLine-1])) + "…"
	}
	return s
}
