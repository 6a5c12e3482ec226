package web_test

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"balcao/app/hours"
	"balcao/app/store"
	"balcao/app/testutil"
)

// reportEnv is a small history in March of last year: two groups, one of
// them with a name that needs quoting in CSV.
type reportEnv struct {
	adminEnv
	year         int
	obras, saude int64
	clerk        store.User
}

func newReportEnv(t *testing.T) reportEnv {
	t.Helper()
	e := reportEnv{adminEnv: newAdminEnv(t), year: time.Now().Year() - 1}
	e.clerk = testutil.AddUser(t, e.st, store.RoleAgent, "clara@valeverde.example", password)
	for _, g := range []struct {
		dep, name string
		id        *int64
	}{{"Obras", `Obras; "Buracos"`, &e.obras}, {"Saúde", "Saúde — Agendamentos", &e.saude}} {
		dep, err := e.st.CreateDepartment(ctx, store.Department{Name: g.dep})
		if err != nil {
			t.Fatal(err)
		}
		gr, err := e.st.CreateGroup(ctx, store.Group{Name: g.name, DepartmentID: dep.ID, Level: store.LevelN1, MaxPerAgent: 5}, nil)
		if err != nil {
			t.Fatal(err)
		}
		*g.id = gr.ID
	}
	at := func(d, h, m int) int64 { return time.Date(e.year, 3, d, h, m, 0, 0, hours.SaoPaulo()).UnixMilli() }
	clerk := strconv.FormatInt(e.clerk.ID, 10)
	closed := func(group int64, kind string, d, h int, waitMin, holdMin int64, score int) store.BulkTicket {
		open := at(d, h, 0)
		taken := open + waitMin*60_000
		end := taken + holdMin*60_000
		return store.BulkTicket{Contact: 0, Status: store.TicketClosed, Kind: kind, GroupID: group, AssigneeID: e.clerk.ID,
			Subject: "Serviços › Buraco na rua", CreatedAt: open, LastMessageAt: end, ClosedAt: end, FirstResponseAt: taken + 60_000,
			Score: score, Events: []store.BulkEvent{{At: open, Kind: "status", To: "em_fila"},
				{At: taken, Kind: "assign", To: clerk}, {At: taken, Kind: "status", From: "em_fila", To: "em_atendimento"},
				{At: end, Kind: "status", From: "em_atendimento", To: "encerrado"}}}
	}
	tickets := []store.BulkTicket{
		closed(e.obras, "reclamacao", 2, 9, 10, 30, 5),  // TMA 30 min
		closed(e.obras, "reclamacao", 3, 10, 20, 50, 4), // TMA 50 min
		closed(e.saude, "solicitacao", 4, 15, 5, 20, 0), // TMA 20 min
	}
	if _, err := e.st.InsertBulk(ctx, []store.BulkContact{{WaID: "5514999990001", ProfileName: "Maria", CreatedAt: at(1, 8, 0)}}, tickets); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e reportEnv) march() string {
	return "de=" + strconv.Itoa(e.year) + "-03-01&ate=" + strconv.Itoa(e.year) + "-03-31"
}

