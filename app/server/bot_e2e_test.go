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
		return len(got) == count(c.t, c.a.Store.R, `SELECT count(*) FROM messages m JOIN contacts k ON k.id = m.contact_id
			WHERE k.wa_id = ? AND m.direction = 'out'`, c.waID)
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
	var group, anonymous int64
	err := a.Store.R.QueryRow(`SELECT t.protocol, t.kind, t.status, t.subject, COALESCE(t.group_id, 0), t.anonymous
		FROM tickets t JOIN contacts k ON k.id = t.contact_id WHERE k.wa_id = ?`, c.waID).
		Scan(&digits, &kind, &status, &subject, &group, &anonymous)
	if err != nil {
		t.Fatalf("the reclamação's ticket: %v", err)
	}
	if kind != "reclamacao" || status != store.TicketNew || group == 0 || anonymous != 0 || !strings.Contains(subject, "Reclamação") {
		t.Errorf("ticket: kind %q status %q group %d anonymous %d subject %q", kind, status, group, anonymous, subject)
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

// An anonymous denúncia is flagged, and nobody can follow it by its number:
// it keeps no one who could ask.
func TestBotAnonymousDenunciaCannotBeLookedUp(t *testing.T) {
	a := startBot(t, "")
	c := newCitizen(t, a, "5517990000007")
	ouv := c.tap(c.say("oi"), "Ouvidoria")
	anon := c.tap(ouv, "Denúncia")
	mustContain(t, anon, "protegida")
	c.tap(anon, "Sim")
	c.say("Obra da praça parada e material sendo levado à noite.")
	c.say("pular")
	done := c.say("pular")
	var digits string
	var anonymous int
	if err := a.Store.R.QueryRow(`SELECT protocol, anonymous FROM tickets WHERE kind = 'denuncia'`).Scan(&digits, &anonymous); err != nil {
		t.Fatalf("the denúncia's ticket: %v%s", err, describe(done))
	}
	if anonymous != 1 {
		t.Errorf("anonymous = %d, want 1", anonymous)
	}
	mustContain(t, done, protocol.Display(digits))
	prompt := c.tap(c.say("oi"), "Consultar protocolo")
	mustContain(t, prompt, "protocolo")
	mustContain(t, c.say(digits), "Não encontrei")
}
