package api

import (
	"slices"

	"balcao/app/store"
)

// statusLabels are the pt-BR names of the statuses, given beside the codes.
var statusLabels = map[string]string{
	store.TicketNew:        "Novo",
	store.TicketQueued:     "Em fila",
	store.TicketInService:  "Em atendimento",
	store.TicketForwarded:  "Encaminhado",
	store.TicketWaitingCit: "Aguardando cidadão",
	store.TicketAnswered:   "Respondido",
	store.TicketClosed:     "Encerrado",
	store.TicketReopened:   "Reaberto",
}

// kindLabels are the pt-BR names of the ticket kinds (Lei 13.460/2017, Lei 12.527/2011).
var kindLabels = map[string]string{
	"solicitacao": "Solicitação",
	"reclamacao":  "Reclamação",
	"denuncia":    "Denúncia",
	"sugestao":    "Sugestão",
	"elogio":      "Elogio",
	"informacao":  "Acesso à informação",
}

// transitions are the status changes the API allows: the workflow's path
// (novo → em fila → em atendimento → encaminhado → aguardando cidadão →
// respondido → encerrado), the steps back a clerk takes, and reopening.
var transitions = map[string][]string{
	store.TicketNew:        {store.TicketQueued, store.TicketInService, store.TicketClosed},
	store.TicketQueued:     {store.TicketInService, store.TicketForwarded, store.TicketClosed},
	store.TicketInService:  {store.TicketQueued, store.TicketForwarded, store.TicketWaitingCit, store.TicketAnswered, store.TicketClosed},
	store.TicketForwarded:  {store.TicketQueued, store.TicketInService, store.TicketAnswered, store.TicketClosed},
	store.TicketWaitingCit: {store.TicketInService, store.TicketAnswered, store.TicketClosed},
	store.TicketAnswered:   {store.TicketInService, store.TicketWaitingCit, store.TicketClosed},
	store.TicketClosed:     {store.TicketReopened},
	store.TicketReopened:   {store.TicketQueued, store.TicketInService, store.TicketClosed},
}

// canMove reports whether a ticket may go from one status to another.
func canMove(from, to string) bool { return slices.Contains(transitions[from], to) }
