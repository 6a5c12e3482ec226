package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"balcao/app/auth"
	"balcao/app/store"
	"balcao/views"
)

func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.ListUsers(r.Context())
	if err != nil {
		return err
	}
	departments, err := s.store.UserDepartmentNames(r.Context())
	if err != nil {
		return err
	}
	return views.UsersPage(s.page(r, "Usuários", "admin"), users, departments).Render(r.Context(), w)
}

func (s *Server) userNew(w http.ResponseWriter, r *http.Request) error {
	departments, err := s.store.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	f := views.NewForm()
	f.Values.Set("role", store.RoleAgent)
	return views.UserFormPage(s.page(r, "Novo usuário", "admin"), f, 0, departments, "").Render(r.Context(), w)
}

func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.userFromPath(r)
	if err != nil {
		return err
	}
	departments, err := s.store.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	member, err := s.store.UserDepartmentIDs(r.Context(), u.ID)
	if err != nil {
		return err
	}
	f := views.NewForm()
	f.Values = url.Values{"name": {u.Name}, "email": {u.Email}, "role": {u.Role}, "departments": idStrings(member)}
	if u.Active {
		f.Values.Set("active", "1")
	}
	return views.UserFormPage(s.page(r, "Editar usuário", "admin"), f, u.ID, departments, "").Render(r.Context(), w)
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	departments, err := s.store.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	u, departmentIDs := readUserForm(f, departments)
	password, generated := initialPassword(f)
	if f.Valid() {
		if u.PasswordHash, err = auth.HashPassword(password); err != nil {
			return err
		}
		u, err = s.store.CreateUserWithDepartments(r.Context(), u, departmentIDs)
		if err := userWriteProblem(f, u, err); err != nil {
			return err
		}
	}
	if !f.Valid() {
		clearPasswords(f)
		w.WriteHeader(http.StatusUnprocessableEntity)
		return views.UserFormPage(s.page(r, "Novo usuário", "admin"), f, 0, departments, "").Render(r.Context(), w)
	}
	if err := s.store.Audit(r.Context(), currentUser(r).ID, "user.create", userSubject(u), "role "+u.Role); err != nil {
		return err
	}
	msg := "Usuário " + u.Name + " criado."
	if generated {
		msg += " Senha inicial: " + password + " — anote e entregue à pessoa; ela não será mostrada de novo."
	}
	s.flash(r.Context(), msg)
	http.Redirect(w, r, "/admin/usuarios", http.StatusSeeOther)
	return nil
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	before, err := s.userFromPath(r)
	if err != nil {
		return err
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	departments, err := s.store.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	u, departmentIDs := readUserForm(f, departments)
	u.ID, u.Active = before.ID, f.Get("active") == "1"
	if f.Valid() {
		err = s.store.UpdateUser(r.Context(), u, departmentIDs)
		if err := userWriteProblem(f, u, err); err != nil {
			return err
		}
	}
	if !f.Valid() {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return views.UserFormPage(s.page(r, "Editar usuário", "admin"), f, u.ID, departments, "").Render(r.Context(), w)
	}
	if err := s.auditUserUpdate(r, before, u); err != nil {
		return err
	}
	s.flash(r.Context(), "Usuário "+u.Name+" salvo.")
	next := "/admin/usuarios"
	if u.ID == currentUser(r).ID && (u.Role != store.RoleAdmin || !u.Active) {
		next = "/" // they just left Administração
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// initialPassword returns the password typed on the user form (checked) or,
// when none was typed, a generated one.
func initialPassword(f *views.Form) (password string, generated bool) {
	password = f.Get("password")
	if password == "" {
		return auth.GeneratePassword(), true
	}
	if msg := auth.PasswordProblem(password); msg != "" {
		f.Fail("password", msg)
	}
	return password, false
}

// auditUserUpdate records an update, and a (de)activation when the flag changed.
func (s *Server) auditUserUpdate(r *http.Request, before, after store.User) error {
	actor := currentUser(r).ID
	detail := "role " + after.Role
	if before.Email != after.Email {
		detail += ", e-mail was " + before.Email
	}
	if err := s.store.Audit(r.Context(), actor, "user.update", userSubject(after), detail); err != nil {
		return err
	}
	switch {
	case before.Active && !after.Active:
		return s.store.Audit(r.Context(), actor, "user.deactivate", userSubject(after), "")
	case !before.Active && after.Active:
		return s.store.Audit(r.Context(), actor, "user.reactivate", userSubject(after), "")
	}
	return nil
}

// userResetPassword replaces a user's password with a generated one, shown once.
func (s *Server) userResetPassword(w http.ResponseWriter, r *http.Request) error {
	u, err := s.userFromPath(r)
	if err != nil {
		return err
	}
	password := auth.GeneratePassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(r.Context(), u.ID, hash); err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), currentUser(r).ID, "user.password_reset", userSubject(u), ""); err != nil {
		return err
	}
	s.flash(r.Context(), "Nova senha de "+u.Name+": "+password+" — anote e entregue à pessoa; ela não será mostrada de novo.")
	http.Redirect(w, r, views.UserURL(u.ID), http.StatusSeeOther)
	return nil
}

// readUserForm validates the user form (all but the password) and returns what it says.
func readUserForm(f *views.Form, departments []store.Department) (store.User, []int64) {
	validateNewUser(f, false)
	u := store.User{Name: f.Trimmed("name"), Email: strings.ToLower(f.Trimmed("email")), Role: f.Get("role")}
	if !slices.Contains(views.Roles, u.Role) {
		f.Fail("role", "Escolha o papel do usuário.")
	}
	ids, ok := pickIDs(f.Values["departments"], func(id int64) bool {
		return slices.ContainsFunc(departments, func(d store.Department) bool { return d.ID == id })
	})
	if !ok {
		f.Fail("departments", "Secretaria inválida. Recarregue a página e escolha de novo.")
	}
	return u, ids
}

// userWriteProblem puts a refused write next to the field it concerns; other errors are returned.
func userWriteProblem(f *views.Form, u store.User, err error) error {
	switch {
	case err == nil:
	case errors.Is(err, store.ErrConflict):
		f.Fail("email", "Já existe um usuário com este e-mail.")
	case errors.Is(err, store.ErrLastAdmin) && u.Role != store.RoleAdmin:
		f.Fail("role", "Este é o último administrador ativo: mantenha o papel de administrador ou promova outra pessoa antes.")
	case errors.Is(err, store.ErrLastAdmin):
		f.Fail("active", "Este é o último administrador ativo: ele não pode ser desativado.")
	case errors.Is(err, store.ErrNotFound):
		f.Fail("departments", "Uma das secretarias escolhidas não existe mais. Recarregue a página.")
	default:
		return err
	}
	return nil
}

// userFromPath loads the user named by the {id} of the path.
func (s *Server) userFromPath(r *http.Request) (store.User, error) {
	id, err := pathID(r)
	if err != nil {
		return store.User{}, err
	}
	return s.store.UserByID(r.Context(), id)
}

func userSubject(u store.User) string { return "user:" + u.Email }

// pickIDs parses form values as ids, each accepted by allowed; ok is false when one is not.
func pickIDs(values []string, allowed func(int64) bool) (ids []int64, ok bool) {
	for _, v := range values {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !allowed(id) {
			return nil, false
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, true
}

// idStrings formats ids as form values.
func idStrings(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}
