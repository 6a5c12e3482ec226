package bot

import (
	"context"
	"errors"
	"time"

	"balcao/app/hours"
	"balcao/app/protocol"
	"balcao/app/store"
)

// ProtocolSource finds tickets by protocol number; *store.Store implements it.
type ProtocolSource interface {
	TicketByProtocol(ctx context.Context, typed string) (store.ProtocolTicket, error)
}

// StoreProtocols implements Protocols over the store. A citizen sees only
// their own tickets (a sigilosa one included: it is theirs), and never an
// anonymous one (it keeps no link to anyone who could ask); a number with a
// wrong check digit is not looked up.
type StoreProtocols struct{ Source ProtocolSource }

// LookupProtocol finds the ticket numbered number if contactID may see it.
func (p StoreProtocols) LookupProtocol(ctx context.Context, contactID int64, number string) (Protocol, error) {
	n, err := protocol.Parse(number)
	if err != nil {
		return Protocol{Number: number}, nil
	}
	t, err := p.Source.TicketByProtocol(ctx, n.Digits())
	if errors.Is(err, store.ErrNotFound) {
		return Protocol{Number: n.String()}, nil
	}
	if err != nil {
		return Protocol{}, err
	}
	if t.ContactID != contactID || t.Identity == store.IdentityAnonima {
		return Protocol{Number: n.String()}, nil
	}
	at := t.UpdatedAt
	if t.LastPublicAt != 0 {
		at = t.LastPublicAt
	}
	last := t.LastPublic
	if t.Status == store.TicketClosed && t.Resolution != "" {
		// A closed ticket's news is how it ended.
		last, at = "Resolução: "+t.Resolution, t.UpdatedAt
	}
	return Protocol{Found: true, Number: n.String(), Subject: t.Subject, Status: StatusLabel(t.Status),
		LastUpdate: last, UpdatedAt: time.UnixMilli(at).In(hours.SaoPaulo())}, nil
}

// statusLabels name the ticket statuses for citizens.
var statusLabels = map[string]string{
	store.TicketNew:        "Registrado",
	store.TicketQueued:     "Na fila de atendimento",
	store.TicketInService:  "Em atendimento",
	store.TicketForwarded:  "Encaminhado ao setor responsável",
	store.TicketWaitingCit: "Aguardando sua resposta",
	store.TicketAnswered:   "Respondido",
	store.TicketClosed:     "Encerrado",
	store.TicketReopened:   "Reaberto",
}

// StatusLabel is a ticket status as a citizen reads it.
func StatusLabel(status string) string {
	if l, ok := statusLabels[status]; ok {
		return l
	}
	return status
}
