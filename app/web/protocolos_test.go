package web_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"balcao/app/hours"
	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/app/testutil"
)

// searchFixture is a small city's tickets for the Protocolos tests.
type searchFixture struct {
	adminEnv
	agua, ouvidoria  int64 // groups
	saae, ouvDept    int64 // departments
	carla            store.User
	maria, joao, ped int64 // contacts
	// protocols by name: reclamacao (Maria, água), fila (João), anonima (Pedro), chat (Maria, ouvidoria)
	p map[string]string
	// ids by name
	id map[string]int64
}

const day = 24 * time.Hour

func newSearchFixture(t *testing.T) searchFixture {
	t.Helper()
	f := searchFixture{adminEnv: newAdminEnv(t), p: map[string]string{}, id: map[string]int64{}}
	week := hours.WeekdaysFrom(hours.Interval{Open: 480, Close: 1020})
	f.carla = testutil.AddUser(t, f.st, store.RoleAgent, "carla@valeverde.example", password)
	for _, d := range []struct {
		dep, group string
		depID, grp *int64
	}{{"SAAE", "Água", &f.saae, &f.agua}, {"Ouvidoria Geral", "Ouvidoria", &f.ouvDept, &f.ouvidoria}} {
		dep, err := f.st.CreateDepartment(ctx, store.Department{Name: d.dep})
		if err != nil {
			t.Fatal(err)
		}
		g, err := f.st.CreateGroup(ctx, store.Group{Name: d.group, DepartmentID: dep.ID, Level: store.LevelN1, MaxPerAgent: 5, Hours: week}, nil)
		if err != nil {
			t.Fatal(err)
		}
		*d.depID, *d.grp = dep.ID, g.ID
	}
	now := time.Now()
	ago := func(d time.Duration) int64 { return now.Add(-d).UnixMilli() }
	contacts := []store.BulkContact{
		{WaID: "5514999990001", ProfileName: "Maria S.", Name: "Maria Souza", CPF: "123.456.789-09", CreatedAt: ago(90 * day)},
		{WaID: "5514999990002", ProfileName: "João <b>negrito</b>", CreatedAt: ago(30 * day)},
		{WaID: "5514999990003", ProfileName: "Pedro Segredo", Name: "Pedro Segredo", CreatedAt: ago(20 * day)},
	}
	in := func(body string, at int64) []store.BulkMessage {
		return []store.BulkMessage{{Body: body, CreatedAt: at}}
	}
	names := []string{"reclamacao", "fila", "anonima", "chat"}
	tickets := []store.BulkTicket{
		{Contact: 0, Status: store.TicketClosed, Kind: "reclamacao", GroupID: f.agua, AssigneeID: f.carla.ID, Subject: "Ouvidoria › Reclamação",
			CreatedAt: ago(40 * day), LastMessageAt: ago(39 * day), ClosedAt: ago(39 * day), Messages: in("A água da minha rua está suja", ago(40*day))},
		{Contact: 1, Status: store.TicketQueued, Kind: "solicitacao", GroupID: f.agua, Subject: `<img src=x onerror=alert(1)>`,
			CreatedAt: ago(2 * day), LastMessageAt: ago(2 * day), Messages: in(`<script>alert(1)</script> buraco na praça`, ago(2*day))},
		{Contact: 2, Status: store.TicketNew, Kind: "denuncia", GroupID: f.ouvidoria, Identity: store.IdentitySigilosa, Subject: "Ouvidoria › Denúncia",
			CreatedAt: ago(1 * day), LastMessageAt: ago(1 * day), Messages: in("Obra irregular na esquina", ago(1*day))},
		{Contact: 0, Status: store.TicketInService, GroupID: f.ouvidoria, AssigneeID: f.carla.ID,
			CreatedAt: ago(10 * day), LastMessageAt: ago(1 * time.Hour), Messages: in("Iluminação apagada há uma semana", ago(10*day))},
	}
	ids, err := f.st.InsertBulk(ctx, contacts, tickets)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		f.id[n] = ids[i]
		var p string
		if err := f.st.R.QueryRow(`SELECT protocol FROM tickets WHERE id = ?`, ids[i]).Scan(&p); err != nil {
			t.Fatal(err)
		}
		f.p[n] = p
	}
	f.st.R.QueryRow(`SELECT contact_id FROM tickets WHERE id = ?`, ids[0]).Scan(&f.maria)
	f.st.R.QueryRow(`SELECT contact_id FROM tickets WHERE id = ?`, ids[1]).Scan(&f.joao)
	f.st.R.QueryRow(`SELECT contact_id FROM tickets WHERE id = ?`, ids[2]).Scan(&f.ped)
	return f
}

