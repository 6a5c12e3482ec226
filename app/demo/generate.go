package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"balcao/app/store"
)

// GenerateOptions says how much history Generate writes.
type GenerateOptions struct {
	Tickets int
	// Messages is the average number of messages per ticket (default 10).
	Messages int
	// Years is how far back the tickets go (default 3).
	Years int
	// Seed makes the data reproducible.
	Seed uint64
	// Progress, if set, is called after each batch with the tickets written so far.
	Progress func(done int)
}

// GenerateStats is what Generate wrote.
type GenerateStats struct {
	Contacts, Tickets, Messages int
	Took                        time.Duration
}

// generateBatch is how many tickets go in one transaction: large enough that
// commits cost nothing, small enough to keep the writer's memory flat.
const generateBatch = 5000

// generateCacheMiB is the writer's page cache while generating.
const generateCacheMiB = 256

// Generate fills the database with o.Tickets realistic tickets spread over
// the last o.Years years, about o.Messages messages each, for the groups and
// clerks already there (Seed's). Batches are built on one goroutine and
// written on another, each in one transaction with prepared statements; the
// full-text indexes are merged at the end.
func Generate(ctx context.Context, st *store.Store, o GenerateOptions) (GenerateStats, error) {
	started := time.Now()
	if o.Messages <= 0 {
		o.Messages = 10
	}
	if o.Years <= 0 {
		o.Years = 3
	}
	if err := st.WriterCache(ctx, generateCacheMiB); err != nil {
		return GenerateStats{}, err
	}
	defer st.WriterCache(context.WithoutCancel(ctx), 0)
	g, err := newGenerator(ctx, st, o)
	if err != nil {
		return GenerateStats{}, err
	}
	stats := GenerateStats{Contacts: len(g.contacts)}
	batches := make(chan genBatch, 2)
	go func() {
		defer close(batches)
		for i := 0; i < o.Tickets; i += generateBatch {
			b := g.batch(i, min(generateBatch, o.Tickets-i))
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	for b := range batches {
		_, err := st.InsertBulk(ctx, nil, b.tickets)
		if err == nil {
			err = st.InsertBulkBotTalk(ctx, b.talks)
		}
		if err != nil {
			for range batches { // let the producer finish
			}
			return stats, fmt.Errorf("generate: %w", err)
		}
		stats.Tickets += len(b.tickets)
		for _, t := range b.tickets {
			stats.Messages += len(t.Messages)
		}
		for _, t := range b.talks {
			stats.Messages += len(t.Messages)
		}
		if o.Progress != nil {
			o.Progress(stats.Tickets)
		}
	}
	if err := ctx.Err(); err != nil {
		return stats, err
	}
	if err := st.OptimizeSearch(ctx); err != nil {
		return stats, fmt.Errorf("generate: %w", err)
	}
	// Build the reports' daily rows now rather than at the first report.
	if _, err := st.RefreshReportDays(ctx); err != nil {
		return stats, fmt.Errorf("generate: %w", err)
	}
	stats.Took = time.Since(started)
	return stats, nil
}

type generator struct {
	o        GenerateOptions
	rnd      *rand.Rand
	contacts []int64
	groups   []genGroup
	start    time.Time
	span     time.Duration
}

type genGroup struct {
	id      int64
	members []int64
	kinds   []string
}

func newGenerator(ctx context.Context, st *store.Store, o GenerateOptions) (*generator, error) {
	g := &generator{o: o, rnd: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))}
	g.span = time.Duration(o.Years) * 365 * 24 * time.Hour
	g.start = time.Now().Add(-g.span)
	list, err := st.ListGroups(ctx)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	for _, gr := range list {
		members, err := st.GroupMemberIDs(ctx, gr.ID)
		if err != nil {
			return nil, fmt.Errorf("generate: %w", err)
		}
		kinds := []string{"", "", "solicitacao"}
		if gr.Level != store.LevelN1 {
			kinds = []string{"reclamacao", "denuncia", "sugestao", "elogio", "informacao", "solicitacao"}
		}
		g.groups = append(g.groups, genGroup{id: gr.ID, members: members, kinds: kinds})
	}
	if len(g.groups) == 0 {
		g.groups = []genGroup{{kinds: []string{"", "reclamacao", "solicitacao", "denuncia"}}}
	}
	// About three tickets per citizen, as in a city where people come back.
	first, err := st.CountContacts(ctx)
	if err != nil {
		return nil, err
	}
	n := max(1, o.Tickets/3)
	for i := 0; i < n; i += generateBatch {
		cs := make([]store.BulkContact, 0, generateBatch)
		for j := i; j < min(n, i+generateBatch); j++ {
			cs = append(cs, g.contact(first+j))
		}
		ids, err := st.InsertContacts(ctx, cs)
		if err != nil {
			return nil, fmt.Errorf("generate: %w", err)
		}
		g.contacts = append(g.contacts, ids...)
	}
	return g, nil
}

