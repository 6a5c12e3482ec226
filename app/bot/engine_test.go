package bot_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"balcao/app/bot"
	"balcao/app/store"
)

// step is one message of a conversation and what must follow from it.
type step struct {
	in bot.Input
	// wait is the time before the message (the driver adds a minute anyway).
	wait time.Duration
	// want are texts the citizen must read in the replies (all of them).
	want []string
	// not are texts that must not appear.
	not []string
	// effects are the effect types that must come, in order, and no others.
	effects []string
	// mode is the session's mode afterwards ("" to skip the check).
	mode bot.Mode
	// check inspects the decision further.
	check func(t *testing.T, d bot.Decision)
}

func effectNames(d bot.Decision) []string {
	var out []string
	for _, e := range d.Effects {
		out = append(out, reflect.TypeOf(e).Name())
	}
	return out
}

func ticketOf(t *testing.T, d bot.Decision) bot.OpenTicket {
	t.Helper()
	for _, e := range d.Effects {
		if o, ok := e.(bot.OpenTicket); ok {
			return o
		}
	}
	t.Fatalf("no OpenTicket in %v", effectNames(d))
	return bot.OpenTicket{}
}

func runConversation(t *testing.T, e *bot.Engine, steps []step) *convo {
	t.Helper()
	c := newConvo(t, e)
	for i, s := range steps {
		c.now = c.now.Add(s.wait)
		d := c.send(s.in)
		text := transcript(d)
		for _, w := range s.want {
			if !strings.Contains(text, w) {
				t.Errorf("step %d (%q): missing %q in\n%s", i+1, s.in.Text, w, text)
			}
		}
		for _, w := range s.not {
			if strings.Contains(text, w) {
				t.Errorf("step %d (%q): unexpected %q in\n%s", i+1, s.in.Text, w, text)
			}
		}
		if got := effectNames(d); !slices.Equal(got, s.effects) {
			t.Errorf("step %d (%q): effects %v, want %v\n%s", i+1, s.in.Text, got, s.effects, text)
		}
		if s.mode != "" && d.Session.Mode != s.mode {
			t.Errorf("step %d (%q): mode %q, want %q\n%s", i+1, s.in.Text, d.Session.Mode, s.mode, text)
		}
		if s.check != nil {
			s.check(t, d)
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	return c
}

const (
	articleWater = "Como tirar a segunda via da conta de água?"
	feedbackQ    = "Isso resolveu?"
	rootMenu     = "*5* - Consultar protocolo"
	waterMenu    = "*1* - Segunda via da conta"
)

var (
	ticketFx = []string{"OpenTicket", "EndConversation"}
	humanFx  = []string{"OpenTicket", "HandToHuman", "EndConversation"}
	endFx    = []string{"EndConversation"}
)

func TestConversations(t *testing.T) {
	closedGeneral := fakeGroups{testGroups[bot.GroupGeneral]: {Open: false,
		Hours: "segunda a sexta, das 08:00 às 17:00", Next: "amanhã às 08:00"}}
	cases := []struct {
		name   string
		groups fakeGroups
		steps  []step
	}{
		{"a KB answer in three taps", nil, []step{
			{in: txt("Oi"), want: []string{"Olá, Maria! 👋", "Prefeitura de Vale Verde", rootMenu}, mode: bot.ModeMenu,
				check: func(t *testing.T, d bot.Decision) {
					if len(d.Replies) != 1 || d.Replies[0].Form != bot.FormList {
						t.Errorf("greeting and menu should be one list message: %s", transcript(d))
					}
				}},
			{in: tap("Água e esgoto"), want: []string{waterMenu, "*0* - Voltar", "*9* - Falar com atendente"}},
			{in: tap("Segunda via da conta"), want: []string{articleWater, "*Pela internet:*", feedbackQ}, mode: bot.ModeFeedback},
			{in: tap("Sim"), want: []string{"Que bom que ajudou"}, effects: []string{"ArticleFeedback", "EndConversation"},
				check: func(t *testing.T, d bot.Decision) {
					if f := d.Effects[0].(bot.ArticleFeedback); !f.Helpful || f.ArticleID != 1 {
						t.Errorf("feedback %+v", f)
					}
				}},
		}},
		{"numbers, a no, then a human", nil, []step{
			{in: txt("bom dia"), want: []string{rootMenu}},
			{in: txt("1"), want: []string{waterMenu}},
			{in: txt("1️⃣"), want: []string{articleWater}},
			{in: txt("2"), want: []string{"Sinto muito", "Falar com atendente", "Menu principal"}, effects: []string{"ArticleFeedback"},
				check: func(t *testing.T, d bot.Decision) {
					if f := d.Effects[0].(bot.ArticleFeedback); f.Helpful {
						t.Errorf("feedback %+v", f)
					}
				}},
			{in: txt("1"), want: []string{"protocolo *" + bot.ProtocolPlaceholder + "*", "continuar a conversa"}, effects: humanFx,
				check: func(t *testing.T, d bot.Decision) {
					if o := ticketOf(t, d); o.GroupID != testGroups[bot.GroupWaterBill] || o.Kind != "" {
						t.Errorf("hand-off from the water menu went to %+v", o)
					}
				}},
		}},
		{"the option's words, with typos, as the first message", nil, []step{
			{in: txt("Boa tarde! Quero a sugunda via da conta de água"), want: []string{"Olá, Maria!", articleWater, feedbackQ}},
			{in: txt("obrigada"), want: []string{"Que bom que ajudou"}, effects: []string{"ArticleFeedback", "EndConversation"}},
		}},
		{"words at a submenu and across the tree", nil, []step{
			{in: txt("oi")},
			{in: txt("agua"), want: []string{waterMenu}},
			{in: txt("religação"), want: []string{"Como pedir a religação?"}},
			{in: txt("menu"), want: []string{rootMenu}},
			{in: txt("2 via"), want: []string{articleWater}},
		}},
		{"free text finds articles", nil, []step{
			{in: txt("oi")},
			{in: txt("qual o prazo de resposta da ouvidoria?"), want: []string{"Qual é o prazo de resposta da Ouvidoria?", feedbackQ}},
			{in: txt("menu")},
			{in: txt("denuncia anonima"), want: []string{"Encontrei estas informações", "*1* - Posso fazer uma denúnci…"}, mode: bot.ModeOffers,
				check: func(t *testing.T, d bot.Decision) {
					if r := d.Replies[0]; r.Form != bot.FormList || r.Options[0].Description != "Posso fazer uma denúncia anônima?" {
						t.Errorf("offers %#v", r)
					}
				}},
			{in: txt("1"), want: []string{"*Posso fazer uma denúncia anônima?*", feedbackQ}},
		}},
		{"nothing found, three times, then a human is offered", nil, []step{
			{in: txt("oi")},
			{in: txt("xyzzy plugh"), want: []string{"Não encontrei nada sobre isso", rootMenu}, mode: bot.ModeMenu},
			{in: txt("7"), want: []string{"Essa opção não existe", "de *1* a *6*"}},
			{in: txt("blorp"), want: []string{"Quer falar com um atendente?", "Sim, por favor"}, mode: bot.ModeOfferHelp},
			{in: txt("não"), want: []string{rootMenu}, mode: bot.ModeMenu,
				check: func(t *testing.T, d bot.Decision) {
					if d.Session.Failures != 0 {
						t.Errorf("failures not reset: %d", d.Session.Failures)
					}
				}},
		}},
		{"ouvidoria reclamação with a photo", nil, []step{
			{in: txt("oi")},
			{in: tap("Ouvidoria"), want: []string{"*1* - Reclamação", "*2* - Denúncia"}},
			{in: tap("Reclamação"), want: []string{"Vamos registrar sua *reclamação*", "Conte o que aconteceu", "Para cancelar, envie *menu*"}, mode: bot.ModeField},
			{in: txt(""), want: []string{"Preciso de uma resposta com palavras", "Conte o que aconteceu"}},
			{in: loc(), want: []string{"preciso de uma resposta escrita", "Conte o que aconteceu"}},
			{in: txt("O atendente do posto de saúde da Vila Nova me tratou mal ontem às 10h."), want: []string{"envie uma *foto*"},
				check: func(t *testing.T, d bot.Decision) {
					if d.Session.Step != 1 || len(d.Session.Answers) != 1 {
						t.Errorf("after the description: %+v", d.Session)
					}
					if r := d.Replies[len(d.Replies)-1]; r.Form != bot.FormButtons || r.Options[0].Title != "Pular" {
						t.Errorf("optional photo should offer a Pular button: %#v", r)
					}
				}},
			{in: sticker(), want: []string{"preciso de uma foto ou documento"}},
			{in: photo("foto da fila"), want: []string{"registrada com o protocolo *" + bot.ProtocolPlaceholder + "*"}, effects: ticketFx,
				check: func(t *testing.T, d bot.Decision) {
					o := ticketOf(t, d)
					if o.GroupID != testGroups[bot.GroupOmbudsman] || o.Kind != bot.KindReclamacao || o.Subject != "Ouvidoria › Reclamação" || o.Identity != "" {
						t.Errorf("ticket %+v", o)
					}
					if len(o.Answers) != 2 || o.Answers[0].Key != "descricao" || !strings.Contains(o.Answers[0].Value, "tratou mal") ||
						o.Answers[1].Key != "foto" || o.Answers[1].MediaID != "wamedia.123" || o.Answers[1].Value != "foto da fila" ||
						o.Answers[1].MessageID == 0 || o.Answers[0].Label != "Conte o que aconteceu: o quê, onde e quando." {
						t.Errorf("answers %+v", o.Answers)
					}
					d.SetProtocol("2026 000123-4")
					if d.NeedsProtocol() || !strings.Contains(transcript(d), "*2026 000123-4*") {
						t.Errorf("protocol not filled in: %s", transcript(d))
					}
				}},
		}},
		{"denúncia sigilosa, skipping optional fields", nil, []step{
			{in: txt("quero fazer uma denuncia"), want: []string{"Vamos registrar sua *denúncia*", "*Sigilosa*: só a Ouvidoria", "*Anônima*", "não será possível acompanhar"},
				check: func(t *testing.T, d bot.Decision) {
					r := d.Replies[len(d.Replies)-1]
					if len(r.Options) != 3 || r.Options[0].Title != "Identificada" || r.Options[1].Title != "Sigilosa" || r.Options[2].Title != "Anônima" {
						t.Errorf("identity choices %+v", r.Options)
					}
				}},
			{in: txt("2"), want: []string{"Descreva a situação"}, not: []string{"Atenção"}},
			{in: txt("Funcionário cobrando propina para liberar alvará na secretaria de obras.")},
			{in: txt("pular"), want: []string{"envie uma *foto*"}},
			{in: tap("Pular"), want: []string{"protegida", "protocolo *" + bot.ProtocolPlaceholder + "*"}, effects: ticketFx,
				check: func(t *testing.T, d bot.Decision) {
					o := ticketOf(t, d)
					if o.Identity != store.IdentitySigilosa || o.Kind != bot.KindDenuncia || len(o.Answers) != 1 {
						t.Errorf("ticket %+v", o)
					}
				}},
		}},
		{"denúncia anônima: warned before confirming, no protocol after", nil, []step{
			{in: txt("quero fazer uma denuncia"), want: []string{"Como você quer se identificar?"}},
			{in: txt("anonima"), want: []string{"Atenção", "não pode ser acompanhada", "não terá número de protocolo", "Descreva a situação"}},
			{in: txt("Descarte de entulho em área de preservação, toda sexta à noite.")},
			{in: txt("pular")},
			{in: tap("Pular"), want: []string{"manifestação *anônima* foi registrada", "não tem número de protocolo"},
				not: []string{bot.ProtocolPlaceholder}, effects: ticketFx,
				check: func(t *testing.T, d bot.Decision) {
					o := ticketOf(t, d)
					if o.Identity != store.IdentityAnonima || len(o.Answers) != 1 || o.Answers[0].Identifying {
						t.Errorf("ticket %+v", o)
					}
					if d.NeedsProtocol() {
						t.Error("an anonymous confirmation asks for the protocol number")
					}
				}},
		}},
		{"denúncia identificada", nil, []step{
			{in: txt("quero fazer uma denuncia")},
			{in: tap("Identificada"), want: []string{"Descreva a situação"}},
			{in: txt("Buraco enorme na calçada da escola municipal.")},
			{in: txt("pular")},
			{in: tap("Pular"), effects: ticketFx, not: []string{"protegida"},
				check: func(t *testing.T, d bot.Decision) {
					if o := ticketOf(t, d); o.Identity != store.IdentityNormal {
						t.Errorf("ticket %+v", o)
					}
				}},
		}},
		{"iluminação with a shared location", nil, []step{
			{in: txt("a rua está escura, poste apagado"), want: []string{"Onde fica o poste?"}},
			{in: loc(), want: []string{"Algum detalhe?"}},
			{in: txt("a lâmpada pisca a noite toda")},
			{in: txt("não"), effects: ticketFx, check: func(t *testing.T, d bot.Decision) {
				o := ticketOf(t, d)
				if o.GroupID != testGroups[bot.GroupLighting] || len(o.Answers) != 2 ||
					!strings.Contains(o.Answers[0].Value, "Praça da Matriz (-20.811300, -49.375800) https://maps.google.com/?q=-20.811300,-49.375800") {
					t.Errorf("ticket %+v", o)
				}
			}},
		}},
		{"protocol lookup", nil, []step{
			{in: txt("oi")},
			{in: txt("5"), want: []string{"número do protocolo"}, mode: bot.ModeLookup},
			{in: txt("123"), want: []string{"Não reconheci um número de protocolo"}},
			{in: txt("2026 999999-9"), want: []string{"Não encontrei o protocolo *20269999999*"}},
			{in: txt("Protocolo: 2026 000123-4"), want: []string{"Protocolo *2026 000123-4*", "Situação: *Em atendimento*", "equipe de obras", "consultar outro"},
				mode: bot.ModeLookup},
			{in: txt("0"), want: []string{rootMenu}},
		}},
		{"a protocol number as the first message is looked up", nil, []step{
			{in: txt("protocolo 2026 000123-4"), want: []string{"Olá, Maria!", "Situação: *Em atendimento*"}, mode: bot.ModeLookup},
			{in: txt("menu"), want: []string{rootMenu}},
			{in: txt("2026000123-4"), want: []string{"Situação: *Em atendimento*"}},
		}},
		{"a campaign's quick-reply button opts out", nil, []step{
			{in: bot.Input{Type: bot.TypeButton, Text: "Parar de receber", ReplyID: "STOP"}, want: []string{"não vai mais receber"}, effects: []string{"OptOut"}},
		}},
		{"lookup: words instead of a number go back to the menu", nil, []step{
			{in: txt("consultar protocolo"), want: []string{"número do protocolo"}},
			{in: txt("segunda via da conta"), want: []string{articleWater}},
		}},
		{"human hand-off when the group is closed", closedGeneral, []step{
			{in: txt("oi")},
			{in: tap("Falar com atendente"), want: []string{"protocolo *" + bot.ProtocolPlaceholder + "*", "fora do horário",
				"segunda a sexta, das 08:00 às 17:00", "Voltamos amanhã às 08:00", "responderemos"}, effects: humanFx,
				check: func(t *testing.T, d bot.Decision) {
					if o := ticketOf(t, d); o.GroupID != testGroups[bot.GroupGeneral] || o.Kind != "" {
						t.Errorf("ticket %+v", o)
					}
				}},
		}},
		{"atendente at any step keeps what was collected", nil, []step{
			{in: txt("vazamento"), want: []string{"Onde está o vazamento?"}},
			{in: txt("Rua das Palmeiras, 120, em frente à padaria")},
			{in: txt("quero falar com um atendente"), want: []string{"continuar a conversa"}, effects: humanFx,
				check: func(t *testing.T, d bot.Decision) {
					o := ticketOf(t, d)
					if o.GroupID != testGroups[bot.GroupWaterLeak] || len(o.Answers) != 1 || o.Answers[0].Key != "local" {
						t.Errorf("ticket %+v", o)
					}
				}},
		}},
		{"'atendente' inside a description is a description", nil, []step{
			{in: txt("reclamação")},
			{in: txt("o atendente da agência foi grosseiro"), want: []string{"envie uma *foto*"}, mode: bot.ModeField},
		}},
		{"global words", nil, []step{
			{in: txt("oi")},
			{in: txt("1"), want: []string{waterMenu}},
			{in: txt("voltar"), want: []string{rootMenu}},
			{in: txt("2")},
			{in: txt("1"), mode: bot.ModeField},
			{in: txt("Buraco enorme na calçada da escola")},
			{in: txt("Menu"), want: []string{rootMenu}, effects: []string{"RecordAnswer"},
				check: func(t *testing.T, d bot.Decision) {
					if a := d.Effects[0].(bot.RecordAnswer).Answer; a.Key != "descricao" || !strings.Contains(a.Value, "Buraco") {
						t.Errorf("abandoned answer %+v", a)
					}
				}},
			{in: txt("parar"), want: []string{"não vai mais receber"}, effects: []string{"OptOut"}, mode: bot.ModeMenu},
			{in: txt("sair da lista"), effects: []string{"OptOut"}},
			{in: txt("sair"), want: []string{"Atendimento encerrado"}, effects: endFx},
		}},
		{"back from a form goes to the menu it came from", nil, []step{
			{in: txt("ouvidoria")},
			{in: txt("sugestão"), mode: bot.ModeField},
			{in: txt("0"), want: []string{"Preciso de uma resposta com palavras"}, mode: bot.ModeField},
			{in: txt("voltar"), want: []string{"*1* - Reclamação"}, mode: bot.ModeMenu},
			{in: txt("0"), want: []string{rootMenu}},
		}},
		{"timeout restarts at the top with a greeting", nil, []step{
			{in: txt("oi")},
			{in: txt("1"), want: []string{waterMenu}},
			{in: txt("1"), wait: 31 * time.Minute, want: []string{"Olá, Maria!", waterMenu}, not: []string{articleWater}},
		}},
		{"no timeout within 30 minutes", nil, []step{
			{in: txt("oi")},
			{in: txt("1"), wait: 28 * time.Minute, want: []string{waterMenu}, not: []string{"Olá"}},
		}},
		{"timeout in the middle of a form: resume", nil, []step{
			{in: txt("reclamacao")},
			{in: txt("Ônibus da linha 3 não passou hoje de manhã")},
			{in: txt("oi"), wait: 2 * time.Hour, want: []string{"Olá de novo, Maria!", "começado *Reclamação*", "Continuar"}, mode: bot.ModeResume},
			{in: tap("Continuar"), want: []string{"envie uma *foto*"}, mode: bot.ModeField},
			{in: photo(""), effects: ticketFx, check: func(t *testing.T, d bot.Decision) {
				if o := ticketOf(t, d); len(o.Answers) != 2 || o.Answers[1].Value != "[arquivo enviado]" {
					t.Errorf("ticket %+v", o)
				}
			}},
		}},
		{"timeout in the middle of a form: start over keeps the answers", nil, []step{
			{in: txt("reclamacao")},
			{in: txt("Ônibus da linha 3 não passou hoje de manhã")},
			{in: txt("iptu"), wait: 2 * time.Hour, mode: bot.ModeResume},
			{in: txt("2"), want: []string{rootMenu}, effects: []string{"RecordAnswer"}},
		}},
		{"timeout in the middle of a form: the awaited photo is taken at once", nil, []step{
			{in: txt("reclamacao")},
			{in: txt("Ônibus da linha 3 não passou hoje de manhã")},
			{in: photo("o ponto vazio"), wait: 3 * time.Hour, want: []string{"Olá de novo", "registrada"}, effects: ticketFx},
		}},
		{"a new subject after a timeout in a form", nil, []step{
			{in: txt("reclamacao")},
			{in: txt("Ônibus da linha 3 não passou hoje de manhã")},
			{in: txt("oi"), wait: time.Hour, mode: bot.ModeResume},
			{in: txt("lampada queimada na minha rua"), want: []string{"Onde fica o poste?"}, effects: []string{"RecordAnswer"}},
		}},
		{"bad input at the menu", nil, []step{
			{in: txt("oi")},
			{in: sticker(), want: []string{"figurinha", rootMenu}},
			{in: reaction("👍"), want: []string{"reação", rootMenu}},
			{in: txt("😀😀"), want: []string{"Quer falar com um atendente?"}},
			{in: txt("menu")},
			{in: audio(), want: []string{"áudios"}},
			{in: unsupported(), want: []string{"Não consegui abrir"}},
			{in: contacts(), want: []string{"contato compartilhado", "Quer falar com um atendente?"}},
			{in: txt("1"), effects: humanFx},
		}},
		{"a removed reaction gets no reply", nil, []step{
			{in: txt("oi")},
			{in: reaction("")},
			{in: txt("1"), want: []string{waterMenu}},
		}},
		{"a reaction answers 'Isso resolveu?'", nil, []step{
			{in: txt("segunda via")},
			{in: reaction("👍"), effects: []string{"ArticleFeedback", "EndConversation"}},
		}},
		{"media and location before any menu", nil, []step{
			{in: photo(""), want: []string{"Olá", "Recebi seu arquivo", rootMenu}},
			{in: loc(), want: []string{"Recebi sua localização", rootMenu}},
		}},
		{"a 4,096-character message", nil, []step{
			{in: txt(strings.Repeat("vazamento de água na rua ", 200)[:4096]), want: []string{"Onde está o vazamento?"}},
			{in: txt(strings.Repeat("água jorrando do cano ", 190)), want: []string{"Descreva o vazamento"}},
			{in: txt(strings.Repeat("x", 5000)), check: func(t *testing.T, d bot.Decision) {
				if n := len([]rune(d.Session.Answers[1].Value)); n > 4096 {
					t.Errorf("answer of %d characters kept", n)
				}
			}},
		}},
		{"taps on options of an old message still work", nil, []step{
			{in: txt("oi")},
			{in: tap("Água e esgoto")},
			{in: tap("Segunda via da conta"), mode: bot.ModeFeedback},
			{in: bot.Input{Type: bot.TypeInteractive, Text: "Religação", ReplyID: "n:6"}, want: []string{"Como pedir a religação?"}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := newTestEngine(t, c.groups)
			runConversation(t, e, c.steps)
		})
	}
}

func TestFormFieldValidation(t *testing.T) {
	ask := func(f bot.Field) *bot.Engine {
		cfg := bot.Config{Fields: []bot.Field{f}}
		nodes := []store.MenuNode{
			{ID: 1, Title: "Menu", Action: store.MenuActionMenu},
			{ID: 2, ParentID: 1, Title: "Cadastro", Action: store.MenuActionAsk, Config: cfg.String()},
		}
		m, problems := bot.BuildMenu(nodes)
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		return bot.New(m, bot.Options{})
	}
	cases := []struct {
		field bot.Field
		in    bot.Input
		value string // "" when refused
		why   string
	}{
		{bot.Field{Key: "cpf", Label: "CPF", Type: bot.FieldCPF}, txt("529.982.247-25"), "529.982.247-25", ""},
		{bot.Field{Key: "cpf", Label: "CPF", Type: bot.FieldCPF}, txt("52998224725"), "529.982.247-25", ""},
		{bot.Field{Key: "cpf", Label: "CPF", Type: bot.FieldCPF}, txt("529.982.247-24"), "", "CPF não é válido"},
		{bot.Field{Key: "cpf", Label: "CPF", Type: bot.FieldCPF}, txt("111.111.111-11"), "", "CPF não é válido"},
		{bot.Field{Key: "cpf", Label: "CPF", Type: bot.FieldCPF}, loc(), "", "resposta escrita"},
		{bot.Field{Key: "tel", Label: "Telefone", Type: bot.FieldPhone}, txt("+55 17 98888-7777"), "(17) 98888-7777", ""},
		{bot.Field{Key: "tel", Label: "Telefone", Type: bot.FieldPhone}, txt("(17) 3333-4444"), "(17) 3333-4444", ""},
		{bot.Field{Key: "tel", Label: "Telefone", Type: bot.FieldPhone}, txt("98888-7777"), "", "telefone não parece válido"},
		{bot.Field{Key: "data", Label: "Data", Type: bot.FieldDate}, txt("5/3/2026"), "05/03/2026", ""},
		{bot.Field{Key: "data", Label: "Data", Type: bot.FieldDate}, txt("31/02/2026"), "", "Não entendi a data"},
		{bot.Field{Key: "data", Label: "Data", Type: bot.FieldDate}, txt("ontem"), "09/03/2026", ""},
		{bot.Field{Key: "area", Label: "Área", Type: bot.FieldChoice, Options: []string{"Cível", "Criminal", "Família"}}, txt("criminal"), "Criminal", ""},
		{bot.Field{Key: "area", Label: "Área", Type: bot.FieldChoice, Options: []string{"Cível", "Criminal", "Família"}}, txt("3"), "Família", ""},
		{bot.Field{Key: "area", Label: "Área", Type: bot.FieldChoice, Options: []string{"Cível", "Criminal", "Família"}}, bot.Input{Type: bot.TypeInteractive, Text: "Cível", ReplyID: "opt:0"}, "Cível", ""},
		{bot.Field{Key: "area", Label: "Área", Type: bot.FieldChoice, Options: []string{"Cível", "Criminal", "Família"}}, txt("trabalhista"), "", "Escolha uma das opções"},
		{bot.Field{Key: "local", Label: "Onde?", Type: bot.FieldLocation}, txt("Rua XV de Novembro, 100"), "Rua XV de Novembro, 100", ""},
		{bot.Field{Key: "local", Label: "Onde?", Type: bot.FieldLocation}, txt("ali"), "", "endereço com rua"},
		{bot.Field{Key: "local", Label: "Onde?", Type: bot.FieldLocation}, photo(""), "", "Preciso da localização"},
		{bot.Field{Key: "doc", Label: "Documento", Type: bot.FieldMedia}, bot.Input{Type: bot.TypeDocument, MediaID: "m1", Text: "rg.pdf"}, "rg.pdf", ""},
		{bot.Field{Key: "doc", Label: "Documento", Type: bot.FieldMedia}, txt("pular"), "", "Preciso de uma foto ou documento"},
		{bot.Field{Key: "nome", Label: "Nome", Type: bot.FieldText}, txt("🙂"), "", "resposta com palavras"},
		{bot.Field{Key: "nome", Label: "Nome", Type: bot.FieldText}, photo("Maria da Silva"), "Maria da Silva", ""},
	}
	for _, c := range cases {
		t.Run(string(c.field.Type)+" "+c.in.Text, func(t *testing.T) {
			conv := newConvo(t, ask(c.field))
			conv.send(txt("cadastro"))
			d := conv.send(c.in)
			if c.value == "" {
				if !strings.Contains(transcript(d), c.why) || d.Session.Mode != bot.ModeField || len(d.Effects) != 0 {
					t.Errorf("refusal: want %q, got %v\n%s", c.why, effectNames(d), transcript(d))
				}
				return
			}
			if len(d.Effects) != 1 {
				t.Fatalf("effects %v\n%s", effectNames(d), transcript(d))
			}
			a := d.Effects[0].(bot.RecordAnswer).Answer
			if a.Value != c.value || a.Key != c.field.Key {
				t.Errorf("answer %+v, want value %q", a, c.value)
			}
			if !strings.Contains(transcript(d), "Obrigado! Suas informações foram registradas") {
				t.Errorf("no confirmation:\n%s", transcript(d))
			}
		})
	}
}

func TestParsers(t *testing.T) {
	now := testStart
	for in, want := range map[string]string{
		"529.982.247-25": "529.982.247-25", "52998224725": "529.982.247-25", "529 982 247 25": "529.982.247-25",
		"529.982.247-2": "", "000.000.000-00": "", "cpf 52998224725": "", "": "",
	} {
		if got, ok := bot.ParseCPF(in); got != want || ok != (want != "") {
			t.Errorf("ParseCPF(%q) = %q, %v", in, got, ok)
		}
	}
	for in, want := range map[string]string{
		"17988887777": "(17) 98888-7777", "+55 (17) 98888-7777": "(17) 98888-7777", "017 98888 7777": "(17) 98888-7777",
		"1733334444": "(17) 3333-4444", "17 88887777": "", "07988887777": "", "1798888777": "", "17 8888-77777": "",
		"abc": "",
	} {
		if got, ok := bot.ParsePhone(in); got != want || ok != (want != "") {
			t.Errorf("ParsePhone(%q) = %q, %v", in, got, ok)
		}
	}
	for in, want := range map[string]string{
		"25/03/2026": "25/03/2026", "25-3-26": "25/03/2026", "25.03.1999": "25/03/1999", "1/1/30": "01/01/1930",
		"29/02/2024": "29/02/2024", "29/02/2025": "", "25032026": "25/03/2026", "hoje": "10/03/2026",
		"32/01/2026": "", "amanhã": "", "2026-03-25": "",
	} {
		if got, ok := bot.ParseDate(in, now); got != want || ok != (want != "") {
			t.Errorf("ParseDate(%q) = %q, %v", in, got, ok)
		}
	}
}

func TestDependenciesFail(t *testing.T) {
	nodes, _ := defaultFixture()
	m, _ := bot.BuildMenu(nodes)
	boom := errors.New("database is locked")
	e := bot.New(m, bot.Options{KB: failingKB{boom}, Protocols: failingProtocols{boom}, Groups: failingGroups{boom}})
	c := &convo{t: t, e: e, now: testStart}
	decide := func(in bot.Input) bot.Decision {
		in.Now = c.now
		d := e.Decide(context.Background(), c.s, in)
		c.s = d.Session
		return d
	}
	decide(txt("oi"))
	if d := decide(txt("zebra listrada")); len(d.Errs) != 1 || !strings.Contains(transcript(d), "Não encontrei") {
		t.Errorf("search failure: %v\n%s", d.Errs, transcript(d))
	}
	if d := decide(txt("1")); len(d.Errs) != 0 {
		t.Fatal(d.Errs)
	}
	if d := decide(txt("1")); len(d.Errs) != 1 || !strings.Contains(transcript(d), "não está mais disponível") {
		t.Errorf("article failure: %v\n%s", d.Errs, transcript(d))
	}
	decide(txt("menu"))
	decide(txt("5"))
	if d := decide(txt("2026 000123-4")); len(d.Errs) != 1 || !strings.Contains(transcript(d), "Não consegui consultar") || d.Session.Mode != bot.ModeLookup {
		t.Errorf("lookup failure: %v\n%s", d.Errs, transcript(d))
	}
	if d := decide(txt("atendente")); len(d.Errs) != 1 || !strings.Contains(transcript(d), "em instantes") {
		t.Errorf("hours failure should not promise a wait: %v\n%s", d.Errs, transcript(d))
	}
}

type failingKB struct{ err error }

func (f failingKB) SearchArticles(context.Context, string, int) ([]store.ArticleHit, error) {
	return nil, f.err
}
func (f failingKB) ArticleByID(context.Context, int64) (store.Article, error) {
	return store.Article{}, f.err
}

type failingProtocols struct{ err error }

func (f failingProtocols) LookupProtocol(context.Context, int64, string) (bot.Protocol, error) {
	return bot.Protocol{}, f.err
}

type failingGroups struct{ err error }

func (f failingGroups) GroupHours(context.Context, int64, time.Time) (bot.GroupHours, error) {
	return bot.GroupHours{}, f.err
}

func TestNoMenuHandsEverythingToAHuman(t *testing.T) {
	for _, m := range []*bot.Menu{nil, mustMenu(t, nil), mustMenu(t, []store.MenuNode{{ID: 1, Title: "Menu", Action: store.MenuActionMenu}})} {
		e := bot.New(m, bot.Options{})
		d := e.Decide(context.Background(), bot.Session{}, txt("oi"))
		if !slices.Equal(effectNames(d), humanFx) || !strings.Contains(transcript(d), "manutenção") {
			t.Errorf("empty menu: %v\n%s", effectNames(d), transcript(d))
		}
	}
}

func mustMenu(t *testing.T, nodes []store.MenuNode) *bot.Menu {
	m, _ := bot.BuildMenu(nodes)
	return m
}

func TestMenuEditedUnderAConversation(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	c := newConvo(t, e)
	c.send(txt("ouvidoria"))
	c.send(txt("reclamação"))
	c.send(txt("A praça do bairro está sem manutenção há meses"))
	// The panel replaces the menu: the node in progress is gone.
	e.SetMenu(mustMenu(t, []store.MenuNode{
		{ID: 100, Title: "Menu", Action: store.MenuActionMenu},
		{ID: 101, ParentID: 100, Title: "Novidade", Action: store.MenuActionEnd, Message: "Até logo!"},
	}))
	d := c.send(txt("Meu vizinho queima lixo todo dia"))
	if !strings.Contains(transcript(d), "*1* - Novidade") {
		t.Errorf("conversation in a deleted node should start over:\n%s", transcript(d))
	}
	if !slices.Equal(effectNames(d), []string{"RecordAnswer"}) || !strings.Contains(d.Effects[0].(bot.RecordAnswer).Answer.Value, "praça") {
		t.Errorf("the description given before the menu changed is lost: %v", d.Effects)
	}
}

func TestSessionDecode(t *testing.T) {
	if s, err := bot.DecodeSession(""); err != nil || !reflect.DeepEqual(s, bot.Session{}) {
		t.Errorf("empty: %+v, %v", s, err)
	}
	if _, err := bot.DecodeSession("{broken"); err == nil {
		t.Error("broken state decoded")
	}
	s := bot.Session{Node: 3, Mode: bot.ModeField, Step: 1, Answers: []bot.Answer{{Key: "k", Value: "v", MediaID: "m", Identifying: true}}, Identity: store.IdentitySigilosa, LastActivity: 5}
	if got, err := bot.DecodeSession(s.Encode()); err != nil || !reflect.DeepEqual(got, s) {
		t.Errorf("round trip %+v, %v", got, err)
	}
}

func TestReplyForms(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	c := newConvo(t, e)
	d := c.send(txt("oi"))
	if r := d.Replies[0]; r.Form != bot.FormList || r.Button != "Ver opções" || len(r.Options) != 6 {
		t.Errorf("root menu %#v", r)
	}
	// Options too long for a list fall back to numbered text.
	long := strings.Repeat("opção muito comprida ", 2)
	m := mustMenu(t, []store.MenuNode{
		{ID: 1, Title: "Menu", Action: store.MenuActionMenu},
		{ID: 2, ParentID: 1, Title: long, Action: store.MenuActionEnd},
		{ID: 3, ParentID: 1, Title: "Curta", Action: store.MenuActionEnd},
	})
	d = bot.New(m, bot.Options{}).Decide(context.Background(), bot.Session{}, txt("oi"))
	if r := d.Replies[0]; r.Form != bot.FormText || !strings.Contains(r.Plain(), "*1* - "+strings.TrimSpace(long)) || !strings.Contains(r.Plain(), "*9* - Falar com atendente") {
		t.Errorf("long titles: %#v", r)
	}
	// Twelve options: text, no "9".
	nodes := []store.MenuNode{{ID: 1, Title: "Menu", Action: store.MenuActionMenu}}
	for i := range 12 {
		nodes = append(nodes, store.MenuNode{ID: int64(i + 2), ParentID: 1, Title: fmt.Sprintf("Opção %d", i+1), Action: store.MenuActionEnd})
	}
	d = bot.New(mustMenu(t, nodes), bot.Options{}).Decide(context.Background(), bot.Session{}, txt("oi"))
	if r := d.Replies[0]; r.Form != bot.FormText || strings.Contains(r.Plain(), "Falar com atendente") || !strings.Contains(r.Plain(), "*12* - Opção 12") {
		t.Errorf("twelve options: %#v", r)
	}
	// Two options and a short body: reply buttons.
	d = bot.New(mustMenu(t, nodes[:3]), bot.Options{}).Decide(context.Background(), bot.Session{}, txt("oi"))
	if r := d.Replies[0]; r.Form != bot.FormButtons || len(r.Options) != 3 {
		t.Errorf("three options: %#v", r)
	}
}

func TestLongArticleIsSplit(t *testing.T) {
	long := strings.Repeat("Parágrafo com bastante texto para encher a mensagem. ", 40)
	answer := strings.Join([]string{long, long, long}, "\n\n")
	arts := []store.Article{{ID: 1, Public: true, Active: true, Question: "Regulamento completo?", Answer: answer}}
	m := mustMenu(t, []store.MenuNode{
		{ID: 1, Title: "Menu", Action: store.MenuActionMenu},
		{ID: 2, ParentID: 1, Title: "Regulamento", Action: store.MenuActionArticle, ArticleID: 1},
	})
	e := bot.New(m, bot.Options{KB: newMemKB(arts)})
	c := newConvo(t, e)
	c.send(txt("oi"))
	d := c.send(txt("1"))
	if len(d.Replies) < 3 {
		t.Fatalf("%d replies for a %d-character answer", len(d.Replies), len(answer))
	}
	if last := d.Replies[len(d.Replies)-1]; last.Form != bot.FormButtons || last.Text != feedbackQ {
		t.Errorf("last reply %#v", last)
	}
}

// Answers that tell who the citizen is are flagged, so a sigilosa ticket
// masks them and an anonymous one leaves them out.
func TestIdentifyingFields(t *testing.T) {
	for _, c := range []struct {
		f    bot.Field
		want bool
	}{
		{bot.Field{Key: "doc", Type: bot.FieldCPF}, true},
		{bot.Field{Key: "contato", Type: bot.FieldPhone}, true},
		{bot.Field{Key: "nome", Type: bot.FieldText}, true},
		{bot.Field{Key: "Endereco", Type: bot.FieldLocation}, true},
		{bot.Field{Key: "local", Type: bot.FieldLocation}, false},
		{bot.Field{Key: "descricao", Type: bot.FieldText}, false},
		{bot.Field{Key: "foto", Type: bot.FieldMedia}, false},
	} {
		if got := bot.Identifying(c.f); got != c.want {
			t.Errorf("Identifying(%s %s) = %t, want %t", c.f.Key, c.f.Type, got, c.want)
		}
	}
}

// A session stored with the old yes/no anonymity reads as sigilosa.
func TestLegacyAnonymousSession(t *testing.T) {
	s, err := bot.DecodeSession(`{"node":3,"mode":"field","step":1,"anon":true}`)
	if err != nil || s.Identity != store.IdentitySigilosa || s.LegacyAnon {
		t.Errorf("legacy session %+v, %v", s, err)
	}
}
