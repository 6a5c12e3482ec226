package bot

import (
	"fmt"
	"strings"
)

// Everything the bot says to a citizen, and every problem it reports to the
// panel, in pt-BR. WhatsApp formatting: *negrito*, _itálico_.

const (
	txtListButton   = "Ver opções"
	txtChooseOption = "Escolha uma opção:"
	txtDefaultOrg   = "Prefeitura"

	// Option titles: at most 20 characters, so they fit reply buttons.
	optBack       = "Voltar"
	optHuman      = "Falar com atendente"
	optMenu       = "Menu principal"
	optYes        = "Sim"
	optNo         = "Não"
	optSkip       = "Pular"
	optContinue   = "Continuar"
	optYesHuman   = "Sim, por favor"
	optNoMenu     = "Não, ver o menu"
	optIdentified = "Identificada"
	optSigilosa   = "Sigilosa"
	optAnonima    = "Anônima"
)

// greeting opens a conversation.
func greeting(name, org string) string {
	if org == "" {
		org = txtDefaultOrg
	}
	hello := "Olá! 👋"
	if name != "" {
		hello = "Olá, " + name + "! 👋"
	}
	return hello + " Sou o assistente virtual da " + org + "."
}

// greetingAgain welcomes back a citizen who left a form half-way.
func greetingAgain(name string) string {
	if name == "" {
		return "Olá de novo! 👋"
	}
	return "Olá de novo, " + name + "! 👋"
}

const (
	txtGreetingAgain = "Olá de novo! 👋"
	txtThanksReply   = "Por nada! 😊 Se precisar de mais alguma coisa, é só mandar uma mensagem."
	txtGoodbye       = "Atendimento encerrado. Obrigado pelo contato! Quando precisar, é só mandar uma mensagem. 👋"
	txtOptOutDone    = "Pronto: você não vai mais receber nossos avisos e campanhas por aqui. " +
		"Você continua podendo falar conosco quando quiser."

	txtNotUnderstood = "Desculpe, não entendi. 😕"
	txtNothingFound  = "Não encontrei nada sobre isso. 😕 Tente com outras palavras ou escolha uma das opções."
	txtFoundSome     = "Encontrei estas informações. Qual delas responde à sua dúvida?"
	txtOfferHuman    = "Parece que não estou conseguindo ajudar. Quer falar com um atendente?"
	txtEmpty         = "Não recebi nenhum texto. Escolha uma das opções, por favor."
	txtEmojiOnly     = "Recebi seu emoji 🙂, mas preciso que você escolha uma opção."
	txtSticker       = "Que figurinha legal! 😄 Mas eu só entendo texto. Escolha uma das opções, por favor."
	txtAudio         = "Ainda não consigo ouvir áudios. 🙉 Por favor, escreva sua mensagem ou escolha uma opção."
	txtMediaAtMenu   = "Recebi seu arquivo. 📎 Para registrar uma solicitação com foto, escolha primeiro o assunto:"
	txtLocationMenu  = "Recebi sua localização. 📍 Para registrar uma solicitação, escolha primeiro o assunto:"
	txtContacts      = "Recebi o contato compartilhado, mas não consigo usá-lo aqui. Escolha uma das opções, por favor."
	txtReaction      = "Recebi sua reação. 🙂 Se precisar de algo, escolha uma das opções."
	txtUnsupported   = "Não consegui abrir esse tipo de mensagem. Por favor, escreva em texto ou escolha uma opção."
	txtNoMenu        = "Nosso atendimento automático está em manutenção. Vou passar sua conversa para um atendente."
	txtArticleGone   = "Desculpe, essa informação não está mais disponível."

	txtFeedbackQuestion = "Isso resolveu?"
	txtFeedbackThanks   = "Que bom que ajudou! 😊 Se precisar de mais alguma coisa, é só mandar uma mensagem."
	txtFeedbackSorry    = "Sinto muito que não tenha resolvido. 😕 O que prefere fazer?"
)

// txtInvalidNumber says which numbers are options.
func txtInvalidNumber(n int) string {
	if n == 1 {
		return "Essa opção não existe. Digite *1* ou toque na opção."
	}
	return fmt.Sprintf("Essa opção não existe. Digite um número de *1* a *%d*.", n)
}

