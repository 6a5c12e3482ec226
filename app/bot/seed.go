package bot

import (
	"context"
	"fmt"
	"strings"

	"balcao/app/store"
	"balcao/app/words"
)

// Names of the groups of attendance the default menu hands work to (the
// demo creates groups with these names).
const (
	GroupGeneral   = "Atendimento geral"
	GroupWaterBill = "Água — Segunda via"
	GroupWaterLeak = "Água — Vazamentos"
	GroupOmbudsman = "Ouvidoria — Manifestações"
	GroupLighting  = "Iluminação pública"
	GroupHealth    = "Saúde — Agendamentos"
)

// SeedDefaults gives an installation the default menu and knowledge base of
// a generic city hall: when the menu is empty it adds the default articles
// that are not there yet (same question) and writes the default menu, handing
// tickets to the groups named in groupIDsByName (a name missing from it
// leaves the node without a group: Validate reports it). A database that
// already has a menu is left as it is.
func SeedDefaults(ctx context.Context, st *store.Store, groupIDsByName map[string]int64) error {
	nodes, err := st.LoadMenu(ctx)
	if err != nil {
		return fmt.Errorf("seed bot: %w", err)
	}
	if len(nodes) > 0 {
		return nil
	}
	existing, err := st.ListArticles(ctx)
	if err != nil {
		return fmt.Errorf("seed bot: %w", err)
	}
	byQuestion := map[string]int64{}
	for _, a := range existing {
		byQuestion[seedKey(a.Question)] = a.ID
	}
	ids := map[string]int64{}
	for _, d := range defaultArticles {
		if id, ok := byQuestion[seedKey(d.Question)]; ok {
			ids[d.key] = id
			continue
		}
		a, err := st.CreateArticle(ctx, d.Article)
		if err != nil {
			return fmt.Errorf("seed bot: %w", err)
		}
		ids[d.key] = a.ID
	}
	if _, err := st.ReplaceMenu(ctx, DefaultMenu(groupIDsByName, ids)); err != nil {
		return fmt.Errorf("seed bot: %w", err)
	}
	return st.OptimizeArticleSearch(ctx)
}

func seedKey(q string) string { return strings.Join(words.Tokens(q), " ") }

// DefaultArticles returns the default knowledge base.
func DefaultArticles() []store.Article {
	out := make([]store.Article, len(defaultArticles))
	for i, d := range defaultArticles {
		out[i] = d.Article
	}
	return out
}

// DefaultArticleKeys maps each default article's key (used by DefaultMenu)
// to its position in DefaultArticles.
func DefaultArticleKeys() map[string]int {
	out := map[string]int{}
	for i, d := range defaultArticles {
		out[d.key] = i
	}
	return out
}

// seedNode describes a node of the default menu.
type seedNode struct {
	title, message, action, keywords string
	article                          string // key of a default article
	group                            string // name of a group
	cfg                              Config
	children                         []seedNode
}

// DefaultMenu returns the default menu as a tree for store.ReplaceMenu, with
// groups taken from groups (by name) and articles from articles (by key of
// DefaultArticleKeys).
func DefaultMenu(groups map[string]int64, articles map[string]int64) store.MenuTree {
	var build func(s seedNode) store.MenuTree
	build = func(s seedNode) store.MenuTree {
		t := store.MenuTree{Node: store.MenuNode{
			Title: s.title, Message: s.message, Action: s.action, Keywords: s.keywords,
			ArticleID: articles[s.article], GroupID: groups[s.group], Config: s.cfg.String(),
		}}
		for _, c := range s.children {
			t.Children = append(t.Children, build(c))
		}
		return t
	}
	return build(defaultMenu)
}

