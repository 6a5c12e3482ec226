package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"balcao/app/hours"
	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/app/testutil"
)

// identityFixture is a citizen with a sigilosa denúncia (which carried his
// CPF as a bot answer) and an older, normal request, and one browser per role.
type identityFixture struct {
	adminEnv
	group, pedro     int64
	sigilosa, normal int64
	pSig, pNormal    string
	anonima          int64
	// browsers by role (the admin is adminEnv's c)
	as      map[string]*testutil.Client
	ouvidor store.User
}

const (
	pedroName = "Pedro Segredo"
	pedroCPF  = "529.982.247-25"
	sigStory  = "Obra irregular na esquina da escola"
	normStory = "Buraco na rua das Palmeiras"
)

func newIdentityFixture(t *testing.T) identityFixture {
	t.Helper()
	f := identityFixture{adminEnv: newAdminEnv(t), as: map[string]*testutil.Client{}}
	dep, err := f.st.CreateDepartment(ctx, store.Department{Name: "Ouvidoria Geral"})
	if err != nil {
		t.Fatal(err)
	}
	agent := testutil.AddUser(t, f.st, store.RoleAgent, "bia@valeverde.example", password)
	g, err := f.st.CreateGroup(ctx, store.Group{Name: "Ouvidoria", DepartmentID: dep.ID, Level: store.LevelN1, MaxPerAgent: 5,
		Hours: hours.WeekdaysFrom(hours.Interval{Open: 480, Close: 1020})}, []int64{agent.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.group = g.ID
	f.as[store.RoleAgent] = testutil.NewClient(t, f.ts)
	f.as[store.RoleAgent].Login("bia@valeverde.example", password)
	f.as[store.RoleSupervisor] = f.adminEnv.as(t, store.RoleSupervisor, "sara@valeverde.example")
	f.ouvidor = testutil.AddUser(t, f.st, store.RoleOuvidor, "otavio@valeverde.example", password)
	f.as[store.RoleOuvidor] = testutil.NewClient(t, f.ts)
	f.as[store.RoleOuvidor].Login("otavio@valeverde.example", password)
	f.as[store.RoleAdmin] = f.c

	now := time.Now()
	ago := func(d time.Duration) int64 { return now.Add(-d).UnixMilli() }
	ids, err := f.st.InsertBulk(ctx, []store.BulkContact{{WaID: "5514999990003", ProfileName: "Pedrinho", Name: pedroName, CPF: pedroCPF, CreatedAt: ago(40 * day)}},
		[]store.BulkTicket{
			{Contact: 0, Status: store.TicketClosed, Kind: "solicitacao", GroupID: g.ID, Subject: "Ruas › Buraco",
				CreatedAt: ago(30 * day), LastMessageAt: ago(29 * day), ClosedAt: ago(29 * day),
				Messages: []store.BulkMessage{{Body: normStory, CreatedAt: ago(30 * day)}}},
			{Contact: 0, Status: store.TicketQueued, Kind: "denuncia", GroupID: g.ID, Identity: store.IdentitySigilosa, Subject: "Ouvidoria › Denúncia",
				CreatedAt: ago(time.Hour), LastMessageAt: ago(time.Hour),
				Messages: []store.BulkMessage{{Out: true, Body: "Olá, Pedro! 👋 Sou o assistente virtual da Prefeitura.", CreatedAt: ago(time.Hour) - 1},
					{Body: sigStory, CreatedAt: ago(time.Hour)}, {Body: pedroCPF, CreatedAt: ago(time.Hour) + 1}}},
		})
	if err != nil {
		t.Fatal(err)
	}
	f.normal, f.sigilosa = ids[0], ids[1]
	var cpfMsg int64
	if err := f.st.R.QueryRow(`SELECT contact_id FROM tickets WHERE id = ?`, f.sigilosa).Scan(&f.pedro); err != nil {
		t.Fatal(err)
	}
	if err := f.st.R.QueryRow(`SELECT id FROM messages WHERE ticket_id = ? AND body = ?`, f.sigilosa, pedroCPF).Scan(&cpfMsg); err != nil {
		t.Fatal(err)
	}
	if err := f.st.AddContactAnswers(ctx, []store.ContactAnswer{
		{ContactID: f.pedro, TicketID: f.sigilosa, Key: "descricao", Label: "Descreva", Value: sigStory},
		{ContactID: f.pedro, TicketID: f.sigilosa, Key: "cpf", Label: "Seu CPF", Value: pedroCPF, MessageID: cpfMsg, Identifying: true},
	}); err != nil {
		t.Fatal(err)
	}
	anon, err := f.st.CreateAPITicket(ctx, store.APINewTicket{Kind: "denuncia", Subject: "Descarte irregular", Description: "Entulho no córrego", Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	f.anonima = anon.ID
	for id, p := range map[int64]*string{f.sigilosa: &f.pSig, f.normal: &f.pNormal} {
		if err := f.st.R.QueryRow(`SELECT protocol FROM tickets WHERE id = ?`, id).Scan(p); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// as_ is adminEnv.as, named apart from the role map.
func (f identityFixture) as_(t *testing.T, role, email string) *testutil.Client {
	return f.adminEnv.as(t, role, email)
}

// Every role sees a sigilosa ticket masked everywhere: the ouvidor too, until
// an audited reveal; only the ouvidor's searches and Contato page find it.
func TestSigilosaMaskedForEveryRole(t *testing.T) {
	f := newIdentityFixture(t)
	sig, norm := protocol.Display(f.pSig), protocol.Display(f.pNormal)
	leaks := []string{pedroName, "Pedrinho", "99990003", pedroCPF, "Olá, Pedro"}
	roles := []string{store.RoleAgent, store.RoleSupervisor, store.RoleAdmin, store.RoleOuvidor}
	type page struct {
		name, path string
		// want and absent by whether the viewer is the ouvidor
		want, absent map[bool][]string
	}
	both := func(s ...string) map[bool][]string { return map[bool][]string{false: s, true: s} }
	pages := []page{
		{"the sigilosa ticket screen", "/atendimentos/" + id(f.sigilosa),
			map[bool][]string{false: {"Manifestante protegido", "dado protegido", sigStory, "Sigilosa", "Olá, [dado protegido]!"},
				true: {"Manifestante protegido", "dado protegido", sigStory, "Ver identidade", "Olá, [dado protegido]!"}},
			map[bool][]string{false: append([]string{normStory, "Ver identidade"}, leaks...), true: append([]string{normStory}, leaks...)}},
		{"the same citizen's other ticket", "/atendimentos/" + id(f.normal),
			both(pedroName, normStory), both(sigStory, "Manifestante protegido", "Ver identidade")},
		{"Atendimentos", "/atendimentos", both("Manifestante protegido"), both(leaks...)},
		{"Protocolos", "/protocolos", both("Manifestante protegido", sig, norm, pedroName), both(pedroCPF, "/contatos/"+id(f.pedro)+`">Manifestante`)},
		{"Protocolos by the citizen's name", "/protocolos?" + url.Values{"contato": {"Pedro"}}.Encode(),
			map[bool][]string{false: {norm}, true: {norm, sig, "Manifestante protegido"}}, map[bool][]string{false: {sig}, true: nil}},
		{"Protocolos by the citizen's number", "/protocolos?" + url.Values{"contato": {"14999990003"}}.Encode(),
			map[bool][]string{false: {norm}, true: {norm, sig}}, map[bool][]string{false: {sig}, true: nil}},
		{"Contato", "/contatos/" + id(f.pedro),
			map[bool][]string{false: {pedroName, norm}, true: {pedroName, norm, sig, "Sigilosa"}},
			map[bool][]string{false: {sig, "Ouvidoria › Denúncia", "Seu CPF"}, true: nil}},
		{"the anônima ticket screen", "/atendimentos/" + id(f.anonima), both("Manifestante anônimo", "Anônima", "Entulho no córrego"),
			both("Ver identidade", "anonimo")},
	}
	for _, role := range roles {
		ouvidor := role == store.RoleOuvidor
		for _, p := range pages {
			t.Run(role+"/"+p.name, func(t *testing.T) {
				res := f.as[role].Get(p.path)
				if res.Status != http.StatusOK {
					t.Fatalf("status %d", res.Status)
				}
				for _, w := range p.want[ouvidor] {
					if !strings.Contains(res.Body, w) {
						t.Errorf("missing %q", w)
					}
				}
				for _, a := range p.absent[ouvidor] {
					if strings.Contains(res.Body, a) {
						t.Errorf("shows %q", a)
					}
				}
			})
		}
	}
	// The ouvidor's searches and Contato page tied the ticket to Pedro: each
	// is in the audit log (two searches and one Contato page).
	if n := countRows(t, f.st, `SELECT count(*) FROM audit_events WHERE action = 'identity.reveal' AND subject = ? AND user_id = ?`, f.pSig, f.ouvidor.ID); n != 3 {
		t.Errorf("%d reveals recorded for the ouvidor's searches and Contato page, want 3", n)
	}
	if n := countRows(t, f.st, `SELECT count(*) FROM audit_events WHERE action = 'identity.reveal' AND user_id <> ?`, f.ouvidor.ID); n != 0 {
		t.Errorf("%d reveals recorded for other roles", n)
	}
}

// "Ver identidade" is the ouvidor's alone, needs the form's CSRF token, is
// recorded before anything is shown, and shows the citizen for that view only.
func TestRevealIdentity(t *testing.T) {
	f := newIdentityFixture(t)
	path := "/atendimentos/" + id(f.sigilosa) + "/identidade"
	reveals := func() int {
		return countRows(t, f.st, `SELECT count(*) FROM audit_events WHERE action = 'identity.reveal'`)
	}
	cases := []struct {
		name   string
		role   string
		path   string
		csrf   bool
		status int
		want   []string
	}{
		{"atendente", store.RoleAgent, path, true, http.StatusForbidden, nil},
		{"supervisor", store.RoleSupervisor, path, true, http.StatusForbidden, nil},
		{"admin", store.RoleAdmin, path, true, http.StatusForbidden, nil},
		{"ouvidor without the CSRF token", store.RoleOuvidor, path, false, http.StatusForbidden, nil},
		{"ouvidor on a normal ticket", store.RoleOuvidor, "/atendimentos/" + id(f.normal) + "/identidade", true, http.StatusForbidden,
			[]string{"Só a Ouvidoria pode ver a identidade de uma manifestação sigilosa"}},
		{"ouvidor on an anônima ticket", store.RoleOuvidor, "/atendimentos/" + id(f.anonima) + "/identidade", true, http.StatusForbidden, nil},
		{"ouvidor on an unknown ticket", store.RoleOuvidor, "/atendimentos/999999/identidade", true, http.StatusNotFound, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var res testutil.Response
			if c.csrf {
				res = f.as[c.role].PostForm(c.path, nil)
			} else {
				res = f.as[c.role].Post(c.path, nil)
			}
			if res.Status != c.status {
				t.Errorf("status %d, want %d", res.Status, c.status)
			}
			for _, w := range c.want {
				if !strings.Contains(res.Body, w) {
					t.Errorf("missing %q", w)
				}
			}
			if strings.Contains(res.Body, pedroName) {
				t.Error("the citizen shown")
			}
			if n := reveals(); n != 0 {
				t.Errorf("%d reveals recorded", n)
			}
		})
	}

	res := f.as[store.RoleOuvidor].PostForm(path, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("reveal: status %d", res.Status)
	}
	for _, w := range []string{pedroName, "+5514999990003", pedroCPF, sigStory, normStory, "registrado na auditoria", "Olá, Pedro!"} {
		if !strings.Contains(res.Body, w) {
			t.Errorf("revealed view lacks %q", w)
		}
	}
	if strings.Contains(res.Body, `hx-get="/atendimentos/`+id(f.sigilosa)+`/mensagens"`) {
		t.Error("the revealed history refreshes live (into a masked one)")
	}
	var user int64
	var subject, detail string
	if err := f.st.R.QueryRow(`SELECT user_id, subject, detail FROM audit_events WHERE action = 'identity.reveal'`).Scan(&user, &subject, &detail); err != nil {
		t.Fatal(err)
	}
	if user != f.ouvidor.ID || subject != f.pSig || detail != "tela do atendimento" {
		t.Errorf("audit row: user %d subject %q detail %q", user, subject, detail)
	}
	if n := countRows(t, f.st, `SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND kind = 'identity' AND user_id = ?`, f.sigilosa, f.ouvidor.ID); n != 1 {
		t.Errorf("%d identity events in the ticket's history, want 1", n)
	}
	again := f.as[store.RoleOuvidor].Get("/atendimentos/" + id(f.sigilosa))
	if strings.Contains(again.Body, pedroName) || !strings.Contains(again.Body, "viu a identidade do manifestante") {
		t.Error("the next view is not masked again, or the history lacks the reveal")
	}
	f.as[store.RoleOuvidor].PostForm(path, nil)
	if n := reveals(); n != 2 {
		t.Errorf("%d reveals recorded after two, want 2", n)
	}
}

// Administração → Auditoria lists the reveals (admins only), with a filter.
func TestAuditPageListsReveals(t *testing.T) {
	f := newIdentityFixture(t)
	f.as[store.RoleOuvidor].PostForm("/atendimentos/"+id(f.sigilosa)+"/identidade", nil)
	if res := f.as[store.RoleOuvidor].Get("/admin/auditoria"); res.Status != http.StatusForbidden {
		t.Errorf("ouvidor on Auditoria: status %d", res.Status)
	}
	for _, path := range []string{"/admin/auditoria", "/admin/auditoria?acao=identity.reveal"} {
		res := f.c.Get(path)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: status %d", path, res.Status)
		}
		for _, w := range []string{"Viu a identidade de manifestação sigilosa", "Protocolo " + protocol.Display(f.pSig), "tela do atendimento"} {
			if !strings.Contains(res.Body, w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
	}
	if res := f.c.Get("/admin/auditoria?acao=identity.reveal"); strings.Contains(res.Body, "Entrou no painel") {
		t.Error("the reveals filter lists sign-ins")
	}
	if res := f.c.Get("/admin/auditoria"); !strings.Contains(res.Body, "Entrou no painel") {
		t.Error("the full log lacks the sign-ins")
	}
}

// Forwarding a sigilosa ticket says the other group gets it without the
// identity; a clerk cannot write to an anônima one.
func TestProtectedTicketActions(t *testing.T) {
	f := newIdentityFixture(t)
	dep, err := f.st.CreateDepartment(ctx, store.Department{Name: "Obras"})
	if err != nil {
		t.Fatal(err)
	}
	obras, err := f.st.CreateGroup(ctx, store.Group{Name: "Obras — Fiscalização", DepartmentID: dep.ID, Level: store.LevelN3, MaxPerAgent: 5,
		Hours: hours.WeekdaysFrom(hours.Interval{Open: 480, Close: 1020})}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sup := f.as[store.RoleSupervisor]
	sig := "/atendimentos/" + id(f.sigilosa)
	if res := sup.PostForm(sig+"/assumir", nil); res.Status != http.StatusOK {
		t.Fatalf("assume: %d", res.Status)
	}
	if res := sup.Get(sig); !strings.Contains(res.Body, "o grupo de destino recebe uma cópia sem a identidade") {
		t.Error("the forward form does not say the identity stays hidden")
	}
	res := sup.PostForm(sig+"/encaminhar", url.Values{"grupo": {id(obras.ID)}, "motivo": {"Fiscalizar a obra"}})
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "cópia sem a identidade do manifestante") {
		t.Errorf("forward: status %d, confirmation missing", res.Status)
	}
	anon := "/atendimentos/" + id(f.anonima)
	sup.PostForm(anon+"/assumir", nil)
	res = sup.PostForm(anon+"/responder", url.Values{"texto": {"Olá"}})
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "Manifestação anônima") {
		t.Errorf("reply to an anônima ticket: status %d", res.Status)
	}
	if n := countRows(t, f.st, `SELECT count(*) FROM outbox WHERE to_wa_id = ?`, store.AnonymousWaID); n != 0 {
		t.Errorf("%d messages queued to the placeholder", n)
	}
}

func countRows(t *testing.T, st *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The ouvidor has the supervisor's powers (but not the admin's).
func TestOuvidorSupervises(t *testing.T) {
	f := newIdentityFixture(t)
	for _, c := range []struct {
		role, path string
		status     int
	}{
		{store.RoleOuvidor, "/respostas-prontas", http.StatusOK},
		{store.RoleOuvidor, "/robo", http.StatusOK},
		{store.RoleOuvidor, "/admin/usuarios", http.StatusForbidden},
		{store.RoleAgent, "/respostas-prontas", http.StatusForbidden},
	} {
		if res := f.as[c.role].Get(c.path); res.Status != c.status {
			t.Errorf("%s on %s: status %d, want %d", c.role, c.path, res.Status, c.status)
		}
	}
	// A ticket of a group the ouvidor is not in: taken like a supervisor would.
	if res := f.as[store.RoleOuvidor].PostForm("/atendimentos/"+id(f.sigilosa)+"/assumir", nil); res.Status != http.StatusOK {
		t.Errorf("ouvidor takes a ticket of another group: status %d", res.Status)
	}
}

// Searching the text for a citizen's CPF does not find their sigilosa ticket
// (the message that carried it is an identifying answer); the story does.
func TestTextSearchSkipsIdentifyingAnswers(t *testing.T) {
	f := newIdentityFixture(t)
	sig := protocol.Display(f.pSig)
	for _, c := range []struct {
		text  string
		found bool
	}{
		{pedroCPF, false},
		{"52998224725", false},
		{"obra irregular", true},
	} {
		res := f.as[store.RoleSupervisor].Get("/protocolos?" + url.Values{"texto": {c.text}}.Encode())
		if got := strings.Contains(res.Body, sig); got != c.found {
			t.Errorf("text %q finds the sigilosa ticket: %t, want %t", c.text, got, c.found)
		}
	}
}
