package server_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	"balcao/app/bot"
	"balcao/app/demo"
	"balcao/app/ingest"
	"balcao/app/protocol"
	"balcao/app/server/servertest"
	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/whatsapp"
)

// startBot starts balcao as `balcao demo` does: the simulator, the demo
// groups, and the default menu and knowledge base given to the bot.
func startBot(t *testing.T, dataDir string) *servertest.App {
	t.Helper()
	a := servertest.Start(t, servertest.Options{Simulator: true, DataDir: dataDir})
	if _, err := demo.Seed(context.Background(), a.Store); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Bot.ReloadMenu(context.Background(), a.Store); err != nil {
		t.Fatal(err)
	}
	return a
}

// citizen is one simulated phone talking to the bot.
type citizen struct {
	t    *testing.T
	a    *servertest.App
	waID string
	seen int // business messages already read by the test
}

func newCitizen(t *testing.T, a *servertest.App, waID string) *citizen {
	a.Simulator.AddPhone(waID, "Maria da Silva")
	return &citizen{t: t, a: a, waID: waID}
}

// settle waits until every inbound message is processed and every queued
// reply reached the phone, and returns the replies new since the last call.
func (c *citizen) settle() []simulator.PhoneMessage {
	c.t.Helper()
	var got []simulator.PhoneMessage
	servertest.WaitFor(c.t, "the bot's replies to reach the phone", 10*time.Second, func() bool {
		pending := count(c.t, c.a.Store.R, `SELECT count(*) FROM messages WHERE direction = 'in' AND processed_at IS NULL`) +
			count(c.t, c.a.Store.R, `SELECT count(*) FROM outbox WHERE state IN ('pending', 'inflight')`)
		if pending > 0 {
			return false
		}
		got = got[:0]
		for _, m := range c.a.Simulator.Inbox(c.waID) {
			if !m.FromCitizen {
				got = append(got, m)
			}
		}
		// Counted in the outbox, not in messages: an anonymous manifestation
		// moves the bot's messages away from the citizen's contact.
		return len(got) == count(c.t, c.a.Store.R, `SELECT count(*) FROM outbox WHERE to_wa_id = ? AND kind <> 'mark_read'`, c.waID)
	})
	fresh := got[c.seen:]
	c.seen = len(got)
	return fresh
}

// say sends text and returns the bot's replies.
func (c *citizen) say(text string) []simulator.PhoneMessage {
	c.t.Helper()
	if _, err := c.a.Simulator.CitizenSend(context.Background(), simulator.CitizenMessage{From: c.waID, Body: text}); err != nil {
		c.t.Fatalf("send %q: %v", text, err)
	}
	return c.settle()
}

// send sends any message and returns the bot's replies.
func (c *citizen) send(m simulator.CitizenMessage) []simulator.PhoneMessage {
	c.t.Helper()
	m.From = c.waID
	if _, err := c.a.Simulator.CitizenSend(context.Background(), m); err != nil {
		c.t.Fatalf("send: %v", err)
	}
	return c.settle()
}

// tap taps the option titled title in the last of replies that offers it.
func (c *citizen) tap(replies []simulator.PhoneMessage, title string) []simulator.PhoneMessage {
	c.t.Helper()
	for i := len(replies) - 1; i >= 0; i-- {
		for _, o := range replies[i].Options {
			if o.Title == title {
				if _, err := c.a.Simulator.Tap(context.Background(), c.waID, replies[i].ID, o.ID); err != nil {
					c.t.Fatalf("tap %q: %v", title, err)
				}
				return c.settle()
			}
		}
	}
	c.t.Fatalf("no option %q in %s", title, describe(replies))
	return nil
}

func describe(ms []simulator.PhoneMessage) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("\n[" + m.Type + "] " + m.Body)
		for _, o := range m.Options {
			b.WriteString("\n   · " + o.Title)
		}
	}
	return b.String()
}

func mustContain(t *testing.T, replies []simulator.PhoneMessage, want string) {
	t.Helper()
	for _, m := range replies {
		if strings.Contains(m.Body, want) {
			return
		}
	}
	t.Fatalf("no reply says %q; got:%s", want, describe(replies))
}