// Hand-off and tickets. ProtocolPlaceholder becomes the protocol number.
const (
	txtHandoffOpen = "Pronto! Seu atendimento foi aberto com o protocolo *" + ProtocolPlaceholder + "*.\n\n" +
		"Um atendente vai continuar a conversa por aqui em instantes. 🙂"
	txtHandoffClosedLead = "Seu atendimento foi aberto com o protocolo *" + ProtocolPlaceholder + "*."
	txtTicketOpened      = "Pronto! Sua solicitação foi registrada com o protocolo *" + ProtocolPlaceholder + "*.\n\n" +
		"Guarde este número: com ele você acompanha o andamento aqui mesmo, pela opção *Consultar protocolo*. " +
		"Avisaremos por aqui a cada novidade."
	txtSigilosaNote = "🔒 Sua identidade ficará protegida: só a Ouvidoria terá acesso a ela."
	// txtAnonimaOpened confirms an anonymous manifestation. It carries no
	// protocol number: stored in the citizen's history, the number would be
	// the link to the ticket that anonymity forbids.
	txtAnonimaOpened = "Pronto! Sua manifestação *anônima* foi registrada e enviada à Ouvidoria. ✅\n\n" +
		"Como ela é anônima, não guardamos quem a enviou: ela não tem número de protocolo para consulta " +
		"e você não receberá respostas nem avisos sobre ela."
	txtFormDone = "Obrigado! Suas informações foram registradas. ✅"
)

// txtClosedNow tells when a closed group works and promises a reply.
func txtClosedNow(hoursText, next string) string {
	var b strings.Builder
	b.WriteString("Neste momento estamos fora do horário de atendimento")
	if hoursText != "" {
		b.WriteString(" (" + hoursText + ")")
	}
	b.WriteString(".")
	if next != "" {
		b.WriteString(" Voltamos " + next + ".")
	}
	b.WriteString(" Sua mensagem ficou registrada e responderemos assim que possível. 🙏")
	return b.String()
}

// Protocol lookup.
const (
	txtAskProtocol       = "Digite o número do protocolo (por exemplo: *2026 000123-4*)."
	txtBadProtocol       = "Não reconheci um número de protocolo. Ele tem o ano e mais números, por exemplo: *2026 000123-4*."
	txtLookupMore        = "Para consultar outro protocolo, digite o número. Para voltar, envie *0*."
	txtLookupUnavailable = "Não consegui consultar protocolos agora. Tente novamente em alguns minutos, por favor."
)

func txtProtocolNotFound(number string) string {
	return "Não encontrei o protocolo *" + number + "*. Confira o número e digite novamente, por favor."
}

// txtProtocolStatus describes a ticket found by a lookup.
func txtProtocolStatus(p Protocol) string {
	var b strings.Builder
	b.WriteString("📄 Protocolo *" + p.Number + "*")
	if p.Subject != "" {
		b.WriteString(" — " + p.Subject)
	}
	b.WriteString("\nSituação: *" + p.Status + "*")
	if !p.UpdatedAt.IsZero() {
		b.WriteString("\nÚltima atualização: " + p.UpdatedAt.Format("02/01/2006 às 15:04"))
	}
	if p.LastUpdate != "" {
		b.WriteString("\n\n" + p.LastUpdate)
	}
	return b.String()
}

// Forms.
const (
	txtCancelHint     = "_Para cancelar, envie *menu*._"
	txtHumanHint      = "Se preferir, envie *atendente* para falar com uma pessoa."
	txtSkipHint       = "Se não quiser informar, envie *pular*."
	txtHintCPF        = "_Digite os 11 números do CPF._"
	txtHintPhone      = "_Digite o número com DDD, por exemplo: (17) 98888-7777._"
	txtHintDate       = "_Use o formato dd/mm/aaaa, por exemplo: 25/03/2026._"
	txtHintLocation   = "_Toque no clipe 📎 e escolha *Localização*, ou escreva o endereço com um ponto de referência._"
	txtHintMedia      = "_Toque no clipe 📎 ou na câmera 📷 para enviar._"
	txtAnonymityLabel = "Como você quer se identificar?\n\n" +
		"• *Identificada*: quem cuidar da sua manifestação saberá quem você é.\n" +
		"• *Sigilosa*: só a Ouvidoria saberá quem você é. Você recebe as respostas aqui e acompanha pelo número do protocolo.\n" +
		"• *Anônima*: ninguém saberá quem você é, nem a Ouvidoria. Por isso *não será possível acompanhar*: " +
		"não haverá número de protocolo e você não receberá respostas."
	// txtAnonimaWarning is said right after the citizen chooses Anônima,
	// before they finish (confirm) the form.
	txtAnonimaWarning = "⚠️ Atenção: uma manifestação *anônima* não pode ser acompanhada. Ela não terá número de protocolo, " +
		"e você não receberá respostas nem avisos sobre ela. Se quiser acompanhar sem que saibam quem você é, " +
		"envie *menu* e escolha *Sigilosa*."
	txtResumeQuestion      = "Você tinha começado *%s* e não terminou. Quer continuar de onde parou?"
	txtResumeSaved         = "O que você já informou está guardado."
	txtWantText            = "Não consegui ler essa mensagem aqui. Por favor, responda com texto."
	txtWantTextNotMedia    = "Recebi o arquivo, mas aqui preciso de uma resposta escrita."
	txtWantTextNotLocation = "Recebi sua localização, mas aqui preciso de uma resposta escrita."
	txtWantWords           = "Preciso de uma resposta com palavras, por favor."
	txtBadCPF              = "Esse CPF não é válido. Confira os números, por favor."
	txtBadPhone            = "Esse telefone não parece válido. Digite com DDD, por favor."
	txtBadDate             = "Não entendi a data."
	txtBadChoice           = "Escolha uma das opções, por favor."
	txtBadAddress          = "Preciso do endereço com rua e número (ou um ponto de referência)."
	txtWantLocation        = "Preciso da localização: compartilhe pelo clipe 📎 ou escreva o endereço."
	txtWantMedia           = "Preciso de uma foto ou documento."
	txtWantMediaNotSticker = "Recebi uma figurinha 😄, mas preciso de uma foto ou documento."
	txtMediaReceived       = "[arquivo enviado]"
)

