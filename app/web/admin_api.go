package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"balcao/app/api"
	"balcao/app/store"
	"balcao/views"
)

// minSecretLen is the shortest webhook signing secret accepted.
const minSecretLen = 16

// adminIntegrations shows Administração → Integrações.
func (s *Server) adminIntegrations(w http.ResponseWriter, r *http.Request) error {
	return s.renderIntegrations(w, r, http.StatusOK, views.IntegrationsData{TokenForm: views.NewForm()}, nil)
}

// renderIntegrations fills in the tokens, the settings and the deliveries
// around what the action left in d (a new token, a form with errors).
func (s *Server) renderIntegrations(w http.ResponseWriter, r *http.Request, status int, d views.IntegrationsData, hook *views.Form) error {
	tokens, err := s.store.ListAPITokens(r.Context())
	if err != nil {
		return err
	}
	set, err := s.store.WebhookSettings(r.Context())
	if err != nil {
		return err
	}
	hooks, err := s.store.RecentWebhooks(r.Context(), 50)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		d.Tokens = append(d.Tokens, views.APITokenRow{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedBy: t.CreatedByName,
			CreatedAt: msTime(t.CreatedAt), LastUsedAt: msTime(t.LastUsedAt), RevokedAt: msTime(t.RevokedAt)})
	}
	for _, h := range hooks {
		d.Deliveries = append(d.Deliveries, views.WebhookRow{ID: h.ID, Event: h.Event, Protocol: h.Protocol, State: h.State,
			LastError: h.LastError, Attempts: h.Attempts, LastStatus: h.LastStatus, CreatedAt: msTime(h.CreatedAt),
			NextAttemptAt: msTime(h.NextAttemptAt), DeliveredAt: msTime(h.DeliveredAt)})
	}
	if hook == nil {
		hook = views.NewForm()
		hook.Values.Set("url", set.URL)
	}
	d.WebhookForm, d.Secret = hook, set.Secret
	if d.TokenForm == nil {
		d.TokenForm = views.NewForm()
	}
	w.WriteHeader(status)
	return views.AdminIntegrationsPage(s.page(r, "Integrações", "admin"), d).Render(r.Context(), w)
}

// msTime is a Unix-milliseconds column as a time (zero for 0).
func msTime(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// apiTokenCreate makes a token and shows it, this once.
func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	name := f.Trimmed("name")
	switch {
	case name == "":
		f.Fail("name", "Informe para que sistema é a chave.")
	case utf8.RuneCountInString(name) > maxNameLen:
		f.Fail("name", "Use no máximo "+strconv.Itoa(maxNameLen)+" caracteres.")
	}
	if !f.Valid() {
		return s.renderIntegrations(w, r, http.StatusUnprocessableEntity, views.IntegrationsData{TokenForm: f}, nil)
	}
	u := currentUser(r)
	token, err := api.CreateToken(r.Context(), s.store, name, u.ID)
	if err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), u.ID, "api_token.create", "api_token:"+name, ""); err != nil {
		return err
	}
	return s.renderIntegrations(w, r, http.StatusOK, views.IntegrationsData{NewToken: token, NewTokenName: name}, nil)
}

// apiTokenRevoke revokes a token; requests with it are refused from now on.
func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	if err := s.store.RevokeAPIToken(r.Context(), id); err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), currentUser(r).ID, "api_token.revoke", "api_token:"+strconv.FormatInt(id, 10), ""); err != nil {
		return err
	}
	s.flash(r.Context(), "Chave revogada: os sistemas que a usam perderam o acesso.")
	http.Redirect(w, r, "/admin/integracoes", http.StatusSeeOther)
	return nil
}

// webhookSave sets where the outgoing webhooks go and their secret (blank keeps it).
func (s *Server) webhookSave(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	set, err := s.store.WebhookSettings(r.Context())
	if err != nil {
		return err
	}
	set.URL = f.Trimmed("url")
	if secret := f.Trimmed("secret"); secret != "" {
		set.Secret = secret
	}
	if set.URL != "" {
		if u, err := url.Parse(set.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			f.Fail("url", "Informe um endereço completo, começando com https://.")
		}
		if utf8.RuneCountInString(set.Secret) < minSecretLen {
			f.Fail("secret", "Informe um segredo com pelo menos "+strconv.Itoa(minSecretLen)+" caracteres.")
		}
	}
	if !f.Valid() {
		f.Values.Del("secret")
		return s.renderIntegrations(w, r, http.StatusUnprocessableEntity, views.IntegrationsData{}, f)
	}
	if err := s.store.SaveWebhookSettings(r.Context(), set); err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), currentUser(r).ID, "webhook.update", "api_settings", set.URL); err != nil {
		return err
	}
	msg := "Avisos desligados."
	if set.URL != "" {
		msg = "Avisos serão enviados para " + set.URL + "."
	}
	s.flash(r.Context(), msg)
	http.Redirect(w, r, "/admin/integracoes", http.StatusSeeOther)
	return nil
}

// webhookRetry puts a failed delivery back in the queue.
func (s *Server) webhookRetry(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	err = s.store.RetryWebhook(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusConflict, "Este envio não falhou (ou não existe); não há o que reenviar.")
	}
	if err != nil {
		return err
	}
	if s.webhooks != nil {
		s.webhooks.Wake()
	}
	s.flash(r.Context(), "Envio colocado de novo na fila.")
	http.Redirect(w, r, "/admin/integracoes", http.StatusSeeOther)
	return nil
}