var (
	firstNames = []string{"Maria", "José", "Ana", "João", "Antônio", "Francisca", "Carlos", "Adriana", "Paulo", "Juliana",
		"Luís", "Márcia", "Sebastião", "Fernanda", "Raimundo", "Patrícia", "Conceição", "Benedito", "Aparecida", "Lúcia"}
	lastNames = []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
		"Ribeiro", "Carvalho", "Araújo", "Conceição", "Gonçalves", "Camargo", "Moraes", "Brandão"}
	streets = []string{"Rua das Flores", "Avenida Brasil", "Rua São Benedito", "Rua Coronel Fonseca", "Travessa do Açude",
		"Rua Dom Pedro II", "Avenida Tiradentes", "Rua da Estação", "Praça da Matriz", "Rua Guaranésia"}
	// subjects and first messages of each kind; the bot path as the subject.
	openings = map[string][]string{
		"":            {"Bom dia, preciso da segunda via da conta de água", "Oi, queria saber o horário do posto de saúde", "Como faço para tirar o alvará?", "Boa tarde, o IPTU deste ano já saiu?"},
		"solicitacao": {"Peço a poda da árvore em frente ao número %d", "Solicito a troca da lâmpada do poste na %s", "Tem um buraco enorme na %s, peço o conserto", "Peço a limpeza do terreno baldio na %s"},
		"reclamacao":  {"A coleta de lixo não passa na %s há uma semana", "Falta água no bairro desde ontem, na %s", "O atendimento na UBS foi péssimo, esperei 4 horas", "Iluminação apagada na %s faz quinze dias"},
		"denuncia":    {"Obra irregular sem alvará na %s", "Descarte de entulho na calçada da %s", "Som alto toda madrugada no número %d", "Esgoto a céu aberto correndo na %s"},
		"sugestao":    {"Sugiro uma faixa de pedestres em frente à escola da %s", "Seria ótimo ter ônibus aos domingos", "Sugiro mais bancos na praça"},
		"elogio":      {"Quero elogiar a equipe do SAAE pelo conserto rápido", "Parabéns à enfermeira da UBS, atenção exemplar", "A praça reformada ficou linda"},
		"informacao":  {"Pedido de acesso à informação: gastos com iluminação em %d", "Quero saber quantos médicos atendem na UBS central", "Solicito a cópia do contrato de coleta de lixo"},
	}
	kindSubjects = map[string]string{"": "Atendimento", "solicitacao": "Serviços › Solicitação", "reclamacao": "Ouvidoria › Reclamação",
		"denuncia": "Ouvidoria › Denúncia", "sugestao": "Ouvidoria › Sugestão", "elogio": "Ouvidoria › Elogio", "informacao": "Acesso à informação"}
	replies = []string{"Olá! Recebemos sua mensagem e já vamos verificar.", "Poderia enviar o endereço completo e um ponto de referência?",
		"Encaminhamos para a equipe responsável.", "A equipe esteve no local hoje.", "O serviço foi concluído. Podemos ajudar em algo mais?",
		"Seu pedido está na programação da semana.", "Obrigado pela paciência!"}
	followUps = []string{"Fica perto da padaria", "Obrigado!", "Ainda não resolveram", "Segue a foto", "Tá bom, aguardo",
		"Já faz dias que estou esperando", "Perfeito, muito obrigada", "Número %d, ao lado da farmácia"}
)

func (g *generator) pick(list []string) string { return list[g.rnd.IntN(len(list))] }