func TestBotAnswersFromTheKnowledgeBaseInThreeTaps(t *testing.T) {
	a := startBot(t, "")
	c := newCitizen(t, a, "5517990000001")
	menu := c.say("oi")
	mustContain(t, menu, "Maria")
	water := c.tap(menu, "Água e esgoto")          // tap 1
	answer := c.tap(water, "Segunda via da conta") // tap 2
	mustContain(t, answer, "Isso resolveu?")
	c.tap(answer, "Sim") // tap 3
	if n := count(t, a.Store.R, `SELECT helpful_yes FROM articles WHERE question = 'Como tirar a segunda via da conta de água?'`); n != 1 {
		t.Errorf("helpful_yes = %d, want 1", n)
	}
	// The bot's steps are in the contact's history, outside any ticket.
	if n := count(t, a.Store.R, `SELECT count(*) FROM messages WHERE ticket_id IS NOT NULL`); n != 0 {
		t.Errorf("%d messages in a ticket; a KB answer opens none", n)
	}
	if n := count(t, a.Store.R, `SELECT count(*) FROM tickets`); n != 0 {
		t.Errorf("%d tickets opened", n)
	}
}

// openComplaint opens an ouvidoria reclamação with a photo and returns its protocol digits.
func openComplaint(t *testing.T, a *servertest.App, c *citizen) string {
	t.Helper()
	menu := c.say("bom dia")
	ouv := c.tap(menu, "Ouvidoria")
	c.tap(ouv, "Reclamação")
	c.say("O caminhão de lixo não passa na Rua das Flores há duas semanas.")
	done := c.send(simulator.CitizenMessage{Type: whatsapp.TypeImage, Media: pngBytes(t), MimeType: "image/png", Body: "lixo acumulado"})
	var digits, kind, status, subject string
	var identity string
	var group int64
	err := a.Store.R.QueryRow(`SELECT t.protocol, t.kind, t.status, t.subject, COALESCE(t.group_id, 0), t.identity
		FROM tickets t JOIN contacts k ON k.id = t.contact_id WHERE k.wa_id = ?`, c.waID).
		Scan(&digits, &kind, &status, &subject, &group, &identity)
	if err != nil {
		t.Fatalf("the reclamação's ticket: %v", err)
	}
	if kind != "reclamacao" || status != store.TicketNew || group == 0 || identity != store.IdentityNormal || !strings.Contains(subject, "Reclamação") {
		t.Errorf("ticket: kind %q status %q group %d identity %q subject %q", kind, status, group, identity, subject)
	}
	n, err := protocol.Parse(digits)
	if err != nil {
		t.Fatalf("stored protocol %q: %v", digits, err)
	}
	mustContain(t, done, n.String())
	answers := count(t, a.Store.R, `SELECT count(*) FROM contact_answers a JOIN tickets t ON t.id = a.ticket_id
		WHERE t.protocol = ? AND a.key IN ('descricao', 'foto')`, digits)
	if answers != 2 {
		t.Errorf("%d answers kept with the ticket, want the description and the photo", answers)
	}
	photo := count(t, a.Store.R, `SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE t.protocol = ? AND m.type = 'image'`, digits)
	if photo != 1 {
		t.Errorf("the photo is not in the ticket's history")
	}
	return digits
}

func TestBotOpensAComplaintWithAPhotoAndLooksItUp(t *testing.T) {
	a := startBot(t, "")
	c := newCitizen(t, a, "5517990000002")
	digits := openComplaint(t, a, c)
	n, _ := protocol.Parse(digits)

	menu := c.say("oi")
	prompt := c.tap(menu, "Consultar protocolo")
	mustContain(t, prompt, "protocolo")
	mustContain(t, c.say(digits), "Registrado")
	mustContain(t, c.say(n.String()), "Registrado")
	wrong := digits[:10] + string(rune('0'+(int(digits[10]-'0')+1)%10))
	refused := c.say(wrong)
	mustContain(t, refused, "Não encontrei")
	for _, m := range refused {
		if strings.Contains(m.Body, "Registrado") {
			t.Errorf("a wrong check digit showed a ticket: %s", m.Body)
		}
	}

	// The ouvidoria finds it in Atendimentos, with what the citizen told the bot.
	ouvidor, _ := a.LoginAs(store.RoleSupervisor, "ouvidor@example.com")
	var ticket int64
	a.Store.R.QueryRow(`SELECT id FROM tickets WHERE protocol = ?`, digits).Scan(&ticket)
	if !strings.Contains(ouvidor.Get("/atendimentos").Body, "/atendimentos/"+itoa(ticket)) {
		t.Errorf("the reclamação is not in Atendimentos")
	}
	if h := ouvidor.Get("/atendimentos/" + itoa(ticket) + "/mensagens").Body; !strings.Contains(h, "Rua das Flores") {
		t.Errorf("the reclamação's chat does not show the citizen's description")
	}

	// Another citizen cannot read it.
	other := newCitizen(t, a, "5517990000003")
	prompt = other.tap(other.say("oi"), "Consultar protocolo")
	mustContain(t, other.say(n.String()), "Não encontrei")
}

