package notify_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"balcao/app/hours"
	"balcao/app/store"
)

// The extension of a legal term is news: the new date and the reason inside
// the window; outside it the template with the date, the reason held for
// the citizen's answer; nothing for an anonymous manifestation.
func TestTellExtension(t *testing.T) {
	const reason = "Depende de vistoria da Secretaria de Obras."
	due := time.Date(2027, 1, 22, 15, 0, 0, 0, hours.SaoPaulo()).UnixMilli()
	cases := []struct {
		name     string
		citizen  citizen
		identity string
		want     []string
		held     string
	}{
		{"in the window", citizen{wroteAgo: time.Hour}, store.IdentityNormal,
			[]string{"text: 📋 Protocolo {n}: o prazo para a resposta foi prorrogado até 22/01/2027.\nMotivo: " + reason}, ""},
		{"outside the window", citizen{wroteAgo: 30 * time.Hour}, store.IdentityNormal,
			[]string{"template: {n} | o prazo para a resposta foi prorrogado até 22/01/2027; responda para ler o motivo"},
			"📋 Protocolo {n}: o prazo para a resposta foi prorrogado até 22/01/2027.\nMotivo: " + reason},
		{"anonymous", citizen{wroteAgo: time.Hour}, store.IdentityAnonima, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			id, number := r.ticket(c.citizen, store.TicketInService, c.identity)
			_, err := r.st.ExtendDeadline(context.Background(), id, r.clerk, store.DeadlineResolution, reason,
				func(tx *sql.Tx, d int64) error { return r.n.TellExtension(context.Background(), tx, id, due, reason) })
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range r.sent(id) {
				got = append(got, what(m))
			}
			for i := range c.want {
				c.want[i] = strings.ReplaceAll(c.want[i], "{n}", number)
			}
			if strings.Join(got, "\n--\n") != strings.Join(c.want, "\n--\n") {
				t.Errorf("queued:\n%q\nwant:\n%q", got, c.want)
			}
			var held string
			if err := r.st.R.QueryRow(`SELECT body FROM held_messages WHERE ticket_id = ?`, id).Scan(&held); err != nil && err != sql.ErrNoRows {
				t.Fatal(err)
			}
			if want := strings.ReplaceAll(c.held, "{n}", number); held != want {
				t.Errorf("held %q, want %q", held, want)
			}
		})
	}
}
