package web

import (
	"net/http"

	"balcao/views"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.TeamCounts(r.Context())
	if err != nil {
		return err
	}
	return views.HomePage(s.page(r, "Início", ""), views.HomeCounts{Users: c.Users, Departments: c.Departments, Groups: c.Groups}).Render(r.Context(), w)
}

// area renders a panel area that later versions fill.
func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) error {
	return views.AdminHomePage(s.page(r, "Administração", "admin")).Render(r.Context(), w)
}
