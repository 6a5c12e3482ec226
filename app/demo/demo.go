// Package demo fills an empty database with a fictional small city
// (Prefeitura de Vale Verde - SP) so a newcomer can look around at once.
package demo

import (
	"context"
	"fmt"
	"time"

	"balcao/app/auth"
	"balcao/app/bot"
	"balcao/app/hours"
	"balcao/app/store"
)

// Credential is a demo account printed at start.
type Credential struct {
	Role, Name, Email, Password string
}

// Password is the known password of every demo account.
const Password = "demo12345"

// People are the demo team.
var People = []Credential{
	{Role: store.RoleAdmin, Name: "Ana Administradora", Email: "admin@valeverde.sp.gov.br"},
	{Role: store.RoleOuvidor, Name: "Otávio Ouvidor", Email: "ouvidoria@valeverde.sp.gov.br"},
	{Role: store.RoleAgent, Name: "Carla Atendente", Email: "carla@valeverde.sp.gov.br"},
	{Role: store.RoleAgent, Name: "Bruno Atendente", Email: "bruno@valeverde.sp.gov.br"},
	{Role: store.RoleAgent, Name: "Júlia Saneamento", Email: "julia@valeverde.sp.gov.br"},
	{Role: store.RoleAgent, Name: "Diego Obras", Email: "diego@valeverde.sp.gov.br"},
	{Role: store.RoleAgent, Name: "Fernanda Saúde", Email: "fernanda@valeverde.sp.gov.br"},
}

// department is a demo secretaria and the e-mails of the people in it.
type department struct {
	Name, Description string
	Members           []string
}

var departments = []department{
	{"Atendimento Geral", "Primeiro atendimento da Prefeitura: informações, protocolos e encaminhamentos.",
		[]string{"carla@valeverde.sp.gov.br", "bruno@valeverde.sp.gov.br"}},
	{"Serviço Autônomo de Água e Esgoto (SAAE)", "Contas de água, segunda via, ligações novas, vazamentos e falta d'água.",
		[]string{"julia@valeverde.sp.gov.br", "bruno@valeverde.sp.gov.br"}},
	{"Ouvidoria Geral", "Reclamações, denúncias, sugestões e elogios (Lei 13.460/2017).",
		[]string{"ouvidoria@valeverde.sp.gov.br"}},
	{"Secretaria de Obras e Iluminação", "Iluminação pública, buracos, poda de árvores e limpeza urbana.",
		[]string{"diego@valeverde.sp.gov.br"}},
	{"Secretaria de Saúde", "Unidades básicas de saúde, agendamentos e campanhas de vacinação.",
		[]string{"fernanda@valeverde.sp.gov.br"}},
}

// group is a demo grupo de atendimento.
type group struct {
	Name, Department, Level string
	MaxPerAgent             int
	Hours                   hours.Week
	Members                 []string
	// FirstResponse and Resolution are the group's targets in business
	// minutes (manifestations follow the legal terms of their kind instead).
	FirstResponse, Resolution int
}

func hm(h, m int) hours.Clock { return hours.Clock(h*60 + m) }

// weekdays opens Monday to Friday with intervals, and Saturday with saturday (if any).
func weekdays(saturday []hours.Interval, intervals ...hours.Interval) hours.Week {
	w := hours.WeekdaysFrom(intervals...)
	w[time.Saturday] = saturday
	return w
}

var (
	office      = hours.Interval{Open: hm(8, 0), Close: hm(17, 0)}
	saturdayAM  = []hours.Interval{{Open: hm(8, 0), Close: hm(12, 0)}}
	morning     = hours.Interval{Open: hm(8, 0), Close: hm(11, 30)}
	afternoon   = hours.Interval{Open: hm(13, 0), Close: hm(17, 0)}
	fieldCrew   = hours.Interval{Open: hm(7, 0), Close: hm(16, 0)}
	waterPlant  = hours.Interval{Open: hm(7, 0), Close: hm(19, 0)}
	healthUnits = hours.Interval{Open: hm(7, 0), Close: hm(18, 0)}
)

