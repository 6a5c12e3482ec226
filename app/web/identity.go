package web

import (
	"context"
	"errors"
	"net/http"

	"balcao/app/chat"
	"balcao/app/store"
	"balcao/views"
)

// Protected identities as the panel shows them (pt-BR). Masking happens here,
// at the one place every page builds a citizen's name from, so no page shows
// a protected citizen by forgetting to.
const (
	protectedPerson = "Manifestante protegido"
	anonymousPerson = store.AnonymousName
	protectedData   = "dado protegido"
	// protectedInline replaces a protected citizen's name or number inside a text.
	protectedInline = "[dado protegido]"
)

// maskOf is the Redactor that hides the citizen of c on a page, or nil when
// nothing is hidden (a normal ticket, or a sigilosa one revealed).
func maskOf(c store.Conversation, revealed bool) *store.Redactor {
	if !store.Protected(c.Identity) || revealed {
		return nil
	}
	r := store.NewRedactor(c.Contact)
	return &r
}

var identityLabels = map[string]string{
	store.IdentitySigilosa: "Sigilosa",
	store.IdentityAnonima:  "Anônima",
}

// maskedPerson is the name shown instead of a protected ticket's citizen ("":
// not protected).
func maskedPerson(identity string) string {
	switch identity {
	case store.IdentitySigilosa:
		return protectedPerson
	case store.IdentityAnonima:
		return anonymousPerson
	}
	return ""
}

// personOf is the name and number the panel shows for a ticket's citizen:
// masked for a protected ticket unless revealed (an ouvidor's audited reveal).
func personOf(c store.Conversation, revealed bool) (name, number string) {
	if masked := maskedPerson(c.Identity); masked != "" && !revealed {
		return masked, ""
	}
	return c.Contact.DisplayName(), "+" + c.Contact.WaID
}

// revealIdentity shows an ouvidor who the citizen of a sigilosa ticket is,
// for this page view only: the reveal is recorded first (chat.Reveal), and
// the page it answers does not refresh the history live, so a later view is
// masked again until the next (audited) reveal.
func (s *Server) revealIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	a := actor(r)
	c, msgs, err := s.chat.Reveal(r.Context(), a, id)
	if errors.Is(err, chat.ErrNotAllowed) {
		return errStatus(http.StatusForbidden, "Só a Ouvidoria pode ver a identidade de uma manifestação sigilosa.")
	}
	if err != nil {
		return err
	}
	v, err := s.revealedChatView(r.Context(), a, c, msgs)
	if err != nil {
		return err
	}
	return views.ChatPage(s.page(r, v.Name, "atendimentos"), v).Render(r.Context(), w)
}

// revealedChatView is chatView with the citizen shown.
func (s *Server) revealedChatView(ctx context.Context, a chat.Actor, c store.Conversation, msgs []store.ChatMessage) (views.ChatView, error) {
	return s.buildChatView(ctx, a, c, msgs, true)
}

// auditProtectedRows records that an ouvidor saw sigilosa tickets tied to a
// citizen outside the ticket screen (their Contato page, a search by their
// name or number): every view of a protected identity is in the audit log.
func (s *Server) auditProtectedRows(ctx context.Context, a chat.Actor, ids []int64, where string) error {
	for _, id := range ids {
		if err := s.store.RecordIdentityReveal(ctx, a.ID, id, where); err != nil {
			return err
		}
	}
	return nil
}
