package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"balcao/app/bot"
	"balcao/app/store"
	"balcao/views"
)

// Session keys of the "Testar o robô" box: the engine's session and the
// conversation shown.
const (
	testSessionKey = "robo_teste_sessao"
	testTurnsKey   = "robo_teste_conversa"
	// maxTestTurns is how much of the test conversation is kept.
	maxTestTurns = 30
)

// asItsCitizen reads tickets for the test box's protocol lookup as their own
// citizen would: the tester stands in for whoever opened the ticket (contact
// 0 in the test), so the answer is the one that citizen gets on WhatsApp;
// anonymous tickets stay hidden, as there.
type asItsCitizen struct{ st *store.Store }

// TicketByProtocol is the store's, with the ticket's contact the tester's.
func (a asItsCitizen) TicketByProtocol(ctx context.Context, typed string) (store.ProtocolTicket, error) {
	t, err := a.st.TicketByProtocol(ctx, typed)
	t.ContactID = 0
	return t, err
}

// testEngine is an engine over menu with the store's knowledge base and
// groups, as the inbox runs it.
func (s *Server) testEngine(menu *bot.Menu) *bot.Engine {
	return bot.New(menu, bot.Options{KB: s.store, Groups: bot.StoreGroups{Source: s.store},
		Protocols: bot.StoreProtocols{Source: asItsCitizen{s.store}}})
}

// botTest sends the tester's message (texto, or a tapped opcao) to the
// engine and shows its answer; nothing is sent or stored as a message.
func (s *Server) botTest(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	text, replyID := strings.TrimSpace(f.Get("texto")), f.Get("opcao")
	turns := s.testTurns(ctx)
	if text != "" || replyID != "" {
		records, err := s.store.LoadMenu(ctx)
		if err != nil {
			return err
		}
		menu, _ := bot.BuildMenu(records)
		sess, _ := bot.DecodeSession(s.sessions.GetString(ctx, testSessionKey))
		in := bot.Input{Type: bot.TypeText, Text: text, ProfileName: currentUser(r).Name, Now: time.Now()}
		if replyID != "" {
			in.Type, in.ReplyID = bot.TypeInteractive, replyID
		}
		d := s.testEngine(menu).Decide(ctx, sess, in)
		turn := views.BotTurn{Sent: text, Notes: s.effectNotes(ctx, &d)}
		turn.Replies = replyViews(d.Replies)
		next := d.Session
		if d.Ended() || handsOff(d) {
			next = bot.Session{}
		}
		s.sessions.Put(ctx, testSessionKey, next.Encode())
		turns = append(turns, turn)
		if len(turns) > maxTestTurns {
			turns = turns[len(turns)-maxTestTurns:]
		}
		s.putTestTurns(ctx, turns)
	}
	return s.renderTestBox(w, r, turns)
}

// botTestRestart forgets the test conversation.
func (s *Server) botTestRestart(w http.ResponseWriter, r *http.Request) error {
	s.sessions.Remove(r.Context(), testSessionKey)
	s.sessions.Remove(r.Context(), testTurnsKey)
	return s.renderTestBox(w, r, nil)
}

// renderTestBox answers htmx with the box and a plain form post with the page.
func (s *Server) renderTestBox(w http.ResponseWriter, r *http.Request, turns []views.BotTurn) error {
	if r.Header.Get("HX-Request") != "true" {
		http.Redirect(w, r, "/robo#testar", http.StatusSeeOther)
		return nil
	}
	return views.BotTestBox(s.page(r, "Robô", "robo"), turns).Render(r.Context(), w)
}

func (s *Server) testTurns(ctx context.Context) []views.BotTurn {
	var turns []views.BotTurn
	if raw := s.sessions.GetString(ctx, testTurnsKey); raw != "" {
		// A conversation that does not decode is only a test: start over.
		_ = json.Unmarshal([]byte(raw), &turns)
	}
	return turns
}

func (s *Server) putTestTurns(ctx context.Context, turns []views.BotTurn) {
	b, err := json.Marshal(turns)
	if err != nil {
		return
	}
	s.sessions.Put(ctx, testTurnsKey, string(b))
}

// handsOff reports whether d hands the conversation to a clerk.
func handsOff(d bot.Decision) bool {
	for _, e := range d.Effects {
		if _, ok := e.(bot.HandToHuman); ok {
			return true
		}
	}
	return false
}

// effectNotes says in pt-BR what would happen on WhatsApp because of d, and
// fills in the protocol number the test cannot have.
func (s *Server) effectNotes(ctx context.Context, d *bot.Decision) []string {
	var notes []string
	if d.NeedsProtocol() {
		d.SetProtocol("«número do protocolo»")
	}
	for _, e := range d.Effects {
		switch e := e.(type) {
		case bot.OpenTicket:
			note := "Abriria um protocolo no grupo " + s.groupName(ctx, e.GroupID)
			if e.Kind != "" {
				note += " (" + kindLabel(e.Kind) + ")"
			}
			if len(e.Answers) > 0 {
				note += fmt.Sprintf(", com %d respostas", len(e.Answers))
			}
			switch e.Identity {
			case store.IdentitySigilosa:
				note += ", sigilosa (só a Ouvidoria veria quem é o cidadão)"
			case store.IdentityAnonima:
				note += ", anônima (sem nenhuma ligação com o contato e sem número de protocolo para o cidadão)"
			}
			notes = append(notes, note+".")
		case bot.HandToHuman:
			notes = append(notes, "Passaria a conversa para a fila do grupo "+s.groupName(ctx, e.GroupID)+"; o robô ficaria em silêncio até o protocolo ser encerrado.")
		case bot.RecordAnswer:
			notes = append(notes, "Guardaria com o contato: "+e.Answer.Key+" = "+e.Answer.Value+".")
		case bot.ArticleFeedback:
			answer := "não"
			if e.Helpful {
				answer = "sim"
			}
			notes = append(notes, "Contaria “"+answer+"” em “Isso resolveu?” do artigo (no teste, não conta).")
		case bot.OptOut:
			notes = append(notes, "Registraria que o contato não quer receber campanhas.")
		case bot.EndConversation:
			notes = append(notes, "Encerraria a conversa; a próxima mensagem recomeça do início.")
		}
	}
	for _, err := range d.Errs {
		notes = append(notes, "O robô contornou uma falha: "+err.Error())
	}
	return notes
}

// groupName names group id for a note.
func (s *Server) groupName(ctx context.Context, id int64) string {
	if id == 0 {
		return "padrão"
	}
	g, err := s.store.GroupByID(ctx, id)
	if err != nil {
		return fmt.Sprintf("nº %d", id)
	}
	return "“" + g.Name + "”"
}

// kindLabel is the pt-BR name of a ticket kind.
func kindLabel(kind string) string {
	for _, c := range views.TicketKindChoices {
		if c.Value == kind {
			return c.Label
		}
	}
	return kind
}