func TestProtocolosFilters(t *testing.T) {
	f := newSearchFixture(t)
	sp := hours.SaoPaulo()
	date := func(d time.Duration) string { return time.Now().Add(-d).In(sp).Format(time.DateOnly) }
	wrong := f.p["fila"][:10] + string('0'+(f.p["fila"][10]-'0'+1)%10)
	unknown, _ := protocol.New(2026, 999999)
	cases := []struct {
		name  string
		query url.Values
		want  string // names of the tickets listed, in order
		text  string // text the answer must contain
	}{
		{"everything, newest first", nil, "anonima fila chat reclamacao", ""},
		{"oldest first", url.Values{"ordem": {"antigos"}}, "reclamacao chat fila anonima", ""},
		{"last activity", url.Values{"ordem": {"atividade"}}, "chat anonima fila reclamacao", ""},
		{"protocol digits", url.Values{"protocolo": {f.p["fila"]}}, "fila", ""},
		{"protocol with separators", url.Values{"protocolo": {protocol.Display(f.p["reclamacao"])}}, "reclamacao", ""},
		{"wrong check digit", url.Values{"protocolo": {wrong}}, "", "O dígito verificador não confere"},
		{"not a protocol", url.Values{"protocolo": {"12345"}}, "", "não é um número de protocolo"},
		{"unknown protocol", url.Values{"protocolo": {unknown.String()}}, "", "Nenhum protocolo encontrado"},
		{"contact by name", url.Values{"contato": {"maria"}}, "chat reclamacao", ""},
		{"contact by profile name", url.Values{"contato": {"João"}}, "fila", ""},
		{"contact by number", url.Values{"contato": {"(14) 99999-0002"}}, "fila", ""},
		{"anonymous not found by name", url.Values{"contato": {"Pedro"}}, "", "Nenhum protocolo encontrado"},
		{"anonymous not found by number", url.Values{"contato": {"99990003"}}, "", "Nenhum protocolo encontrado"},
		{"kind", url.Values{"tipo": {"reclamacao"}}, "reclamacao", ""},
		{"plain chat", url.Values{"tipo": {"conversa"}}, "chat", ""},
		{"status", url.Values{"situacao": {"em_fila"}}, "fila", ""},
		{"group", url.Values{"grupo": {id(f.agua)}}, "fila reclamacao", ""},
		{"department", url.Values{"secretaria": {id(f.ouvDept)}}, "anonima chat", ""},
		{"assignee", url.Values{"responsavel": {id(f.carla.ID)}}, "chat reclamacao", ""},
		{"nobody", url.Values{"responsavel": {"ninguem"}}, "anonima fila", ""},
		{"from", url.Values{"de": {date(15 * day)}}, "anonima fila chat", ""},
		{"until", url.Values{"ate": {date(5 * day)}}, "chat reclamacao", ""},
		{"range", url.Values{"de": {date(15 * day)}, "ate": {date(5 * day)}}, "chat", ""},
		{"bad date", url.Values{"de": {"31/02/2026"}}, "", "Data inválida"},
		{"text without accents", url.Values{"texto": {"agua"}}, "reclamacao", ""},
		{"text with accents", url.Values{"texto": {"ILUMINAÇÃO apagada"}}, "chat", ""},
		{"text in subject", url.Values{"texto": {"reclamacao"}}, "reclamacao", ""},
		{"text is whole words", url.Values{"texto": {"esqui"}}, "", "Nenhum protocolo encontrado"},
		{"text operators are words", url.Values{"texto": {`"agua" OR NEAR(`}}, "", "Nenhum protocolo encontrado"},
		{"filters combine", url.Values{"grupo": {id(f.agua)}, "situacao": {"encerrado"}}, "reclamacao", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := f.c.Get("/protocolos?" + c.query.Encode())
			if res.Status != http.StatusOK {
				t.Fatalf("status %d", res.Status)
			}
			if got := listedOrder(f, res.Body); got != c.want {
				t.Errorf("order %q, want %q", got, c.want)
			}
			if c.text != "" && !strings.Contains(html.UnescapeString(res.Body), c.text) {
				t.Errorf("answer lacks %q", c.text)
			}
		})
	}
}