// Menu validation problems, shown in the panel.
const (
	txtProblemConfig       = "a configuração da ação não pôde ser lida"
	txtProblemTwoRoots     = "há mais de um menu principal; este foi ignorado"
	txtProblemNoRoot       = "o menu não tem um menu principal"
	txtProblemUnreachable  = "não é alcançável a partir do menu principal"
	txtProblemCycle        = "faz parte de um ciclo (é sub-opção de si mesma)"
	txtProblemRootAction   = "o menu principal precisa mostrar opções"
	txtProblemNoOptions    = "mostra opções, mas não tem nenhuma sub-opção: o cidadão ficaria sem saída"
	txtProblemLeafChildren = "tem sub-opções, mas sua ação não mostra opções: elas nunca aparecem"
	txtProblemNoArticle    = "responde com um artigo, mas nenhum artigo foi escolhido"
	txtProblemArticleGone  = "o artigo escolhido não existe mais"
	txtProblemArticleOff   = "o artigo escolhido está inativo ou não é público: o cidadão não o verá"
	txtProblemNoGroup      = "abre atendimento, mas nenhum grupo foi escolhido: irá para a fila geral"
	txtProblemGroupGone    = "o grupo de atendimento escolhido não existe mais"
	txtProblemNoFields     = "pede dados, mas não tem nenhum campo"
	txtProblemFieldKey     = "um campo está sem chave ou sem pergunta"
	txtProblemFieldDup     = "dois campos usam a mesma chave"
	txtProblemFieldType    = "um campo tem um tipo desconhecido"
	txtProblemFieldChoices = "um campo de escolha precisa de pelo menos duas opções"
	txtProblemKind         = "o tipo de atendimento é desconhecido"
	txtProblemUnknownKind  = "a ação é desconhecida"
	txtProblemTitle        = "o título está vazio"
	txtProblemLongTitle    = "o título tem mais de 24 caracteres: o menu será enviado como texto numerado, não como lista"
	txtProblemTooMany      = "tem mais de 8 sub-opções: o menu será enviado como texto numerado e a opção 9 (atendente) não aparece"
	txtProblemSameTitle    = "duas sub-opções têm o mesmo título"
	txtProblemNoHuman      = "nenhum grupo recebe os pedidos de \"falar com um atendente\": eles irão para a fila geral"
)

// Days of the week, Sunday first (time.Weekday order).
var dayNames = [7]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"}

// dayShort names days in a range ("segunda a sexta").
var dayShort = [7]string{"domingo", "segunda", "terça", "quarta", "quinta", "sexta", "sábado"}

const (
	txtToday     = "hoje às %s"
	txtTomorrow  = "amanhã às %s"
	txtOnDay     = "na %s às %s" // weekdays are feminine: "na segunda-feira"
	txtOnWeekend = "no %s às %s" // "no sábado", "no domingo"
	txtFromTo    = "das %s às %s"
	txtDayRange  = "%s a %s"
)

// The satisfaction survey.
const (
	txtSurveyButton  = "Avaliar"
	txtSurveyComment = "Obrigado pela nota! Quer deixar um comentário? Escreva agora, ou envie *0* para pular."
	txtSurveyThanks  = "Obrigado pela sua avaliação! 😊 Ela nos ajuda a melhorar o atendimento."
)

// txtSurveyQuestion asks for the score of the ticket numbered number.
func txtSurveyQuestion(number string) string {
	return "De 1 a 5, como você avalia o atendimento do protocolo " + number + "?"
}