func (g *generator) fill(s string) string {
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '%' {
			switch s[i+1] {
			case 's':
				return s[:i] + g.pick(streets) + s[i+2:]
			case 'd':
				return s[:i] + strconv.Itoa(10+g.rnd.IntN(2000)) + s[i+2:]
			}
		}
	}
	return s
}

func (g *generator) contact(i int) store.BulkContact {
	name := g.pick(firstNames) + " " + g.pick(lastNames)
	c := store.BulkContact{WaID: fmt.Sprintf("55149%08d", (i*7919+1234567)%100000000), ProfileName: name, CreatedAt: g.start.UnixMilli()}
	if g.rnd.IntN(2) == 0 {
		c.Name = name + " " + g.pick(lastNames)
		c.CPF = fmt.Sprintf("%03d.%03d.%03d-%02d", g.rnd.IntN(1000), g.rnd.IntN(1000), g.rnd.IntN(1000), g.rnd.IntN(100))
	}
	return c
}

// genBatch is what one transaction of Generate writes.
type genBatch struct {
	tickets []store.BulkTicket
	talks   []store.BulkBotTalk
}

// batch builds tickets [from, from+n): opened in order over the span, so
// protocol numbers follow the calendar as real ones do; and, for about a
// third as many, conversations the bot ended alone in the same hours.
func (g *generator) batch(from, n int) genBatch {
	out := make([]store.BulkTicket, n)
	step := g.span / time.Duration(max(1, g.o.Tickets))
	now := time.Now()
	for k := range out {
		i := from + k
		at := g.start.Add(time.Duration(i)*step + time.Duration(g.rnd.Int64N(int64(step)+1)))
		gr := g.groups[g.rnd.IntN(len(g.groups))]
		kind := gr.kinds[g.rnd.IntN(len(gr.kinds))]
		t := store.BulkTicket{ContactID: g.contacts[g.rnd.IntN(len(g.contacts))], Kind: kind, GroupID: gr.id,
			Subject: kindSubjects[kind], CreatedAt: at.UnixMilli(), Identity: g.identity(kind)}
		t.Status = g.status(now.Sub(at))
		var assignee int64
		// About 1 in 25 closed tickets left the queue without a clerk (abandoned).
		abandoned := t.Status == store.TicketClosed && g.rnd.IntN(25) == 0
		if len(gr.members) > 0 && t.Status != store.TicketNew && t.Status != store.TicketQueued && !abandoned {
			assignee = gr.members[g.rnd.IntN(len(gr.members))]
			t.AssigneeID = assignee
		}
		msgs := max(2, g.o.Messages-3+g.rnd.IntN(7))
		t.Messages = make([]store.BulkMessage, msgs)
		mt := at
		for j := range t.Messages {
			m := &t.Messages[j]
			m.CreatedAt = mt.UnixMilli()
			switch {
			case j == 0:
				m.Body = g.fill(g.pick(openings[kind]))
			case j%2 == 1:
				m.Out, m.AuthorID, m.Body = true, assignee, g.pick(replies)
			default:
				m.Body = g.fill(g.pick(followUps))
			}
			if mt = mt.Add(time.Duration(1+g.rnd.IntN(180)) * time.Minute); mt.After(now) {
				mt = now
			}
		}
		t.LastMessageAt = t.Messages[len(t.Messages)-1].CreatedAt
		if t.Status == store.TicketClosed {
			t.ClosedAt = t.LastMessageAt
		}
		g.history(&t, gr)
		out[k] = t
	}
	b := genBatch{tickets: out}
	first, last := out[0].CreatedAt, out[len(out)-1].CreatedAt
	for range n / 3 {
		m := first + g.rnd.Int64N(last-first+1)
		talk := store.BulkBotTalk{ContactID: g.contacts[g.rnd.IntN(len(g.contacts))]}
		for j := range 2 + g.rnd.IntN(3) {
			talk.Messages = append(talk.Messages, store.BulkMessage{Body: g.pick(botTalk), CreatedAt: m + int64(j)*45_000})
		}
		b.talks = append(b.talks, talk)
	}
	return b
}

// botTalk is what citizens write to the bot when it answers them alone.
var botTalk = []string{"1", "2", "3", "Qual o horário de atendimento?", "segunda via", "Obrigado", "IPTU", "0"}