var groups = []group{
	{"Atendimento geral", "Atendimento Geral", store.LevelN1, 5, weekdays(saturdayAM, office),
		[]string{"carla@valeverde.sp.gov.br", "bruno@valeverde.sp.gov.br"}, 30, 16 * 60},
	{"Água — Segunda via", "Serviço Autônomo de Água e Esgoto (SAAE)", store.LevelN1, 6, weekdays(saturdayAM, office),
		[]string{"julia@valeverde.sp.gov.br", "bruno@valeverde.sp.gov.br"}, 60, 8 * 60},
	{"Água — Vazamentos", "Serviço Autônomo de Água e Esgoto (SAAE)", store.LevelN2, 4, weekdays(saturdayAM, waterPlant),
		[]string{"julia@valeverde.sp.gov.br"}, 60, 24 * 60},
	{"Ouvidoria — Manifestações", "Ouvidoria Geral", store.LevelN2, 3, weekdays(nil, morning, afternoon),
		[]string{"ouvidoria@valeverde.sp.gov.br"}, 4 * 60, 40 * 60},
	{"Iluminação pública", "Secretaria de Obras e Iluminação", store.LevelN3, 3, weekdays(nil, fieldCrew),
		[]string{"diego@valeverde.sp.gov.br"}, 8 * 60, 72 * 60},
	{"Saúde — Agendamentos", "Secretaria de Saúde", store.LevelN1, 5, weekdays(nil, healthUnits),
		[]string{"fernanda@valeverde.sp.gov.br"}, 60, 16 * 60},
}

// Seed creates the demo data in an empty database and returns the accounts.
// On a database that already has users it changes nothing.
func Seed(ctx context.Context, st *store.Store) ([]Credential, error) {
	n, err := st.CountUsers(ctx)
	if err != nil {
		return nil, err
	}
	creds := make([]Credential, len(People))
	for i, p := range People {
		p.Password = Password
		creds[i] = p
	}
	if n > 0 {
		return creds, seedBot(ctx, st)
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	deptIDs := map[string]int64{}
	for _, d := range departments {
		created, err := st.CreateDepartment(ctx, store.Department{Name: d.Name, Description: d.Description})
		if err != nil {
			return nil, fmt.Errorf("demo department %s: %w", d.Name, err)
		}
		deptIDs[d.Name] = created.ID
	}
	userIDs := map[string]int64{}
	for _, p := range People {
		var ids []int64
		for _, d := range departments {
			for _, m := range d.Members {
				if m == p.Email {
					ids = append(ids, deptIDs[d.Name])
				}
			}
		}
		u, err := st.CreateUserWithDepartments(ctx, store.User{Name: p.Name, Email: p.Email, PasswordHash: hash, Role: p.Role}, ids)
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", p.Email, err)
		}
		userIDs[p.Email] = u.ID
	}
	for _, g := range groups {
		members := make([]int64, len(g.Members))
		for i, m := range g.Members {
			members[i] = userIDs[m]
		}
		_, err := st.CreateGroup(ctx, store.Group{Name: g.Name, DepartmentID: deptIDs[g.Department], Level: g.Level,
			MaxPerAgent: g.MaxPerAgent, Hours: g.Hours, FirstResponseTarget: g.FirstResponse, ResolutionTarget: g.Resolution}, members)
		if err != nil {
			return nil, fmt.Errorf("demo group %s: %w", g.Name, err)
		}
	}
	return creds, seedBot(ctx, st)
}

// seedBot gives the demo the default menu and knowledge base, handing
// tickets to the demo's groups (a database that has a menu keeps it).
func seedBot(ctx context.Context, st *store.Store) error {
	list, err := st.ListGroups(ctx)
	if err != nil {
		return fmt.Errorf("demo bot: %w", err)
	}
	ids := make(map[string]int64, len(list))
	for _, g := range list {
		ids[g.Name] = g.ID
	}
	return bot.SeedDefaults(ctx, st, ids)
}
