package chat_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"balcao/app/chat"
	"balcao/app/protocol"
	"balcao/app/store"
)

func TestExpandQuickReply(t *testing.T) {
	n, err := protocol.New(2026, 123)
	if err != nil {
		t.Fatal(err)
	}
	digits := n.Digits()
	cases := []struct {
		name     string
		contact  store.Contact
		identity string
		proto    string
		body     string
		want     string
	}{
		{"name given to the bot", store.Contact{Name: "Maria", ProfileName: "Mari ✨"}, "", digits,
			"Olá, {nome}! Seu protocolo é {protocolo}.", "Olá, Maria! Seu protocolo é " + n.String() + "."},
		{"profile name", store.Contact{ProfileName: "João"}, "", digits, "{nome}, {nome}", "João, João"},
		{"no name at all", store.Contact{WaID: "5517999990000"}, "", digits, "Prezado(a) {nome}", "Prezado(a) munícipe"},
		{"no variables", store.Contact{Name: "Ana"}, "", digits, "Bom dia!", "Bom dia!"},
		{"sigilosa: the name stays hidden", store.Contact{Name: "Pedro", ProfileName: "Pedrinho"}, store.IdentitySigilosa, digits,
			"Olá, {nome}!", "Olá, munícipe!"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := chat.ExpandQuickReply(c.body, store.Conversation{TicketID: 7, Protocol: c.proto, Contact: c.contact, Identity: c.identity})
			if got != c.want {
				t.Errorf("got %q; want %q", got, c.want)
			}
		})
	}
}

func TestQuickRepliesAreManagedBySupervisorsAndPickedInTheReplyBox(t *testing.T) {
	w := startWorkflow(t)
	sup, _ := w.LoginAs(store.RoleSupervisor, "sara@example.com")
	clerk, u := w.clerk("carla@example.com")
	water := w.group("Água", store.LevelN1, 5, u.ID)
	works := w.group("Obras", store.LevelN1, 5, u.ID)
	steps := []struct {
		name   string
		form   url.Values
		want   int
		wantIn string
	}{
		{"every group", url.Values{"titulo": {"Saudação"}, "grupo": {"0"}, "texto": {"Olá, {nome}! Protocolo {protocolo}."}}, http.StatusOK, "Resposta pronta salva"},
		{"the water group", url.Values{"titulo": {"Segunda via"}, "grupo": {itoa(water)}, "texto": {"{nome}, a segunda via sai no site."}}, http.StatusOK, "Resposta pronta salva"},
		{"another group", url.Values{"titulo": {"Buraco"}, "grupo": {itoa(works)}, "texto": {"Equipe a caminho."}}, http.StatusOK, "Resposta pronta salva"},
		{"unknown variable", url.Values{"titulo": {"CPF"}, "grupo": {"0"}, "texto": {"Seu CPF é {cpf}"}}, http.StatusUnprocessableEntity, "Só as variáveis"},
		{"no title", url.Values{"titulo": {" "}, "grupo": {"0"}, "texto": {"x"}}, http.StatusUnprocessableEntity, "Dê um título"},
		{"no text", url.Values{"titulo": {"Vazia"}, "grupo": {"0"}, "texto": {""}}, http.StatusUnprocessableEntity, "Escreva o texto"},
		{"unknown group", url.Values{"titulo": {"X"}, "grupo": {"999"}, "texto": {"x"}}, http.StatusUnprocessableEntity, "Grupo não encontrado"},
	}
	for _, s := range steps {
		res := sup.PostForm("/respostas-prontas", s.form)
		if res.Status != s.want || !strings.Contains(res.Body, s.wantIn) {
			t.Errorf("%s: status %d (want %d), has %q: %t", s.name, res.Status, s.want, s.wantIn, strings.Contains(res.Body, s.wantIn))
		}
	}
	if res := clerk.PostForm("/respostas-prontas", steps[0].form); res.Status != http.StatusForbidden {
		t.Errorf("a clerk saved a quick reply: %d", res.Status)
	}
	if n := count(t, w.App, `SELECT count(*) FROM quick_replies`); n != 3 {
		t.Fatalf("%d quick replies stored; want 3", n)
	}

	id := w.ticket(store.TicketQueued, water)
	w.Store.W.Exec(`UPDATE contacts SET name = 'Maria' WHERE id = (SELECT contact_id FROM tickets WHERE id = ?)`, id)
	var digits string
	w.Store.R.QueryRow(`SELECT protocol FROM tickets WHERE id = ?`, id).Scan(&digits)
	clerk.PostForm(ticketPath(id, "/assumir"), nil)
	picker := between(clerk.Get(ticketPath(id, "")).Body, `id="respostas-prontas"`, `</select>`)
	for _, want := range []string{"Saudação", "Olá, Maria! Protocolo " + digits[:4] + " ", "Maria, a segunda via sai no site."} {
		if !strings.Contains(picker, want) {
			t.Errorf("the picker lacks %q:\n%s", want, picker)
		}
	}
	if strings.Contains(picker, "Buraco") {
		t.Errorf("the picker offers another group's quick reply")
	}

	var qid int64
	w.Store.R.QueryRow(`SELECT id FROM quick_replies WHERE title = 'Buraco'`).Scan(&qid)
	if res := sup.PostForm("/respostas-prontas/"+itoa(qid), url.Values{"titulo": {"Buraco na rua"}, "grupo": {itoa(works)}, "texto": {"Equipe a caminho, {nome}."}}); res.Status != http.StatusOK {
		t.Errorf("edit: %d", res.Status)
	}
	if res := sup.PostForm("/respostas-prontas/"+itoa(qid)+"/excluir", nil); res.Status != http.StatusOK || strings.Contains(res.Body, "Buraco na rua") {
		t.Errorf("delete: %d", res.Status)
	}
	if res := sup.PostForm("/respostas-prontas/99999", steps[0].form); res.Status != http.StatusNotFound {
		t.Errorf("editing a missing quick reply: %d; want 404", res.Status)
	}
}
