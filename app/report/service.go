package report

import (
	"context"
	"errors"
	"time"

	"balcao/app/chat"
	"balcao/app/hours"
	"balcao/app/store"
)

// ErrNotAllowed is returned to someone who does not supervise (a clerk).
var ErrNotAllowed = errors.New("report: not allowed")

// Service gathers what reports need from the store and computes them.
type Service struct {
	Store *store.Store
}

// Names reads the labels of groups, departments and users.
func (s *Service) Names(ctx context.Context) (Names, error) {
	n := Names{Groups: map[int64]string{}, GroupDept: map[int64]int64{}, Departments: map[int64]string{}, Users: map[int64]string{}}
	groups, err := s.Store.ListGroups(ctx)
	if err != nil {
		return n, err
	}
	for _, g := range groups {
		n.Groups[g.ID], n.GroupDept[g.ID] = g.Name, g.DepartmentID
	}
	deps, err := s.Store.ListDepartments(ctx)
	if err != nil {
		return n, err
	}
	for _, d := range deps {
		n.Departments[d.ID] = d.Name
	}
	users, err := s.Store.ListUsers(ctx)
	if err != nil {
		return n, err
	}
	for _, u := range users {
		n.Users[u.ID] = u.Name
	}
	return n, nil
}

// Report computes the Relatórios of f for a supervisor.
func (s *Service) Report(ctx context.Context, a chat.Actor, f Filter) (Report, error) {
	if !a.Supervises() {
		return Report{}, ErrNotAllowed
	}
	names, err := s.Names(ctx)
	if err != nil {
		return Report{}, err
	}
	arts, err := s.Store.ListArticles(ctx)
	if err != nil {
		return Report{}, err
	}
	in := Input{Filter: f, Articles: arts, Names: names, Now: s.Store.Now(), Loc: hours.SaoPaulo()}
	b := newBuilder(&in)
	if in.BotOnly, err = s.Store.ScanReportFacts(ctx, f.From, f.To, b.opened, b.closed); err != nil {
		return Report{}, err
	}
	return b.finish(), nil
}

// Annual computes the annual report of the ouvidoria for year (the city's calendar year).
func (s *Service) Annual(ctx context.Context, a chat.Actor, year int) (Annual, error) {
	if !a.Supervises() {
		return Annual{}, ErrNotAllowed
	}
	names, err := s.Names(ctx)
	if err != nil {
		return Annual{}, err
	}
	from, to := YearRange(year)
	b := newAnnualBuilder(year, names, s.Store.Now())
	if _, err := s.Store.ScanReportFacts(ctx, from, to, b.add, nil); err != nil {
		return Annual{}, err
	}
	return b.finish(), nil
}

// YearRange is [1 January of year, 1 January of the next) in the city, Unix ms.
func YearRange(year int) (from, to int64) {
	loc := hours.SaoPaulo()
	return time.Date(year, 1, 1, 0, 0, 0, 0, loc).UnixMilli(), time.Date(year+1, 1, 1, 0, 0, 0, 0, loc).UnixMilli()
}
