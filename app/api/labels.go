package api

import "balcao/app/store"

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