func TestBotHandsTheChatToAClerkWithItsHistory(t *testing.T) {
	a := startBot(t, "")
	c := newCitizen(t, a, "5517990000004")
	menu := c.say("Olá")
	handed := c.tap(menu, "Falar com atendente")
	var ticket int64
	var digits string
	if err := a.Store.R.QueryRow(`SELECT id, protocol FROM tickets WHERE status = 'em_fila'`).Scan(&ticket, &digits); err != nil {
		t.Fatalf("no ticket in the queue: %v", err)
	}
	mustContain(t, handed, protocol.Display(digits))
	// From now on the bot is silent and the citizen writes into the ticket.
	c.say("Preciso de ajuda com um alvará")
	if n := count(t, a.Store.R, `SELECT count(*) FROM messages WHERE ticket_id = ? AND body = 'Preciso de ajuda com um alvará'`, ticket); n != 1 {
		t.Errorf("the citizen's message after the hand-off is not in the ticket")
	}
	// The ticket waits in the group's queue, which its members see.
	clerk, u := a.LoginAs(store.RoleAgent, "clerk@example.com")
	joinGroup(t, a, "Atendimento geral", u.ID)
	queue := clerk.Get("/atendimentos").Body
	if !strings.Contains(queue, "/atendimentos/"+itoa(ticket)) {
		t.Fatalf("the ticket is not in Atendimentos")
	}
	history := clerk.Get("/atendimentos/" + itoa(ticket) + "/mensagens").Body
	for _, want := range []string{"Olá", "Como posso ajudar?", "Falar com atendente", "Preciso de ajuda com um alvará"} {
		if !strings.Contains(history, want) {
			t.Errorf("the chat does not show %q of the bot's conversation", want)
		}
	}
}

func TestBotOptOutWordIsRecorded(t *testing.T) {
	a := startBot(t, "")
	c := newCitizen(t, a, "5517990000005")
	c.say("oi")
	c.say("parar")
	if n := count(t, a.Store.R, `SELECT opted_out FROM contacts WHERE wa_id = ?`, c.waID); n != 1 {
		t.Errorf("opted_out = %d, want 1", n)
	}
}