// history fills what reports read: deadlines, the queue entry, the
// assignment (after a wait, before the first reply), transfers, reopenings,
// the closing and a satisfaction answer, consistent with the messages.
func (g *generator) history(t *store.BulkTicket, gr genGroup) {
	created := t.CreatedAt
	t.ResponseDueAt = created + int64(2+g.rnd.IntN(3))*3_600_000
	// Manifestations get their legal term from the store; plain chats a
	// five-day target.
	if t.Kind == "" {
		t.DueAt = created + 5*86_400_000
	}
	ev := func(at, user int64, kind, from, to string) {
		t.Events = append(t.Events, store.BulkEvent{At: at, UserID: user, Kind: kind, From: from, To: to})
	}
	if t.Status == store.TicketNew {
		ev(created, 0, store.ChangeStatus, "", store.TicketNew)
		return
	}
	ev(created, 0, store.ChangeStatus, "", store.TicketQueued)
	if t.AssigneeID == 0 {
		if t.Status != store.TicketQueued { // closed from the queue, or moved without a clerk (no members)
			ev(t.LastMessageAt, 0, store.ChangeStatus, store.TicketQueued, t.Status)
		}
		return
	}
	holder := t.AssigneeID
	t.FirstResponseAt = t.Messages[1].CreatedAt
	assigned := created + g.rnd.Int64N(t.FirstResponseAt-created+1)
	ev(assigned, 0, store.ChangeAssign, "", strconv.FormatInt(holder, 10))
	ev(assigned, holder, store.ChangeStatus, store.TicketQueued, store.TicketInService)
	end := t.LastMessageAt
	switch r := g.rnd.IntN(100); {
	case r < 8 && len(gr.members) > 1 && end-assigned > 60_000:
		// transferred to a colleague halfway
		other := gr.members[g.rnd.IntN(len(gr.members))]
		if other != holder {
			ev(assigned+(end-assigned)/2, 0, store.ChangeAssign, strconv.FormatInt(holder, 10), strconv.FormatInt(other, 10))
			holder, t.AssigneeID = other, other
		}
	case r < 11 && t.Status == store.TicketClosed && end-assigned > 60_000:
		// closed, reopened by the citizen, taken again by the same clerk
		mid := assigned + (end-assigned)/2
		step := (end - mid) / 4
		ev(mid, holder, store.ChangeStatus, store.TicketInService, store.TicketClosed)
		ev(mid+step, 0, store.ChangeStatus, store.TicketClosed, store.TicketReopened)
		ev(mid+step, 0, store.ChangeAssign, strconv.FormatInt(holder, 10), "")
		ev(mid+2*step, 0, store.ChangeAssign, "", strconv.FormatInt(holder, 10))
		ev(mid+2*step, holder, store.ChangeStatus, store.TicketReopened, store.TicketInService)
	}
	switch t.Status {
	case store.TicketInService:
	case store.TicketClosed:
		ev(t.ClosedAt, holder, store.ChangeStatus, store.TicketInService, store.TicketClosed)
		if g.rnd.IntN(3) == 0 {
			t.Score = []int{1, 2, 3, 4, 4, 5, 5, 5, 5, 5}[g.rnd.IntN(10)]
		}
	default:
		ev(end, holder, store.ChangeStatus, store.TicketInService, t.Status)
	}
}

// status is where a ticket of that age most likely is: old ones closed,
// recent ones anywhere in the workflow.
func (g *generator) status(age time.Duration) string {
	if age > 30*24*time.Hour {
		if g.rnd.IntN(50) == 0 {
			return store.TicketAnswered
		}
		return store.TicketClosed
	}
	all := []string{store.TicketNew, store.TicketQueued, store.TicketInService, store.TicketForwarded, store.TicketWaitingCit,
		store.TicketAnswered, store.TicketClosed, store.TicketClosed, store.TicketClosed, store.TicketReopened}
	return all[g.rnd.IntN(len(all))]
}

// identity makes one denúncia in three sigilosa (the citizen known only to
// the ouvidor). None is anônima: those live on the placeholder contact, and
// generated history would tie them to a citizen.
func (g *generator) identity(kind string) string {
	if kind == "denuncia" && g.rnd.IntN(3) == 0 {
		return store.IdentitySigilosa
	}
	return store.IdentityNormal
}
