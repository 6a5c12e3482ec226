package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"balcao/app/hours"
	"balcao/app/store"
	"balcao/views"
)

// groupOptions are the choices a group form offers.
type groupOptions struct {
	departments []store.Department
	// users are the active users plus the inactive ones already members.
	users []store.User
}

func (s *Server) groupList(w http.ResponseWriter, r *http.Request) error {
	groups, err := s.store.ListGroups(r.Context())
	if err != nil {
		return err
	}
	return views.GroupsPage(s.page(r, "Grupos de atendimento", "admin"), groups).Render(r.Context(), w)
}

func (s *Server) groupNew(w http.ResponseWriter, r *http.Request) error {
	opts, err := s.groupOptions(r.Context(), nil)
	if err != nil {
		return err
	}
	g := store.Group{Level: store.LevelN1, MaxPerAgent: 5, Hours: hours.WeekdaysFrom(hours.Interval{Open: 8 * 60, Close: 17 * 60})}
	return s.renderGroupForm(w, r, http.StatusOK, groupForm(g, nil), 0, opts, "")
}

func (s *Server) groupEdit(w http.ResponseWriter, r *http.Request) error {
	g, members, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	opts, err := s.groupOptions(r.Context(), members)
	if err != nil {
		return err
	}
	return s.renderGroupForm(w, r, http.StatusOK, groupForm(g, members), g.ID, opts, "")
}

// groupSave creates (no {id} in the path) or updates a group with its members, all or nothing.
func (s *Server) groupSave(w http.ResponseWriter, r *http.Request) error {
	var g store.Group
	var members []int64
	var err error
	if r.PathValue("id") != "" {
		if g, members, err = s.groupFromPath(r); err != nil {
			return err
		}
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	opts, err := s.groupOptions(r.Context(), members)
	if err != nil {
		return err
	}
	in, memberIDs := readGroupForm(f, opts)
	in.ID = g.ID
	if f.Valid() {
		err = s.writeGroup(r, &in, memberIDs)
		if errors.Is(err, store.ErrConflict) {
			f.Fail("name", "Já existe um grupo com este nome.")
		} else if errors.Is(err, store.ErrNotFound) {
			f.Fail("department", "A secretaria ou um dos membros escolhidos não existe mais. Recarregue a página.")
		} else if err != nil {
			return err
		}
	}
	if !f.Valid() {
		return s.renderGroupForm(w, r, http.StatusUnprocessableEntity, f, g.ID, opts, "")
	}
	s.flash(r.Context(), "Grupo “"+in.Name+"” salvo.")
	http.Redirect(w, r, "/admin/grupos", http.StatusSeeOther)
	return nil
}

// writeGroup inserts or updates g with its members and records who did it.
func (s *Server) writeGroup(r *http.Request, g *store.Group, memberIDs []int64) error {
	action := "group.update"
	var err error
	if g.ID == 0 {
		action = "group.create"
		*g, err = s.store.CreateGroup(r.Context(), *g, memberIDs)
	} else {
		err = s.store.UpdateGroup(r.Context(), *g, memberIDs)
	}
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("%s, level %s, %d members, max %d per agent, targets %d/%d business minutes",
		g.Name, g.Level, len(memberIDs), g.MaxPerAgent, g.FirstResponseTarget, g.ResolutionTarget)
	return s.store.Audit(r.Context(), currentUser(r).ID, action, groupSubject(g.ID), detail)
}

func (s *Server) groupDelete(w http.ResponseWriter, r *http.Request) error {
	g, _, err := s.groupFromPath(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteGroup(r.Context(), g.ID); errors.Is(err, store.ErrInUse) {
		return errStatus(http.StatusConflict, "Este grupo ainda tem atendimentos e não pode ser excluído.")
	} else if err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), currentUser(r).ID, "group.delete", groupSubject(g.ID), g.Name); err != nil {
		return err
	}
	s.flash(r.Context(), "Grupo “"+g.Name+"” excluído.")
	http.Redirect(w, r, "/admin/grupos", http.StatusSeeOther)
	return nil
}

