// Package views holds the templ components of every page; all text a person reads is pt-BR.
package views

import (
	"net/url"
	"strconv"
	"strings"
)

// Page is what the layout needs about the request being rendered.
type Page struct {
	Title string
	// Nav is the active navigation area ("atendimentos", "admin", …).
	Nav  string
	User *CurrentUser
	CSRF string
	// Flash is a one-time notice shown on top of the page.
	Flash string
	// Banners are persistent warnings (the disk is full, the backup stopped…).
	Banners []string
	// Assets maps a static file to its content-hashed URL.
	Assets func(name string) string
}

// CurrentUser is the logged-in panel user as the layout shows it.
type CurrentUser struct {
	ID     int64
	Name   string
	Role   string
	Status string
}

// IsAdmin reports whether the user may reach Administração.
func (u *CurrentUser) IsAdmin() bool { return u != nil && u.Role == "admin" }

// IsSupervisor reports whether the user is a supervisor, an ouvidor (the
// supervisor's powers) or an admin.
func (u *CurrentUser) IsSupervisor() bool {
	return u != nil && (u.Role == "admin" || u.Role == "supervisor" || u.Role == "ouvidor")
}

// Asset returns the URL of a static file.
func (p Page) Asset(name string) string {
	if p.Assets == nil {
		return "/static/" + name
	}
	return p.Assets(name)
}

// Form carries submitted values and per-field errors back to a page.
type Form struct {
	Values url.Values
	Errors map[string]string
}

// NewForm returns an empty form.
func NewForm() *Form { return &Form{Values: url.Values{}, Errors: map[string]string{}} }

// Get returns the submitted value of field.
func (f *Form) Get(field string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(field)
}

// Has reports whether value was among the submitted values of field (checkboxes, multi-selects).
func (f *Form) Has(field, value string) bool {
	if f == nil {
		return false
	}
	for _, v := range f.Values[field] {
		if v == value {
			return true
		}
	}
	return false
}

// Error returns the message for field, or "".
func (f *Form) Error(field string) string {
	if f == nil {
		return ""
	}
	return f.Errors[field]
}

// Fail records a message for field.
func (f *Form) Fail(field, msg string) { f.Errors[field] = msg }

// Valid reports whether no field failed.
func (f *Form) Valid() bool { return len(f.Errors) == 0 }

// Trimmed returns the value of field without surrounding spaces.
func (f *Form) Trimmed(field string) string { return strings.TrimSpace(f.Get(field)) }

// roleLabel is the pt-BR name of a role.
func roleLabel(role string) string {
	switch role {
	case "admin":
		return "Administrador"
	case "supervisor":
		return "Supervisor"
	case "ouvidor":
		return "Ouvidor(a)"
	case "atendente":
		return "Atendente"
	}
	return role
}

// RoleLabel is the pt-BR name of a role, for use outside this package.
func RoleLabel(role string) string { return roleLabel(role) }

// ariaInvalid returns "true" when the field has an error.
func ariaInvalid(f *Form, field string) string {
	if f.Error(field) != "" {
		return "true"
	}
	return ""
}

// itoa formats an int for display.
func itoa(n int) string { return strconv.Itoa(n) }