// A message committed while nothing processes it (a crash after the
// webhook's 200) is answered once the processor runs, and each reply is sent
// exactly once, also across another restart.
func TestBotRepliesExactlyOnceAcrossACrash(t *testing.T) {
	dir := t.TempDir()
	a := startBot(t, dir)
	a.Stop()

	// The webhook's commit, with no processor running.
	st, err := store.Open(context.Background(), dir, testutil.MigrationsFS(), testutil.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	body := servertest.MessageWebhook(servertest.TextMessage("wamid.crash1", "5517990000006", "Maria", "oi"))
	n, err := whatsapp.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveWebhooks(context.Background(), []store.WebhookDelivery{ingest.Delivery(body, n)}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	b := servertest.Start(t, servertest.Options{Simulator: true, DataDir: dir})
	c := &citizen{t: t, a: b, waID: "5517990000006"}
	replies := c.settle()
	if len(replies) == 0 {
		t.Fatal("no reply after the restart")
	}
	mustContain(t, replies, "Como posso ajudar?")
	sent := b.Simulator.SendCount()
	out := count(t, b.Store.R, `SELECT count(*) FROM outbox WHERE state = 'sent'`)
	if sent != out || sent != len(replies) {
		t.Errorf("simulator got %d sends, outbox sent %d rows, phone shows %d", sent, out, len(replies))
	}
	b.Stop()

	again := servertest.Start(t, servertest.Options{Simulator: true, DataDir: dir})
	time.Sleep(300 * time.Millisecond)
	if got := again.Simulator.SendCount(); got != 0 {
		t.Errorf("%d messages sent again after a restart", got)
	}
	if n := count(t, again.Store.R, `SELECT count(*) FROM messages WHERE direction = 'out'`); n != len(replies) {
		t.Errorf("%d outbound messages, want %d", n, len(replies))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pngBytes is a small photo.
func pngBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A sigilosa denúncia keeps its citizen (who is told the number and can
// follow it), flagged so that only the ouvidor may see who they are.
func TestBotSigilosaDenunciaIsTrackedByItsCitizen(t *testing.T) {
	a := startBot(t, "")
	c := newCitizen(t, a, "5517990000007")
	ouv := c.tap(c.say("oi"), "Ouvidoria")
	choice := c.tap(ouv, "Denúncia")
	mustContain(t, choice, "Sigilosa")
	c.tap(choice, "Sigilosa")
	c.say("Obra da praça parada e material sendo levado à noite.")
	c.say("pular")
	done := c.say("pular")
	mustContain(t, done, "protegida")
	var digits, identity, waID string
	if err := a.Store.R.QueryRow(`SELECT t.protocol, t.identity, k.wa_id FROM tickets t JOIN contacts k ON k.id = t.contact_id
		WHERE t.kind = 'denuncia'`).Scan(&digits, &identity, &waID); err != nil {
		t.Fatalf("the denúncia's ticket: %v%s", err, describe(done))
	}
	if identity != store.IdentitySigilosa || waID != c.waID {
		t.Errorf("identity %q on contact %q, want sigilosa on %q", identity, waID, c.waID)
	}
	mustContain(t, done, protocol.Display(digits))
	prompt := c.tap(c.say("oi"), "Consultar protocolo")
	mustContain(t, prompt, "protocolo")
	mustContain(t, c.say(digits), "Registrado")
}

// withIdentifyingFields adds a CPF and a name to the default denúncia form,
// as a city may, so that an anonymous one has something to strip.
func withIdentifyingFields(t *testing.T, a *servertest.App) {
	t.Helper()
	ctx := context.Background()
	nodes, err := a.Store.LoadMenu(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if n.Title != "Denúncia" {
			continue
		}
		cfg, err := bot.ParseConfig(n.Config)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Fields = append(cfg.Fields[:1:1], append([]bot.Field{
			{Key: "cpf", Label: "Qual é o seu CPF?", Type: bot.FieldCPF},
			{Key: "nome", Label: "Qual é o seu nome completo?", Type: bot.FieldText},
		}, cfg.Fields[1:]...)...)
		n.Config = cfg.String()
		if err := a.Store.UpdateMenuNode(ctx, n); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Bot.ReloadMenu(ctx, a.Store); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("no Denúncia node in the default menu")
}

// An anonymous denúncia keeps no link to the citizen: the bot warns before
// the citizen confirms, the confirmation has no number, and no row ties the
// ticket to the contact (its messages and answers are the placeholder's, the
// CPF and name are not in it, nothing the citizen was sent names it).
func TestBotAnonymousDenunciaKeepsNoLink(t *testing.T) {
	a := startBot(t, "")
	withIdentifyingFields(t, a)
	c := newCitizen(t, a, "5517990000008")
	ouv := c.tap(c.say("oi"), "Ouvidoria")
	choice := c.tap(ouv, "Denúncia")
	mustContain(t, choice, "não será possível acompanhar")
	warned := c.tap(choice, "Anônima")
	mustContain(t, warned, "não pode ser acompanhada")
	const story = "Descarte de entulho no córrego atrás da escola, toda sexta à noite."
	c.say(story)
	c.say("111.444.777-35")
	c.say("Maria da Silva Pereira")
	c.say("pular")
	done := c.say("pular")
	mustContain(t, done, "manifestação *anônima* foi registrada")

	var ticketID int64
	var digits, identity, holder string
	if err := a.Store.R.QueryRow(`SELECT t.id, t.protocol, t.identity, k.wa_id FROM tickets t JOIN contacts k ON k.id = t.contact_id
		WHERE t.kind = 'denuncia'`).Scan(&ticketID, &digits, &identity, &holder); err != nil {
		t.Fatalf("the denúncia's ticket: %v%s", err, describe(done))
	}
	if identity != store.IdentityAnonima || holder != store.AnonymousWaID {
		t.Errorf("identity %q on contact %q, want anonima on the placeholder", identity, holder)
	}
	display := protocol.Display(digits)
	for _, q := range []struct {
		what  string
		query string
		args  []any
		want  int
	}{
		{"messages of the ticket not on the placeholder", `SELECT count(*) FROM messages m JOIN contacts k ON k.id = m.contact_id
			WHERE m.ticket_id = ? AND k.wa_id <> ?`, []any{ticketID, store.AnonymousWaID}, 0},
		{"messages of the ticket (the conversation, moved)", `SELECT count(*) > 5 FROM messages WHERE ticket_id = ?`, []any{ticketID}, 1},
		{"the story in the ticket", `SELECT count(*) FROM messages WHERE ticket_id = ? AND body = ?`, []any{ticketID, story}, 1},
		{"the story left with the citizen", `SELECT count(*) FROM messages m JOIN contacts k ON k.id = m.contact_id
			WHERE k.wa_id = ? AND m.body LIKE '%entulho%'`, []any{c.waID}, 0},
		{"messages of the ticket with a wamid or the citizen's number", `SELECT count(*) FROM messages WHERE ticket_id = ?
			AND (wamid IS NOT NULL OR payload LIKE '%' || ? || '%')`, []any{ticketID, c.waID}, 0},
		{"the CPF or the names in the ticket (the bot greeted Maria)", `SELECT count(*) FROM messages WHERE ticket_id = ?
			AND (body LIKE '%444%' OR body LIKE '%Pereira%' OR body LIKE '%Maria%' OR payload LIKE '%Maria%')`, []any{ticketID}, 0},
		{"the greeting, redacted", `SELECT count(*) FROM messages WHERE ticket_id = ? AND body LIKE 'Olá, [dado removido]!%'`, []any{ticketID}, 1},
		{"answers of the ticket", `SELECT count(*) FROM contact_answers WHERE ticket_id = ?`, []any{ticketID}, 1},
		{"the CPF message, left with the citizen outside any ticket", `SELECT count(*) FROM messages m JOIN contacts k ON k.id = m.contact_id
			WHERE k.wa_id = ? AND m.ticket_id IS NULL AND m.body = '111.444.777-35'`, []any{c.waID}, 1},
		{"identifying answers of the ticket", `SELECT count(*) FROM contact_answers WHERE ticket_id = ?
			AND (key IN ('cpf', 'nome') OR identifying OR value LIKE '%444%')`, []any{ticketID}, 0},
		{"answers of the ticket under the citizen", `SELECT count(*) FROM contact_answers a JOIN contacts k ON k.id = a.contact_id
			WHERE a.ticket_id = ? AND k.wa_id <> ?`, []any{ticketID, store.AnonymousWaID}, 0},
		{"outbox rows tied to the ticket's messages", `SELECT count(*) FROM outbox WHERE message_id IN
			(SELECT id FROM messages WHERE ticket_id = ?)`, []any{ticketID}, 0},
		{"raw webhooks that brought the story", `SELECT count(*) FROM webhook_events WHERE instr(body, 'Descarte de entulho') > 0`, nil, 0},
		{"raw webhooks of the conversation left: the CPF's and the name's, which stay the citizen's", `SELECT count(*) FROM webhook_events
			WHERE instr(body, ?) > 0 AND instr(body, '"messages"') > 0`, []any{c.waID}, 2},
		{"the number sent to the citizen", `SELECT count(*) FROM outbox WHERE to_wa_id = ?
			AND (payload LIKE '%' || ? || '%' OR payload LIKE '%' || ? || '%')`, []any{c.waID, digits, display}, 0},
		{"the confirmation in the citizen's history (only queued, unlinked)", `SELECT count(*) FROM messages m JOIN contacts k ON k.id = m.contact_id
			WHERE k.wa_id = ? AND m.body LIKE '%anônima%'`, []any{c.waID}, 0},
		{"the citizen's messages left from that conversation: the CPF and the name", `SELECT count(*) FROM messages m JOIN contacts k ON k.id = m.contact_id
			WHERE k.wa_id = ?`, []any{c.waID}, 2},
		{"the number in the citizen's history", `SELECT count(*) FROM messages m JOIN contacts k ON k.id = m.contact_id
			WHERE k.wa_id = ? AND (m.ticket_id = ? OR m.body LIKE '%' || ? || '%' OR m.body LIKE '%' || ? || '%')`,
			[]any{c.waID, ticketID, digits, display}, 0},
	} {
		if got := count(t, a.Store.R, q.query, q.args...); got != q.want {
			t.Errorf("%s: %d, want %d", q.what, got, q.want)
		}
	}
	for _, m := range done {
		if strings.Contains(m.Body, display) || strings.Contains(m.Body, digits) {
			t.Errorf("the confirmation names the protocol: %s", m.Body)
		}
	}
	prompt := c.tap(c.say("oi"), "Consultar protocolo")
	mustContain(t, prompt, "protocolo")
	mustContain(t, c.say(digits), "Não encontrei")
}