// listedOrder returns the fixture's tickets in the order the results list them.
func listedOrder(f searchFixture, body string) string {
	type at struct {
		n string
		i int
	}
	var found []at
	for _, n := range []string{"reclamacao", "fila", "anonima", "chat"} {
		if i := strings.Index(body, `>`+protocol.Display(f.p[n])+`<`); i >= 0 {
			found = append(found, at{n, i})
		}
	}
	for i := range found {
		for j := i + 1; j < len(found); j++ {
			if found[j].i < found[i].i {
				found[i], found[j] = found[j], found[i]
			}
		}
	}
	var out []string
	for _, a := range found {
		out = append(out, a.n)
	}
	return strings.Join(out, " ")
}

// A sigilosa ticket shows no name, number or contact link; citizen text is escaped.
func TestProtocolosIdentityAndEscaping(t *testing.T) {
	f := newSearchFixture(t)
	res := f.c.Get("/protocolos")
	if !strings.Contains(res.Body, "Manifestante protegido") {
		t.Error("sigilosa ticket lacks Manifestante protegido")
	}
	for _, leak := range []string{"Pedro", "99990003", "/contatos/" + id(f.ped)} {
		if strings.Contains(res.Body, leak) {
			t.Errorf("results show %q of an anonymous ticket", leak)
		}
	}
	for _, want := range []string{"Maria Souza", "/contatos/" + id(f.maria), "+55 (14) 99999-0001", "Reclamação", "Encerrado", "Na fila", "Água", "carla"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("results lack %q", want)
		}
	}
	for _, raw := range []string{"<b>negrito</b>", "<img src=x", "<script>alert"} {
		if strings.Contains(res.Body, raw) {
			t.Errorf("citizen text %q unescaped", raw)
		}
	}
	if !strings.Contains(res.Body, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Error("subject not shown escaped")
	}
	if !strings.Contains(res.Body, `href="/atendimentos/`+id(f.id["fila"])+`"`) {
		t.Error("no link to the conversation")
	}
}

// htmx gets the results only; a plain request the whole page.
func TestProtocolosFragment(t *testing.T) {
	f := newSearchFixture(t)
	req, _ := http.NewRequest(http.MethodGet, f.ts.URL+"/protocolos?situacao=em_fila", nil)
	req.Header.Set("HX-Request", "true")
	res, err := f.c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	body := string(b)
	if strings.Contains(body, "<html") || !strings.HasPrefix(strings.TrimSpace(body), `<section id="resultados"`) {
		t.Errorf("htmx answer is not the results fragment: %.80s", body)
	}
	if got := listedOrder(f, body); got != "fila" {
		t.Errorf("fragment lists %q", got)
	}
	if page := f.c.Get("/protocolos?situacao=em_fila"); !strings.Contains(page.Body, "<html") || !strings.Contains(page.Body, `value="em_fila" selected`) {
		t.Error("plain request is not the page with its filters kept")
	}
}

var nextRe = regexp.MustCompile(`<a href="([^"]+)" rel="next"`)
var protoRe = regexp.MustCompile(`class="protocol-number"><a href="[^"]+">([^<]+)</a>`)