func TestRelatoriosPage(t *testing.T) {
	e := newReportEnv(t)
	cases := []struct {
		name, query string
		status      int
		want, not   []string
	}{
		{"march", e.march(), http.StatusOK,
			[]string{`id="grafico-dias"`, "<title id=\"grafico-dias-titulo\">Protocolos abertos e encerrados por dia</title>", `id="mapa-horas"`,
				"Saúde — Agendamentos", "Obras; &#34;Buracos&#34;", "33 min 20 s", "4,50 de 5 (2 respostas)", "As campanhas",
				`href="/relatorios/csv/tipos?`, "Como cada número é calculado"}, nil},
		{"group filter", e.march() + "&grupo=" + strconv.FormatInt(e.saude, 10), http.StatusOK,
			[]string{"20 min 00 s", "Saúde — Agendamentos"}, []string{"33 min 20 s"}},
		{"kind filter", e.march() + "&tipo=reclamacao", http.StatusOK, []string{"40 min 00 s"}, nil},
		{"default period", "", http.StatusOK, []string{`id="periodo"`, `id="grafico-dias"`}, nil},
		{"bad date", "de=2026-13-45", http.StatusUnprocessableEntity, []string{`id="e-de"`}, []string{`id="grafico-dias"`}},
		{"end before start", "de=2026-03-10&ate=2026-03-01", http.StatusUnprocessableEntity, []string{`id="e-ate"`}, nil},
		{"too long", "de=2000-01-01&ate=2026-03-01", http.StatusUnprocessableEntity, []string{`id="e-de"`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.c.Get("/relatorios?" + c.query)
			if res.Status != c.status {
				t.Fatalf("status %d, want %d", res.Status, c.status)
			}
			for _, w := range c.want {
				if !strings.Contains(res.Body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, n := range c.not {
				if strings.Contains(res.Body, n) {
					t.Errorf("page has %q", n)
				}
			}
		})
	}
	if msg := e.c.Get("/relatorios?de=2026-03-10&ate=2026-03-01").FieldError("ate"); msg != "A data final é anterior à inicial." {
		t.Errorf("field error %q", msg)
	}
}

func TestRelatoriosCSV(t *testing.T) {
	e := newReportEnv(t)
	cases := []struct {
		name, path string
		sep        rune
		header     []string
		rows       int
		first      []string
	}{
		{"groups, comma", "/relatorios/csv/grupos?" + e.march(), ',', []string{"Grupo", "Abertos", "Encerrados"}, 2,
			[]string{`Obras; "Buracos"`, "2", "2"}},
		{"groups, semicolon", "/relatorios/csv/grupos?" + e.march() + "&sep=;", ';', []string{"Grupo", "Abertos", "Encerrados"}, 2,
			[]string{`Obras; "Buracos"`, "2", "2"}},
		{"times in minutes", "/relatorios/csv/tempos?" + e.march() + "&sep=%3B", ';',
			[]string{"Tempo", "Protocolos", "Média", "Mediana", "90º percentil"}, 4, []string{"Primeira resposta humana", "3", "12,7", "11,0", "21,0"}},
		{"annual kinds", "/relatorios/anual/csv/tipos?ano=" + strconv.Itoa(e.year), ',', []string{"Tipo", "Protocolos", "%"}, 2,
			[]string{"Reclamação", "2", "66,7"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.c.Get(c.path)
			if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("status %d, type %q: %s", res.Status, res.Header.Get("Content-Type"), res.Body)
			}
			if !strings.HasPrefix(res.Body, "\uFEFF") {
				t.Fatalf("no byte order mark: %q", res.Body[:min(10, len(res.Body))])
			}
			r := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\uFEFF")))
			r.Comma = c.sep
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(recs[0], "|") != strings.Join(c.header, "|") || len(recs) != c.rows+1 ||
				strings.Join(recs[1], "|") != strings.Join(c.first, "|") {
				t.Errorf("got %q", recs)
			}
		})
	}
	if res := e.c.Get("/relatorios/csv/nada?" + e.march()); res.Status != http.StatusNotFound {
		t.Errorf("unknown table: %d", res.Status)
	}
	if res := e.c.Get("/relatorios/csv/grupos?de=ontem"); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad date: %d", res.Status)
	}
}

func TestRelatoriosAnual(t *testing.T) {
	e := newReportEnv(t)
	res := e.c.Get("/relatorios/anual?ano=" + strconv.Itoa(e.year))
	for _, w := range []string{"Relatório anual de gestão da ouvidoria — " + strconv.Itoa(e.year), "Lei nº 13.460/2017", "Reclamação",
		"Palavras mais frequentes", "buraco", "window.print()"} {
		if !strings.Contains(res.Body, w) {
			t.Errorf("annual report lacks %q", w)
		}
	}
	if res := e.c.Get("/relatorios/anual?ano=1900"); res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Ano inválido") {
		t.Errorf("year 1900: %d", res.Status)
	}
}

func TestRelatoriosOnlyForSupervisors(t *testing.T) {
	e := newReportEnv(t)
	clerk := testutil.NewClient(t, e.ts)
	clerk.Login("clara@valeverde.example", password)
	sup := e.as(t, store.RoleSupervisor, "sueli@valeverde.example")
	for _, path := range []string{"/relatorios", "/relatorios/csv/grupos", "/relatorios/anual", "/relatorios/anual/csv/tipos"} {
		if res := clerk.Get(path); res.Status != http.StatusForbidden {
			t.Errorf("clerk %s: %d, want 403", path, res.Status)
		}
		if res := sup.Get(path); res.Status != http.StatusOK {
			t.Errorf("supervisor %s: %d, want 200", path, res.Status)
		}
	}
}