// Fields the default forms share.
var (
	fieldDescription = func(label string) Field {
		return Field{Key: "descricao", Label: label, Type: FieldText}
	}
	fieldPhoto = Field{Key: "foto", Label: "Se tiver, envie uma **foto** ou documento que ajude a entender.",
		Type: FieldMedia, Optional: true}
	fieldWhere = func(label string, optional bool) Field {
		return Field{Key: "local", Label: label, Type: FieldLocation, Optional: optional}
	}
)

var defaultMenu = seedNode{
	title: "Menu principal", action: store.MenuActionMenu, group: GroupGeneral,
	message: "Como posso ajudar? Escolha uma opção:",
	children: []seedNode{
		{
			title: "Água e esgoto", action: store.MenuActionMenu, group: GroupWaterBill,
			keywords: "agua, esgoto, saae, conta de agua",
			message:  "**Água e esgoto** — escolha o assunto:",
			children: []seedNode{
				{title: "Segunda via da conta", action: store.MenuActionArticle, article: "agua-2via",
					keywords: "2 via, 2a via, segunda via, boleto, fatura, conta de agua, codigo de barras"},
				{title: "Débitos e parcelamento", action: store.MenuActionArticle, article: "agua-debitos",
					keywords: "debito, debitos, divida, contas atrasadas, parcelar, parcelamento, acordo"},
				{title: "Evitar o corte de água", action: store.MenuActionArticle, article: "agua-corte",
					keywords: "corte, aviso de corte, comprovante, comprovante de pagamento, paguei, vao cortar"},
				{title: "Religação", action: store.MenuActionArticle, article: "agua-religacao",
					keywords: "religar, religacao, religamento, agua cortada, cortaram minha agua"},
				{title: "Vazamento", action: store.MenuActionAsk, group: GroupWaterLeak,
					keywords: "vazamento, vazando, cano estourado, cano quebrado, agua na rua, esgoto entupido",
					message:  "Vamos registrar o vazamento. São só três perguntas rápidas.",
					cfg: Config{TicketKind: KindSolicitacao, Fields: []Field{
						fieldWhere("Onde está o vazamento? Envie a **localização** ou escreva o endereço.", false),
						fieldDescription("Descreva o vazamento: é na rua, na calçada ou no cavalete? Há quanto tempo?"),
						fieldPhoto,
					}}},
				{title: "Falta de água", action: store.MenuActionArticle, article: "agua-falta",
					keywords: "falta de agua, sem agua, torneira seca, abastecimento"},
			},
		},
		{
			title: "Ouvidoria", action: store.MenuActionMenu, group: GroupOmbudsman,
			keywords: "ouvidoria, ouvidor, manifestacao",
			message: "A **Ouvidoria** recebe reclamações, denúncias, sugestões, elogios e solicitações sobre " +
				"os serviços da Prefeitura. Qual é o tipo da sua manifestação?",
			children: []seedNode{
				{title: "Reclamação", action: store.MenuActionAsk, group: GroupOmbudsman,
					keywords: "reclamar, reclamacao, queixa, mal atendido, insatisfeito",
					message:  "Vamos registrar sua **reclamação**.",
					cfg: Config{TicketKind: KindReclamacao, Fields: []Field{
						fieldDescription("Conte o que aconteceu: o quê, onde e quando."),
						fieldPhoto,
					}}},
				{title: "Denúncia", action: store.MenuActionAsk, group: GroupOmbudsman,
					keywords: "denunciar, denuncia, irregularidade, corrupcao, fraude",
					message:  "Vamos registrar sua **denúncia**. Todas as denúncias são tratadas com sigilo.",
					cfg: Config{TicketKind: KindDenuncia, OfferAnonymity: true, Fields: []Field{
						fieldDescription("Descreva a situação com o máximo de detalhes: o quê, quem, onde e quando."),
						fieldWhere("Onde aconteceu? Envie a **localização** ou o endereço (ou *pular*).", true),
						fieldPhoto,
					}}},
				{title: "Sugestão", action: store.MenuActionAsk, group: GroupOmbudsman,
					keywords: "sugerir, sugestao, ideia, melhoria",
					cfg: Config{TicketKind: KindSugestao, Fields: []Field{
						fieldDescription("Qual é a sua **sugestão**? Conte também para qual serviço ou lugar."),
					}}},
				{title: "Elogio", action: store.MenuActionAsk, group: GroupOmbudsman,
					keywords: "elogiar, elogio, parabens, agradecer, bom atendimento",
					cfg: Config{TicketKind: KindElogio, Fields: []Field{
						fieldDescription("Que bom! Quem ou qual serviço você quer **elogiar**? Conte como foi."),
					}}},
				{title: "Solicitação", action: store.MenuActionAsk, group: GroupOmbudsman,
					keywords: "solicitar, solicitacao, pedido, pedir providencia",
					cfg: Config{TicketKind: KindSolicitacao, Fields: []Field{
						fieldDescription("O que você precisa que a Prefeitura faça? Informe também o endereço, se houver."),
						fieldPhoto,
					}}},
				{title: "Como funciona", action: store.MenuActionArticle, article: "ouvidoria-sobre",
					keywords: "o que e ouvidoria, prazo, prazos, anonimato"},
			},
		},
		{
			title: "Iluminação pública", action: store.MenuActionMenu, group: GroupLighting,
			keywords: "iluminacao, luz, poste, lampada",
			message:  "**Iluminação pública** — escolha uma opção:",
			children: []seedNode{
				{title: "Rua escura ou lâmpada", action: store.MenuActionAsk, group: GroupLighting,
					keywords: "lampada queimada, poste apagado, rua escura, luz apagada, lampada piscando, acesa de dia",
					message:  "Vamos registrar o problema na iluminação.",
					cfg: Config{TicketKind: KindSolicitacao, Fields: []Field{
						fieldWhere("Onde fica o poste? Envie a **localização** ou escreva o endereço com um ponto de referência.", false),
						{Key: "detalhes", Label: "Algum detalhe? Por exemplo: a lâmpada está apagada, piscando ou acesa de dia; " +
							"número do poste.", Type: FieldText, Optional: true},
						fieldPhoto,
					}}},
				{title: "Prazos do conserto", action: store.MenuActionArticle, article: "iluminacao",
					keywords: "prazo, quanto tempo, conserto"},
			},
		},
		{
			title: "Outros serviços", action: store.MenuActionMenu, group: GroupGeneral,
			keywords: "outros, servicos, informacoes",
			message:  "Escolha o assunto:",
			children: []seedNode{
				{title: "Consulta na UBS", action: store.MenuActionHandoff, group: GroupHealth,
					keywords: "consulta, agendar consulta, medico, ubs, posto de saude, saude",
					message: "Vou passar sua conversa para a equipe de **agendamentos da Saúde**. " +
						"Tenha em mãos o número do **Cartão SUS**.",
					cfg: Config{TicketKind: KindSolicitacao}},
				{title: "IPTU", action: store.MenuActionArticle, article: "iptu",
					keywords: "iptu, imposto, carne, segunda via do iptu, imovel"},
				{title: "Coleta de lixo", action: store.MenuActionArticle, article: "coleta",
					keywords: "lixo, coleta, entulho, reciclagem, cata treco, moveis velhos"},
				{title: "Poda de árvore", action: store.MenuActionArticle, article: "poda",
					keywords: "poda, arvore, galho, remocao de arvore, corte de arvore"},
				{title: "Horário e endereços", action: store.MenuActionArticle, article: "horario",
					keywords: "horario, funcionamento, endereco, expediente, que horas abre"},
			},
		},
		{title: "Consultar protocolo", action: store.MenuActionLookup,
			keywords: "protocolo, acompanhar, andamento, situacao, consultar",
			message:  "Digite o **número do protocolo** (por exemplo: 2026 000123-4)."},
		{title: "Falar com atendente", action: store.MenuActionHandoff, group: GroupGeneral,
			keywords: "atendente, pessoa, humano, atendimento"},
	},
}

