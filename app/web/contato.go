package web

import (
	"errors"
	"net/http"
	"time"

	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/views"
)

// contato is a citizen's profile, answers and tickets. Anonymous tickets are
// never listed; sigilosa ones only for an ouvidor, and then audited.
func (s *Server) contato(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	c, err := s.store.ContactProfileByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	a := actor(r)
	answers, err := s.store.ContactProfileAnswers(r.Context(), id, a.SeesIdentities())
	if err != nil {
		return err
	}
	tickets, err := s.store.ContactTickets(r.Context(), id, a.SeesIdentities())
	if err != nil {
		return err
	}
	var sigilosas []int64
	for _, t := range tickets {
		if t.Identity == store.IdentitySigilosa {
			sigilosas = append(sigilosas, t.ID)
		}
	}
	if err := s.auditProtectedRows(r.Context(), a, sigilosas, "página do contato"); err != nil {
		return err
	}
	v := views.ContatoView{WaID: phone(c.WaID), ProfileName: c.ProfileName, Name: c.Name, CPF: c.CPF,
		OptedOut: c.OptedOut, Since: brDate(c.CreatedAt)}
	for _, a := range answers {
		label := a.Label
		if label == "" {
			label = a.Key
		}
		v.Answers = append(v.Answers, views.ContatoAnswer{Label: label, Value: a.Value, When: brDate(a.CreatedAt)})
	}
	now := time.Now()
	for _, t := range tickets {
		row := views.ProtocolRow{URL: convURL(t.ID), Protocol: protocol.Display(t.Protocol),
			Kind: kindName(t.Kind), Status: ticketStatusLabels[t.Status], Subject: t.Subject, Group: t.GroupName,
			Created: brDate(t.CreatedAt), Age: age(now, t.CreatedAt), Identity: identityLabels[t.Identity]}
		if t.ClosedAt != 0 {
			row.Closed = brDate(t.ClosedAt)
		}
		v.Tickets = append(v.Tickets, row)
	}
	title := store.Contact{Name: c.Name, ProfileName: c.ProfileName, WaID: c.WaID}.DisplayName()
	return views.ContatoPage(s.page(r, title, "protocolos"), v).Render(r.Context(), w)
}
