package web

import (
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"balcao/app/store"
	"balcao/views"
)

// Lengths the admin forms accept.
const (
	maxNameLen        = 120
	maxDescriptionLen = 500
)

func (s *Server) departmentList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	return views.DepartmentsPage(s.page(r, "Secretarias", "admin"), list).Render(r.Context(), w)
}

func (s *Server) departmentNew(w http.ResponseWriter, r *http.Request) error {
	return views.DepartmentFormPage(s.page(r, "Nova secretaria", "admin"), views.NewForm(), 0, "").Render(r.Context(), w)
}

func (s *Server) departmentEdit(w http.ResponseWriter, r *http.Request) error {
	d, err := s.departmentFromPath(r)
	if err != nil {
		return err
	}
	return views.DepartmentFormPage(s.page(r, departmentTitle(d), "admin"), departmentForm(d), d.ID, "").Render(r.Context(), w)
}

// departmentSave creates (no {id} in the path) or updates a department.
func (s *Server) departmentSave(w http.ResponseWriter, r *http.Request) error {
	var d store.Department
	if r.PathValue("id") != "" {
		var err error
		if d, err = s.departmentFromPath(r); err != nil {
			return err
		}
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	d.Name, d.Description = f.Trimmed("name"), f.Trimmed("description")
	validateDepartment(f)
	if f.Valid() {
		err = s.writeDepartment(r, &d)
		if errors.Is(err, store.ErrConflict) {
			f.Fail("name", "Já existe uma secretaria com este nome.")
		} else if err != nil {
			return err
		}
	}
	if !f.Valid() {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return views.DepartmentFormPage(s.page(r, departmentTitle(d), "admin"), f, d.ID, "").Render(r.Context(), w)
	}
	s.flash(r.Context(), "Secretaria “"+d.Name+"” salva.")
	http.Redirect(w, r, "/admin/secretarias", http.StatusSeeOther)
	return nil
}

// writeDepartment inserts or updates d and records who did it.
func (s *Server) writeDepartment(r *http.Request, d *store.Department) error {
	action := "department.update"
	var err error
	if d.ID == 0 {
		action = "department.create"
		*d, err = s.store.CreateDepartment(r.Context(), *d)
	} else {
		err = s.store.UpdateDepartment(r.Context(), *d)
	}
	if err != nil {
		return err
	}
	return s.store.Audit(r.Context(), currentUser(r).ID, action, departmentSubject(d.ID), d.Name)
}

func (s *Server) departmentDelete(w http.ResponseWriter, r *http.Request) error {
	d, err := s.departmentFromPath(r)
	if err != nil {
		return err
	}
	err = s.store.DeleteDepartment(r.Context(), d.ID)
	if errors.Is(err, store.ErrInUse) {
		w.WriteHeader(http.StatusConflict)
		msg := "Esta secretaria ainda tem grupos de atendimento. Mova os grupos para outra secretaria ou exclua-os antes de excluir a secretaria."
		return views.DepartmentFormPage(s.page(r, departmentTitle(d), "admin"), departmentForm(d), d.ID, msg).Render(r.Context(), w)
	}
	if err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), currentUser(r).ID, "department.delete", departmentSubject(d.ID), d.Name); err != nil {
		return err
	}
	s.flash(r.Context(), "Secretaria “"+d.Name+"” excluída.")
	http.Redirect(w, r, "/admin/secretarias", http.StatusSeeOther)
	return nil
}

// validateDepartment checks the fields of a department form.
func validateDepartment(f *views.Form) {
	switch name := f.Trimmed("name"); {
	case name == "":
		f.Fail("name", "Informe o nome da secretaria.")
	case utf8.RuneCountInString(name) > maxNameLen:
		f.Fail("name", "O nome pode ter no máximo 120 caracteres.")
	}
	if utf8.RuneCountInString(f.Trimmed("description")) > maxDescriptionLen {
		f.Fail("description", "A descrição pode ter no máximo 500 caracteres.")
	}
}

// departmentFromPath loads the department named by the {id} of the path.
func (s *Server) departmentFromPath(r *http.Request) (store.Department, error) {
	id, err := pathID(r)
	if err != nil {
		return store.Department{}, err
	}
	return s.store.DepartmentByID(r.Context(), id)
}

// departmentForm fills a form with d.
func departmentForm(d store.Department) *views.Form {
	f := views.NewForm()
	f.Values.Set("name", d.Name)
	f.Values.Set("description", d.Description)
	return f
}

func departmentTitle(d store.Department) string {
	if d.ID == 0 {
		return "Nova secretaria"
	}
	return "Editar secretaria"
}

func departmentSubject(id int64) string { return "department:" + strconv.FormatInt(id, 10) }

// pathID reads the positive integer {id} of the path; anything else is a 404.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}