// defaultArticle is a default article with the key DefaultMenu refers to it by.
type defaultArticle struct {
	key string
	store.Article
}

func article(key, theme, category, question, keywords, answer string) defaultArticle {
	return defaultArticle{key: key, Article: store.Article{Public: true, Active: true, Theme: theme, Category: category,
		Question: question, Keywords: keywords, Answer: strings.TrimSpace(answer)}}
}

var defaultArticles = []defaultArticle{
	article("agua-2via", "Água e esgoto", "Segunda via", "Como tirar a segunda via da conta de água?",
		"2 via, 2a via, segunda via, boleto, fatura, conta de agua, conta atrasada, codigo de barras, pix", `
Você pode emitir a segunda via da conta de água de três formas:

1. **Aqui pelo WhatsApp:** escolha *Falar com atendente* e informe o número da **matrícula** (fica no alto da conta) ou o CPF do titular.
2. **Pela internet:** no site da Prefeitura, em *Serviços › Água e esgoto › Segunda via*.
3. **Pessoalmente:** na agência de atendimento do serviço de água, com um documento com foto.

A segunda via tem código de barras e QR Code **Pix**: pode ser paga em bancos, lotéricas e aplicativos.
`),
	article("agua-debitos", "Água e esgoto", "Débitos", "Como consultar e parcelar débitos da conta de água?",
		"debito, debitos, divida, contas atrasadas, em aberto, parcelar, parcelamento, acordo, negociar", `
Para saber se há contas em aberto, informe a **matrícula** ou o **CPF do titular** a um atendente, ou consulte no site da Prefeitura em *Serviços › Água e esgoto › Débitos*.

Contas atrasadas podem ser **parceladas**. Para fazer o acordo:

- o titular apresenta documento com foto e CPF;
- o valor de entrada e o número de parcelas seguem as regras do programa de parcelamento em vigor;
- com o acordo assinado e a entrada paga, o corte por aquele débito fica suspenso.

Atrasar uma parcela cancela o acordo e o débito volta a poder gerar corte.
`),
	article("agua-corte", "Água e esgoto", "Corte", "Paguei a conta atrasada. Como evitar o corte da água?",
		"corte, aviso de corte, cortar agua, comprovante, comprovante de pagamento, paguei, pagamento, evitar corte", `
Se você recebeu o **aviso de corte** e já pagou a conta:

1. Guarde o **comprovante de pagamento** (foto ou PDF).
2. Envie o comprovante aqui pelo WhatsApp, pela opção *Falar com atendente*, informando a matrícula.
3. Pronto: com o comprovante registrado, o corte daquela conta é suspenso.

O banco pode levar até **2 dias úteis** para confirmar o pagamento; por isso o comprovante é importante se o pagamento foi feito perto da data do corte.
`),
	article("agua-religacao", "Água e esgoto", "Religação", "Minha água foi cortada. Como pedir a religação?",
		"religacao, religar, religamento, agua cortada, cortaram, sem agua, volta da agua", `
Para pedir a **religação**:

1. Pague os débitos em aberto ou faça um acordo de parcelamento.
2. Peça a religação aqui pelo WhatsApp (opção *Falar com atendente*) ou na agência de atendimento, com o comprovante.
3. A equipe religa em até **24 horas** depois da confirmação do pagamento.

A taxa de religação, quando houver, vem na próxima conta. Nunca religue o registro por conta própria: é proibido e pode gerar multa.
`),
	article("agua-vazamento", "Água e esgoto", "Vazamento", "O que fazer quando há vazamento de água na rua?",
		"vazamento, vazando, cano estourado, cano quebrado, agua na rua, hidrometro, cavalete, esgoto", `
Vazamentos na **rua**, na **calçada** ou no **cavalete** (antes do hidrômetro) são consertados pela equipe de água e esgoto, sem custo para você.

Para registrar, escolha no menu *Água e esgoto › Vazamento* e envie a **localização** e, se puder, uma **foto**. Você recebe um número de protocolo para acompanhar.

Vazamentos **dentro do imóvel** (depois do hidrômetro) são de responsabilidade do morador: chame um encanador de sua confiança.
`),
	article("agua-falta", "Água e esgoto", "Falta de água", "Estou sem água. O que pode ter acontecido?",
		"falta de agua, sem agua, torneira seca, abastecimento, pressao fraca", `
A falta de água pode ter três causas:

- **Manutenção na rede:** os avisos de manutenção programada são publicados no site e nas redes sociais da Prefeitura. O abastecimento volta ao fim do serviço.
- **Corte por débito:** confira se há contas em aberto (opção *Débitos e parcelamento*).
- **Problema no seu imóvel:** confira se o registro está aberto e se a caixa-d'água não tem defeito na boia.

Se os vizinhos também estão sem água e não há aviso de manutenção, fale com um atendente para registrar a ocorrência.
`),
	article("ouvidoria-sobre", "Ouvidoria", "Sobre a Ouvidoria", "O que é a Ouvidoria e quando devo procurá-la?",
		"ouvidoria, ouvidor, manifestacao, reclamar, denunciar, lei 13460, prazo, anonimato", `
A **Ouvidoria** é o canal para você **reclamar, denunciar, sugerir, elogiar ou solicitar** providências sobre os serviços públicos municipais, como prevê a Lei nº 13.460/2017.

Procure a Ouvidoria quando:

- já tentou resolver pelo atendimento comum e não conseguiu;
- quer avaliar um serviço ou um servidor;
- quer denunciar uma irregularidade.

Toda manifestação recebe um **número de protocolo** e é respondida em até **30 dias**, prazo que pode ser prorrogado uma vez por mais 30 dias, com justificativa.
`),
	article("ouvidoria-prazo", "Ouvidoria", "Prazos", "Qual é o prazo de resposta da Ouvidoria?",
		"prazo, resposta, quanto tempo, demora, 30 dias, prorrogacao", `
A Ouvidoria responde em até **30 dias** a partir do registro da manifestação. Esse prazo pode ser **prorrogado uma única vez por mais 30 dias**, e você é avisado do motivo (Lei nº 13.460/2017).

Você acompanha tudo pelo número de protocolo, aqui mesmo, na opção *Consultar protocolo*. A cada novidade avisamos por aqui.
`),
	article("ouvidoria-anonimo", "Ouvidoria", "Denúncia", "Posso fazer uma denúncia anônima?",
		"anonima, anonimo, anonimato, sigilo, denuncia, identidade, protegida, segredo", `
**Sim.** Ao registrar uma denúncia, você escolhe como se identificar:

- **Sigilosa**: seu nome e seu telefone ficam visíveis apenas para a Ouvidoria, e nunca para a área denunciada. Você continua recebendo as respostas por aqui e acompanha pelo número de protocolo.
- **Anônima**: ninguém fica sabendo quem você é, nem a Ouvidoria. Por isso ela não pode ser acompanhada: não recebe número de protocolo nem resposta.

Para denunciar, escolha *Ouvidoria › Denúncia* no menu.
`),
	article("iluminacao", "Iluminação pública", "Conserto", "Como pedir o conserto de lâmpada queimada ou poste apagado?",
		"lampada queimada, poste apagado, rua escura, iluminacao, luz da rua, poste, lampada acesa de dia, piscando", `
Escolha no menu *Iluminação pública › Rua escura ou lâmpada* e envie a **localização do poste** (pelo clipe 📎 › *Localização*) ou o endereço com um ponto de referência. Se puder, mande uma foto.

- Lâmpadas queimadas ou piscando são trocadas, em média, em até **3 dias úteis**.
- Postes danificados ou fios caídos são atendidos com prioridade. **Fio caído na rua: não toque e ligue 193.**

Você recebe um protocolo e é avisado quando o serviço for concluído.
`),
	article("protocolo", "Atendimento", "Protocolo", "Como acompanhar meu protocolo?",
		"protocolo, acompanhar, andamento, situacao, numero do protocolo, consultar", `
Todo atendimento recebe um **número de protocolo** com o ano e um número sequencial, por exemplo *2026 000123-4*.

Para acompanhar, escolha *Consultar protocolo* no menu e digite o número. Você também recebe uma mensagem aqui a cada novidade, sem precisar perguntar.
`),
	article("horario", "Atendimento", "Horário", "Qual é o horário de atendimento da Prefeitura?",
		"horario, funcionamento, aberto, expediente, que horas, endereco, atendimento presencial", `
- **WhatsApp (este canal):** o assistente virtual atende 24 horas; os atendentes, em dias úteis, no horário de expediente.
- **Atendimento presencial:** de segunda a sexta-feira, das **8h às 17h**, no Paço Municipal.
- **Unidades de saúde:** de segunda a sexta-feira, das **7h às 18h**.

Leve um **documento com foto** e o **CPF** para qualquer atendimento presencial.
`),
	article("iptu", "Tributos", "IPTU", "Como emitir a segunda via do IPTU?",
		"iptu, imposto, carne, segunda via do iptu, imovel, predial, territorial", `
A segunda via do **IPTU** pode ser emitida:

1. No site da Prefeitura, em *Serviços › Tributos › IPTU*, com o número de inscrição do imóvel (está no carnê) ou o CPF do proprietário.
2. No Paço Municipal, no setor de Tributos, com um documento com foto.

O pagamento em **cota única** até o primeiro vencimento costuma ter desconto. Parcelas atrasadas podem ser pagas com juros pela própria segunda via.
`),
	article("consulta-ubs", "Saúde", "Agendamento", "Como agendar consulta na Unidade Básica de Saúde (UBS)?",
		"consulta, agendar consulta, medico, ubs, posto de saude, cartao sus, agendamento", `
Para agendar consulta na **UBS** do seu bairro:

- pelo WhatsApp: escolha *Outros serviços › Consulta na UBS* e fale com a equipe de agendamentos;
- ou vá até a UBS com **documento com foto**, **Cartão SUS** e **comprovante de endereço**.

Em caso de **urgência ou emergência**, procure o Pronto-Socorro ou ligue **192** (SAMU).
`),
	article("coleta", "Limpeza urbana", "Coleta de lixo", "Quais são os dias da coleta de lixo e como descartar entulho?",
		"lixo, coleta, entulho, reciclagem, reciclavel, cata treco, moveis velhos, cacamba", `
- **Lixo comum:** coletado três vezes por semana em cada bairro, em dias alternados. Coloque o saco fechado na calçada até duas horas antes do horário da coleta.
- **Recicláveis:** uma vez por semana, separados em saco à parte.
- **Móveis velhos e volumosos (Cata-Treco):** agende a retirada com um atendente.
- **Entulho de obra:** não é recolhido pela coleta comum; contrate uma caçamba ou leve ao ecoponto.

Descartar lixo em terreno ou via pública é proibido e sujeito a multa.
`),
	article("poda", "Meio ambiente", "Poda de árvore", "Como pedir a poda ou a remoção de uma árvore?",
		"poda, arvore, galho, remocao de arvore, corte de arvore, risco de queda", `
A poda e a remoção de árvores em **calçadas e áreas públicas** são feitas pela Prefeitura, depois de uma vistoria técnica.

Para pedir, fale com um atendente informando o **endereço** e, se puder, envie uma **foto** da árvore. Árvores com **risco de queda** têm prioridade; em emergência, ligue **193** (Bombeiros) ou **199** (Defesa Civil).

Não pode podar ou cortar árvore da calçada por conta própria: é preciso autorização.
`),
}
