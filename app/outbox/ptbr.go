package outbox

import (
	"fmt"

	"balcao/app/whatsapp"
)

// Everything in this file is read by clerks and administrators: keep it
// Portuguese (pt-BR), short, and in this one place so it can be reviewed.

const (
	textWaitingStopped = "Aguardando: o envio pelo WhatsApp está parado até o administrador resolver o problema da conta"
	textBadPayload     = "Mensagem corrompida na fila de envio: escreva-a de novo"
	textMediaMissing   = "Arquivo anexado não encontrado no servidor: anexe-o de novo"
	textNotConfigured  = "WhatsApp não configurado: defina BALCAO_WA_ACCESS_TOKEN e BALCAO_WA_PHONE_NUMBER_ID. As mensagens aguardam na fila e saem quando o envio for configurado."
)

// windowText is shown on a free-form message refused because the citizen
// last wrote more than 24 hours ago (131047).
func windowText(template string) string {
	if template == "" {
		return "Não enviada: o cidadão não escreve há mais de 24 horas e agora o WhatsApp só aceita um modelo aprovado. Envie o modelo para retomar a conversa."
	}
	return fmt.Sprintf("Não enviada: o cidadão não escreve há mais de 24 horas e agora o WhatsApp só aceita um modelo aprovado. Envie o modelo “%s” para retomar a conversa.", template)
}

// gaveUpText is shown on a message that kept failing for passing reasons.
func gaveUpText(attempts, code int) string {
	why := "falha de comunicação com o WhatsApp"
	if code != 0 {
		why = fmt.Sprintf("WhatsApp respondeu com o código %d", code)
	}
	return fmt.Sprintf("Não enviada após %d tentativas (%s). Use Reenviar para tentar de novo.", attempts, why)
}

// stoppedAlertText is the banner shown while sending is stopped.
func stoppedAlertText(code int) string {
	const tail = " Nenhuma mensagem foi perdida: elas aguardam na fila e o envio recomeça sozinho quando o problema for resolvido."
	switch code {
	case 190:
		return "Envio pelo WhatsApp PARADO: o token de acesso expirou ou é inválido (código 190). Gere um novo token na Meta e atualize BALCAO_WA_ACCESS_TOKEN." + tail
	case 368:
		return "Envio pelo WhatsApp PARADO: a Meta restringiu a conta por violação de política (código 368). Verifique o WhatsApp Manager." + tail
	}
	return fmt.Sprintf("Envio pelo WhatsApp PARADO: %s (código %d).", whatsapp.Describe(code), code) + tail
}

// templateAlertText is the banner shown after WhatsApp refused a template.
func templateAlertText(name string, code int) string {
	if name == "" {
		name = "?"
	}
	return fmt.Sprintf("O WhatsApp recusou o modelo de mensagem “%s”: %s (código %d). As mensagens com esse modelo não foram enviadas; revise-o no WhatsApp Manager.",
		name, whatsapp.Describe(code), code)
}