// Pages follow one another without a ticket repeated or skipped, ties in
// created_at included, in every order.
func TestProtocolosPagination(t *testing.T) {
	e := newAdminEnv(t)
	base := time.Now().Add(-100 * day)
	var tickets []store.BulkTicket
	for i := range 137 {
		at := base.Add(time.Duration(i/3) * time.Hour).UnixMilli() // three tickets a time: ties
		tickets = append(tickets, store.BulkTicket{Status: store.TicketClosed, Kind: "sugestao", CreatedAt: at,
			LastMessageAt: at + int64((i*7919)%137)*1000})
	}
	if _, err := e.st.InsertBulk(ctx, []store.BulkContact{{WaID: "5514999990009", CreatedAt: base.UnixMilli()}}, tickets); err != nil {
		t.Fatal(err)
	}
	for _, order := range []string{"recentes", "antigos", "atividade"} {
		t.Run(order, func(t *testing.T) {
			seen := map[string]bool{}
			path := "/protocolos?ordem=" + order
			pages := 0
			for path != "" {
				res := e.c.Get(path)
				pages++
				rows := protoRe.FindAllStringSubmatch(res.Body, -1)
				if len(rows) == 0 || len(rows) > 50 {
					t.Fatalf("page %d: %d rows", pages, len(rows))
				}
				for _, r := range rows {
					if seen[r[1]] {
						t.Fatalf("page %d repeats %s", pages, r[1])
					}
					seen[r[1]] = true
				}
				path = ""
				if m := nextRe.FindStringSubmatch(res.Body); m != nil {
					path = html.UnescapeString(m[1])
					if !strings.Contains(path, "ordem="+order) {
						t.Fatalf("next page loses the order: %s", path)
					}
				}
			}
			if pages != 3 || len(seen) != 137 {
				t.Errorf("%d pages, %d tickets; want 3 pages, 137", pages, len(seen))
			}
		})
	}
}

// The contact page: profile, answers, every ticket but the anonymous ones.
func TestContato(t *testing.T) {
	f := newSearchFixture(t)
	if _, err := f.st.W.Exec(`INSERT INTO contact_answers (contact_id, ticket_id, key, label, value, created_at) VALUES
		(?1, ?2, 'descricao', 'Descrição', 'Vazamento <b>grande</b>', 1), (?3, ?4, 'descricao', 'Descrição', 'Obra do vizinho', 1)`,
		f.maria, f.id["reclamacao"], f.ped, f.id["anonima"]); err != nil {
		t.Fatal(err)
	}
	res := f.c.Get("/contatos/" + id(f.maria))
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	closed := time.Now().Add(-39 * day).In(hours.SaoPaulo()).Format("02/01/2006")
	for _, want := range []string{"Maria Souza", "Maria S.", "123.456.789-09", "+55 (14) 99999-0001", "Recebe mensagens", "Encerrado em", closed,
		"Vazamento &lt;b&gt;grande&lt;/b&gt;", protocol.Display(f.p["reclamacao"]), protocol.Display(f.p["chat"]),
		`href="/atendimentos/` + id(f.id["chat"]) + `"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("contact page lacks %q", want)
		}
	}

	// Pedro's only ticket is anonymous: neither it nor what he told the bot for it shows.
	res = f.c.Get("/contatos/" + id(f.ped))
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	for _, leak := range []string{protocol.Display(f.p["anonima"]), "Obra do vizinho", "/atendimentos/" + id(f.id["anonima"])} {
		if strings.Contains(res.Body, leak) {
			t.Errorf("contact page shows %q of an anonymous ticket", leak)
		}
	}
	if !strings.Contains(res.Body, "Nenhum protocolo.") {
		t.Error("contact page lacks Nenhum protocolo.")
	}

	if _, err := f.st.W.Exec(`UPDATE contacts SET opted_out = 1 WHERE id = ?`, f.joao); err != nil {
		t.Fatal(err)
	}
	if res := f.c.Get("/contatos/" + id(f.joao)); !strings.Contains(res.Body, `id="descadastrado"`) || strings.Contains(res.Body, "<b>negrito") {
		t.Error("opted-out contact: flag missing or name unescaped")
	}
	for _, p := range []string{"/contatos/999999", "/contatos/x"} {
		if res := f.c.Get(p); res.Status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, res.Status)
		}
	}
}
