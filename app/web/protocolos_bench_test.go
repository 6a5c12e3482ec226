package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"balcao/app/demo"
	"balcao/app/hours"
	"balcao/app/store"
	"balcao/app/testutil"
)

// BenchmarkProtocolos generates a city's history once (BALCAO_BENCH_TICKETS
// tickets, 100,000 by default, ~10 messages each) in a temporary folder and
// reports the 50th and 95th percentile of the Protocolos list with each
// filter and of the ticket screen, through the real router. The target
// (issue 5) is p95 < 100 ms at 1,000,000 tickets:
//
//	BALCAO_BENCH_TICKETS=1000000 go test ./app/web -run '^$' -bench Protocolos -benchtime 40x -timeout 60m
func BenchmarkProtocolos(b *testing.B) {
	st, err := store.Open(ctx, testutil.City(b, testutil.BenchTickets(100_000)), testutil.MigrationsFS(), testutil.Logger(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	_, c := testutil.NewServer(b, st)
	c.Login(demo.People[0].Email, demo.Password)

	// Values to filter by, taken from the middle of the generated history.
	var mid struct {
		id, created, contactID, group, dept, assignee int64
		protocol, waID, name                          string
	}
	err = st.R.QueryRow(`SELECT t.id, t.created_at, t.protocol, t.contact_id, c.wa_id, c.profile_name, t.group_id, g.department_id,
			(SELECT assignee_id FROM tickets WHERE assignee_id IS NOT NULL LIMIT 1)
		FROM tickets t JOIN contacts c ON c.id = t.contact_id JOIN service_groups g ON g.id = t.group_id
		WHERE t.id >= (SELECT max(id) / 2 FROM tickets) AND t.identity = 'normal' ORDER BY t.id LIMIT 1`).
		Scan(&mid.id, &mid.created, &mid.protocol, &mid.contactID, &mid.waID, &mid.name, &mid.group, &mid.dept, &mid.assignee)
	if err != nil {
		b.Fatal(err)
	}
	day := time.UnixMilli(mid.created).In(hours.SaoPaulo())
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return "/protocolos?" + v.Encode()
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	cases := []struct{ name, path string }{
		{"none", q()},
		{"oldest", q("ordem", "antigos")},
		{"activity", q("ordem", "atividade")},
		{"deep page", q("apos", fmt.Sprintf("%d.%d", mid.created, mid.id))},
		{"protocol", q("protocolo", mid.protocol)},
		{"contact name", q("contato", mid.name)},
		{"contact number", q("contato", mid.waID[4:])},
		{"kind", q("tipo", "denuncia")},
		{"status rare", q("situacao", "em_fila")},
		{"status common", q("situacao", "encerrado")},
		{"status common, activity", q("situacao", "encerrado", "ordem", "atividade")},
		{"group", q("grupo", id(mid.group))},
		{"department", q("secretaria", id(mid.dept))},
		{"assignee", q("responsavel", id(mid.assignee))},
		{"unassigned", q("responsavel", "ninguem")},
		{"dates", q("de", day.AddDate(0, -1, 0).Format(time.DateOnly), "ate", day.Format(time.DateOnly))},
		{"text common", q("texto", "agua")},
		{"text rare", q("texto", "guaranesia")},
		{"text two words", q("texto", "esgoto ceu")},
		{"group+status+dates", q("grupo", id(mid.group), "situacao", "encerrado", "de", day.AddDate(0, -3, 0).Format(time.DateOnly))},
		{"department+text", q("secretaria", id(mid.dept), "texto", "iluminacao")},
		{"overdue", q("atrasados", "1")},
		{"overdue+group", q("atrasados", "1", "grupo", id(mid.group))},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			measure(b, c, func(int) string { return tc.path })
		})
	}
	var maxID int64
	if err := st.R.QueryRow(`SELECT max(id) FROM tickets`).Scan(&maxID); err != nil {
		b.Fatal(err)
	}
	b.Run("ticket screen", func(b *testing.B) {
		measure(b, c, func(i int) string { return "/atendimentos/" + id(1+int64(i)*7919%maxID) })
	})
	b.Run("prazos page", func(b *testing.B) {
		measure(b, c, func(int) string { return "/prazos" })
	})
	b.Run("contact page", func(b *testing.B) {
		measure(b, c, func(int) string { return "/contatos/" + id(mid.contactID) })
	})
}

// measure requests path(i) b.N times and reports the latency percentiles.
func measure(b *testing.B, c *testutil.Client, path func(i int) string) {
	var lat []time.Duration
	i := 0
	for b.Loop() {
		p := path(i)
		i++
		start := time.Now()
		res := c.Get(p)
		lat = append(lat, time.Since(start))
		if res.Status != http.StatusOK {
			b.Fatalf("%s: status %d", p, res.Status)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}
