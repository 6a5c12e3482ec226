package whatsapp

import (
	"errors"
	"strconv"
)

// Everything in this file is read by clerks or citizens: keep it Portuguese
// (pt-BR), short, and in this one place so it can be reviewed.

var codeDescriptions = map[int]string{
	1:      "Erro desconhecido na API do WhatsApp; novo envio em instantes",
	2:      "Serviço do WhatsApp temporariamente indisponível; novo envio em instantes",
	3:      "O aplicativo não tem permissão para esta operação: avise o administrador",
	4:      "Limite de chamadas à API atingido; novo envio em instantes",
	10:     "Permissão negada para este número: avise o administrador",
	100:    "Parâmetro inválido ou texto longo demais: revise a mensagem",
	102:    "Sessão da API inválida: avise o administrador",
	190:    "Token de acesso expirado ou inválido: envios parados, avise o administrador",
	368:    "Conta bloqueada temporariamente por violação de política: envios parados, avise o administrador",
	470:    "Fora da janela de 24 horas: envie um modelo aprovado",
	613:    "Limite de chamadas à API atingido; novo envio em instantes",
	80007:  "Limite de envio da conta atingido; novo envio em instantes",
	130429: "Limite de mensagens por segundo atingido; novo envio em instantes",
	130472: "Número do cidadão em experimento do WhatsApp: mensagem não entregue",
	131000: "Erro genérico do WhatsApp; novo envio em instantes",
	131005: "Acesso negado pelo WhatsApp: avise o administrador",
	131008: "Falta um parâmetro obrigatório na mensagem",
	131009: "Valor de parâmetro inválido na mensagem",
	131016: "Serviço do WhatsApp indisponível no momento; novo envio em instantes",
	131021: "O destinatário não pode ser o próprio número do atendimento",
	131026: "Mensagem não entregue: o número não usa WhatsApp ou o aplicativo está desatualizado",
	131031: "Conta do WhatsApp bloqueada: avise o administrador",
	131042: "Problema de pagamento da conta do WhatsApp: avise o administrador",
	131045: "Número do atendimento não registrado no WhatsApp: avise o administrador",
	131047: "Fora da janela de 24 horas: envie um modelo aprovado",
	131048: "Envios limitados por denúncias de spam; novo envio mais tarde",
	131049: "Não entregue pelo WhatsApp para preservar o engajamento do cidadão",
	131050: "O cidadão optou por não receber mensagens de marketing",
	131051: "Tipo de mensagem não suportado",
	131052: "Falha ao baixar a mídia enviada pelo cidadão",
	131053: "Falha ao enviar a mídia: formato ou tamanho não aceito",
	131056: "Muitas mensagens seguidas para este cidadão; novo envio em alguns segundos",
	131057: "Conta em manutenção pelo WhatsApp; novo envio mais tarde",
	132000: "Número de parâmetros diferente do modelo aprovado: avise o administrador",
	132001: "Modelo inexistente ou não aprovado neste idioma: avise o administrador",
	132005: "Texto do modelo preenchido ficou longo demais",
	132007: "Conteúdo do modelo viola a política do WhatsApp: avise o administrador",
	132012: "Formato dos parâmetros do modelo inválido: avise o administrador",
	132015: "Modelo pausado pelo WhatsApp por baixa qualidade: avise o administrador",
	132016: "Modelo desativado pelo WhatsApp: avise o administrador",
	133004: "Servidor do WhatsApp temporariamente indisponível; novo envio em instantes",
	133010: "Número do atendimento não registrado na API do WhatsApp: avise o administrador",
	135000: "Erro genérico nos dados da mensagem",
}

// Describe returns a short pt-BR explanation of a Cloud API error code for clerks.
func Describe(code int) string {
	if d, ok := codeDescriptions[code]; ok {
		return d
	}
	switch {
	case code >= 200 && code <= 299:
		return "Permissão do aplicativo ausente: avise o administrador"
	case code >= 132000 && code <= 132999:
		return "Problema com o modelo de mensagem: avise o administrador"
	}
	return "Erro do WhatsApp (código " + strconv.Itoa(code) + ")"
}

// DescribeError returns a short pt-BR explanation of any error Send, the media
// functions or a failed status produced, for clerks.
func DescribeError(err error) string {
	var ae *APIError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotConfigured):
		return "WhatsApp não configurado (URL ou número): avise o administrador"
	case errors.Is(err, ErrInvalidMessage):
		return "Mensagem fora dos limites do WhatsApp: revise o texto e as opções"
	case errors.Is(err, ErrTooLarge):
		return "Arquivo maior que o limite permitido"
	case errors.Is(err, ErrChecksum):
		return "Arquivo corrompido no download; nova tentativa em instantes"
	case errors.Is(err, ErrUnexpectedResponse):
		return "Resposta inesperada do WhatsApp: confira se a mensagem chegou antes de reenviar"
	case errors.As(err, &ae) && ae.Code != 0:
		return Describe(ae.Code)
	case errors.As(err, &ae) && ae.HTTPStatus == 401:
		return "Acesso recusado pelo WhatsApp: avise o administrador"
	case errors.As(err, &ae) && ae.HTTPStatus == 404:
		return "Não encontrado no WhatsApp (arquivo expirado ou removido)"
	case errors.As(err, &ae) && ae.HTTPStatus >= 400 && ae.HTTPStatus < 500:
		return "Pedido recusado pelo WhatsApp (HTTP " + strconv.Itoa(ae.HTTPStatus) + ")"
	}
	return "Falha de comunicação com o WhatsApp; novo envio em instantes"
}

// Placeholders shown where a message has no text of its own.
const (
	labelImage           = "[imagem]"
	labelVideo           = "[vídeo]"
	labelAudio           = "[áudio]"
	labelVoice           = "[mensagem de voz]"
	labelSticker         = "[figurinha]"
	labelDocument        = "[documento]"
	labelLocation        = "[localização]"
	labelReaction        = "[reação %s]"
	labelUnreaction      = "[reação removida]"
	labelContact         = "[contato]"
	labelContacts        = "[contato compartilhado]"
	labelUnsupported     = "[mensagem não suportada pelo WhatsApp]"
	labelUnsupportedType = "[mensagem não suportada: %s]"
	labelUnknownType     = "[mensagem do tipo %s]"
	labelTemplate        = "[modelo %s]"
	labelMarkRead        = "[marcada como lida]"
	labelListButton      = "Ver opções"
)