func (s *Server) renderGroupForm(w http.ResponseWriter, r *http.Request, status int, f *views.Form, id int64, opts groupOptions, problem string) error {
	title := "Novo grupo de atendimento"
	if id != 0 {
		title = "Editar grupo de atendimento"
	}
	w.WriteHeader(status)
	return views.GroupFormPage(s.page(r, title, "admin"), f, id, opts.departments, opts.users, problem).Render(r.Context(), w)
}

// groupOptions loads the departments and the possible members; current are the
// group's members now, kept selectable even when inactive.
func (s *Server) groupOptions(ctx context.Context, current []int64) (groupOptions, error) {
	var o groupOptions
	var err error
	if o.departments, err = s.store.ListDepartments(ctx); err != nil {
		return o, err
	}
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return o, err
	}
	for _, u := range users {
		if u.Active || slices.Contains(current, u.ID) {
			o.users = append(o.users, u)
		}
	}
	return o, nil
}

// groupFromPath loads the group named by the {id} of the path and its member ids.
func (s *Server) groupFromPath(r *http.Request) (store.Group, []int64, error) {
	id, err := pathID(r)
	if err != nil {
		return store.Group{}, nil, err
	}
	g, err := s.store.GroupByID(r.Context(), id)
	if err != nil {
		return g, nil, err
	}
	members, err := s.store.GroupMemberIDs(r.Context(), id)
	return g, members, err
}

// readGroupForm validates the group form and returns what it says.
func readGroupForm(f *views.Form, opts groupOptions) (store.Group, []int64) {
	g := store.Group{Name: f.Trimmed("name"), Level: f.Get("level")}
	switch {
	case g.Name == "":
		f.Fail("name", "Informe o nome do grupo.")
	case utf8.RuneCountInString(g.Name) > maxNameLen:
		f.Fail("name", "O nome pode ter no máximo 120 caracteres.")
	}
	g.DepartmentID, _ = strconv.ParseInt(f.Get("department"), 10, 64)
	if !slices.ContainsFunc(opts.departments, func(d store.Department) bool { return d.ID == g.DepartmentID }) {
		f.Fail("department", "Escolha a secretaria responsável pelo grupo.")
	}
	if !slices.Contains(store.Levels, g.Level) {
		f.Fail("level", "Escolha o nível: N1, N2 ou N3.")
	}
	n, err := strconv.Atoi(f.Trimmed("max_per_agent"))
	if err != nil || n < store.MinPerAgent || n > store.MaxPerAgent {
		f.Fail("max_per_agent", "Informe um número inteiro de 1 a 50.")
	}
	g.MaxPerAgent = n
	g.FirstResponseTarget = readTargetHours(f, "first_response_hours")
	g.ResolutionTarget = readTargetHours(f, "resolution_hours")
	members, ok := pickIDs(f.Values["members"], func(id int64) bool {
		return slices.ContainsFunc(opts.users, func(u store.User) bool { return u.ID == id })
	})
	if !ok {
		f.Fail("members", "Membro inválido. Recarregue a página e escolha de novo.")
	}
	g.Hours = readHoursForm(f)
	return g, members
}

// maxTargetHours bounds a group's target: a year of business hours.
const maxTargetHours = 8760

// readTargetHours reads a target in business hours ("2", "0,5", "1.5"; blank:
// none) and returns it in minutes.
func readTargetHours(f *views.Form, field string) int {
	text := strings.ReplaceAll(f.Trimmed(field), ",", ".")
	if text == "" {
		return 0
	}
	h, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(h) || h < 0 || h > maxTargetHours {
		f.Fail(field, "Informe um número de horas úteis de 0 a 8760, como 2 ou 0,5 (em branco: sem meta).")
		return 0
	}
	return int(math.Round(h * 60))
}

