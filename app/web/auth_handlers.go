package web

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"strings"

	"balcao/app/auth"
	"balcao/app/store"
	"balcao/views"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.store.Ready(r.Context(), s.migrations); err != nil {
		s.log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready: " + err.Error() + "\n"))
		return nil
	}
	w.Write([]byte("ready\n"))
	return nil
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if n, err := s.store.CountUsers(r.Context()); err != nil {
		return err
	} else if n == 0 {
		http.Redirect(w, r, "/configuracao-inicial", http.StatusSeeOther)
		return nil
	}
	if _, ok := userFrom(r.Context()); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return views.LoginPage(s.page(r, "Entrar", ""), views.NewForm(), "").Render(r.Context(), w)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	password := f.Get("password")
	f.Values.Del("password")
	u, err := s.auth.Login(r.Context(), f.Get("email"), password, s.clientIP(r))
	switch {
	case errors.Is(err, auth.ErrThrottled):
		w.WriteHeader(http.StatusTooManyRequests)
		return views.LoginPage(s.page(r, "Entrar", ""), f, "Muitas tentativas sem sucesso. Aguarde 15 minutos e tente de novo.").Render(r.Context(), w)
	case errors.Is(err, auth.ErrInvalidCredentials):
		w.WriteHeader(http.StatusUnauthorized)
		return views.LoginPage(s.page(r, "Entrar", ""), f, "E-mail ou senha incorretos.").Render(r.Context(), w)
	case err != nil:
		return err
	}
	if err := s.startSession(r.Context(), u); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// startSession logs u in with a fresh session token (no fixation).
func (s *Server) startSession(ctx context.Context, u store.User) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, "user_id", u.ID)
	s.sessions.Remove(ctx, "csrf")
	return s.store.Audit(ctx, u.ID, "login", "user:"+u.Email, "")
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if u, ok := userFrom(r.Context()); ok {
		if err := s.store.SetUserStatus(r.Context(), u.ID, store.StatusOffline, ""); err != nil {
			return err
		}
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/entrar", http.StatusSeeOther)
	return nil
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) error {
	if n, err := s.store.CountUsers(r.Context()); err != nil {
		return err
	} else if n > 0 {
		return errNotFound
	}
	return views.SetupPage(s.page(r, "Primeiro acesso", ""), views.NewForm()).Render(r.Context(), w)
}

func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	if n, err := s.store.CountUsers(r.Context()); err != nil {
		return err
	} else if n > 0 {
		return errNotFound
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	validateNewUser(f, true)
	if f.Get("password") != f.Get("password2") {
		f.Fail("password2", "As senhas não conferem.")
	}
	if !f.Valid() {
		clearPasswords(f)
		w.WriteHeader(http.StatusUnprocessableEntity)
		return views.SetupPage(s.page(r, "Primeiro acesso", ""), f).Render(r.Context(), w)
	}
	hash, err := auth.HashPassword(f.Get("password"))
	if err != nil {
		return err
	}
	u, err := s.store.CreateFirstUser(r.Context(), store.User{
		Name: f.Trimmed("name"), Email: strings.ToLower(f.Trimmed("email")), PasswordHash: hash, Role: store.RoleAdmin,
	})
	if errors.Is(err, store.ErrConflict) {
		return errNotFound // someone finished the setup first
	}
	if err != nil {
		return err
	}
	if err := s.startSession(r.Context(), u); err != nil {
		return err
	}
	s.flash(r.Context(), "Administrador criado. Bem-vindo ao balcão!")
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
	return nil
}

// validateNewUser checks name, e-mail and (when withPassword) the password fields of f.
func validateNewUser(f *views.Form, withPassword bool) {
	name := f.Trimmed("name")
	switch {
	case name == "":
		f.Fail("name", "Informe o nome.")
	case len([]rune(name)) > 120:
		f.Fail("name", "O nome pode ter no máximo 120 caracteres.")
	}
	if msg := EmailProblem(f.Trimmed("email")); msg != "" {
		f.Fail("email", msg)
	}
	if withPassword {
		if msg := auth.PasswordProblem(f.Get("password")); msg != "" {
			f.Fail("password", msg)
		}
	}
}

// EmailProblem returns a pt-BR message when e is not a plain e-mail address, or "".
func EmailProblem(e string) string {
	if e == "" {
		return "Informe o e-mail."
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") && !strings.HasSuffix(e, "@localhost") {
		return "E-mail inválido. Exemplo: maria@prefeitura.gov.br"
	}
	if len(e) > 254 {
		return "E-mail longo demais."
	}
	return ""
}

// clearPasswords keeps typed passwords out of a re-rendered form.
func clearPasswords(f *views.Form) {
	f.Values.Del("password")
	f.Values.Del("password2")
}
