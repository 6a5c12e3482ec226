package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"balcao/app/store"
)

// A token is not the ouvidor: a sigilosa ticket comes without its citizen and
// with its identifying answers masked, yet still takes replies (they reach
// the citizen); an anônima one lives on the placeholder and takes none.
func TestAPIProtectedIdentities(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	sig := r.citizenTicket("5514999990005", "Pedro Segredo", time.Now().Add(-time.Hour))
	var ticketID, contactID, msgID int64
	if err := r.st.R.QueryRow(`SELECT id, contact_id FROM tickets WHERE protocol = ?`, sig).Scan(&ticketID, &contactID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.W.Exec(`UPDATE tickets SET identity = 'sigilosa' WHERE id = ?`, ticketID); err != nil {
		t.Fatal(err)
	}
	if err := r.st.W.QueryRow(`INSERT INTO messages (contact_id, ticket_id, direction, type, body, status, created_at, processed_at)
		VALUES (?, ?, 'in', 'text', '529.982.247-25', 'received', 1, 1) RETURNING id`, contactID, ticketID).Scan(&msgID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.W.Exec(`INSERT INTO messages (contact_id, ticket_id, direction, type, body, status, created_at)
		VALUES (?, ?, 'out', 'text', 'Olá, Pedro! 👋', 'sent', 2)`, contactID, ticketID); err != nil {
		t.Fatal(err)
	}
	if err := r.st.AddContactAnswers(ctx, []store.ContactAnswer{{ContactID: contactID, TicketID: ticketID, Key: "cpf",
		Value: "529.982.247-25", MessageID: msgID, Identifying: true}}); err != nil {
		t.Fatal(err)
	}
	leaks := []string{"Pedro", "5514999990005", "529.982.247-25", `"citizen"`}
	cases := []struct {
		name, path       string
		contains, absent []string
	}{
		{"one sigilosa ticket", "/api/v1/tickets/" + sig, []string{`"identity":"sigilosa"`, `"anonymous":true`, "dado protegido", "Tem um buraco", "Olá, [dado protegido]!"}, leaks},
		{"the list", "/api/v1/tickets?protocol=" + sig, []string{`"identity":"sigilosa"`}, leaks},
		{"one anônima ticket", "/api/v1/tickets/" + r.anon, []string{`"identity":"anonima"`, `"anonymous":true`, "Na rua 7"}, []string{`"citizen"`, "anonimo"}},
		{"a normal ticket", "/api/v1/tickets/" + r.open, []string{`"identity":"normal"`, `"anonymous":false`, `"citizen"`, "Maria"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := r.do("GET", c.path, r.token, "", http.StatusOK, nil)
			for _, w := range c.contains {
				if !strings.Contains(body, w) {
					t.Errorf("missing %s in %s", w, body)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(body, a) {
					t.Errorf("shows %s in %s", a, body)
				}
			}
		})
	}
	r.do("POST", "/api/v1/tickets/"+sig+"/replies", r.token, `{"text":"Recebemos sua denúncia."}`, http.StatusAccepted, nil)
	var to string
	if err := r.st.R.QueryRow(`SELECT to_wa_id FROM outbox ORDER BY id DESC LIMIT 1`).Scan(&to); err != nil || to != "5514999990005" {
		t.Errorf("the reply to the sigilosa ticket went to %q (%v)", to, err)
	}
	r.do("POST", "/api/v1/tickets/"+r.anon+"/replies", r.token, `{"text":"Olá"}`, http.StatusConflict, nil)
	var holder string
	if err := r.st.R.QueryRow(`SELECT c.wa_id FROM tickets t JOIN contacts c ON c.id = t.contact_id WHERE t.protocol = ?`, r.anon).Scan(&holder); err != nil || holder != store.AnonymousWaID {
		t.Errorf("the API's anonymous ticket is on %q (%v), want the placeholder", holder, err)
	}
}