// targetHours shows a target of minutes in hours with a decimal comma ("" for none).
func targetHours(minutes int) string {
	if minutes == 0 {
		return ""
	}
	return strings.ReplaceAll(strconv.FormatFloat(float64(minutes)/60, 'f', -1, 64), ".", ",")
}

// readHoursForm reads the business-hours grid: per day closed, or a first
// period and an optional second one. Problems are recorded per day.
func readHoursForm(f *views.Form) hours.Week {
	var w hours.Week
	dayProblems := false
	for _, d := range hours.MondayFirst {
		if f.Get(views.HoursField(d, "closed")) == "1" {
			continue
		}
		first, msg := readPeriod(f, d, "open", "close", true)
		if msg == "" {
			w[d] = append(w[d], first)
			var second hours.Interval
			second, msg = readPeriod(f, d, "open2", "close2", false)
			switch {
			case msg == "" && second != (hours.Interval{}) && second.Open < first.Close:
				msg = "O 2º turno precisa começar depois do fim do 1º."
			case msg == "" && second != (hours.Interval{}):
				w[d] = append(w[d], second)
			}
		}
		if msg != "" {
			f.Fail(views.HoursError(d), msg)
			dayProblems = true
		}
	}
	if w.AlwaysClosed() && !dayProblems {
		f.Fail("hours", "Informe o horário de pelo menos um dia.")
	}
	return w
}

// readPeriod reads one open–close pair of day d; an optional pair left blank is the zero Interval.
func readPeriod(f *views.Form, d time.Weekday, openField, closeField string, required bool) (hours.Interval, string) {
	openText, closeText := f.Trimmed(views.HoursField(d, openField)), f.Trimmed(views.HoursField(d, closeField))
	switch {
	case openText == "" && closeText == "" && !required:
		return hours.Interval{}, ""
	case openText == "" && closeText == "" && required:
		return hours.Interval{}, "Informe a abertura e o fechamento, ou marque Fechado."
	case openText == "" || closeText == "":
		return hours.Interval{}, "Informe a abertura e também o fechamento."
	}
	open, err1 := hours.ParseClock(openText)
	closing, err2 := hours.ParseClock(closeText)
	if err1 != nil || err2 != nil {
		return hours.Interval{}, "Horário inválido: use o formato 08:00."
	}
	if closing == 0 {
		closing = hours.EndOfDay // 00:00 as a closing time means midnight
	}
	if open >= closing {
		return hours.Interval{}, "O fechamento precisa ser depois da abertura."
	}
	return hours.Interval{Open: open, Close: closing}, ""
}

// groupForm fills a form with g and its members.
func groupForm(g store.Group, members []int64) *views.Form {
	f := views.NewForm()
	f.Values = url.Values{"name": {g.Name}, "level": {g.Level}, "max_per_agent": {strconv.Itoa(g.MaxPerAgent)},
		"members": idStrings(members), "first_response_hours": {targetHours(g.FirstResponseTarget)},
		"resolution_hours": {targetHours(g.ResolutionTarget)}}
	if g.DepartmentID != 0 {
		f.Values.Set("department", strconv.FormatInt(g.DepartmentID, 10))
	}
	for d, ivs := range g.Hours {
		day := time.Weekday(d)
		if len(ivs) == 0 {
			f.Values.Set(views.HoursField(day, "closed"), "1")
		}
		for i, iv := range ivs[:min(len(ivs), 2)] {
			suffix := []string{"", "2"}[i]
			f.Values.Set(views.HoursField(day, "open"+suffix), iv.Open.String())
			f.Values.Set(views.HoursField(day, "close"+suffix), clockField(iv.Close))
		}
	}
	return f
}

// clockField shows a closing time in a time input, where midnight is 00:00.
func clockField(c hours.Clock) string {
	if c == hours.EndOfDay {
		return "00:00"
	}
	return c.String()
}

func groupSubject(id int64) string { return "group:" + strconv.FormatInt(id, 10) }
