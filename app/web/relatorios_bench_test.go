//go:build unix

package web_test

import (
	"strconv"
	"syscall"
	"testing"
	"time"

	"balcao/app/demo"
	"balcao/app/hours"
	"balcao/app/store"
	"balcao/app/testutil"
)

// BenchmarkRelatorios renders the reports through the real router over a
// generated history of 3 years: a one-year Relatórios page with and
// without filters, a one-year CSV and the annual report. The target (issue
// 6) is < 500 ms with 1,000,000 tickets and 10,000,000 messages.
//
// The history (BALCAO_BENCH_TICKETS tickets, 100,000 by default) is
// testutil.City's, generated once and shared with the other benchmarks:
//
//	BALCAO_BENCH_TICKETS=1000000 go test ./app/web -run '^$' -bench Relatorios -benchtime 20x -timeout 90m
func BenchmarkRelatorios(b *testing.B) {
	st, err := store.Open(ctx, testutil.City(b, testutil.BenchTickets(100_000)), testutil.MigrationsFS(), testutil.Logger(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	started := time.Now()
	days, err := st.RefreshReportDays(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var tickets, messages, events int
	if err := st.R.QueryRow(`SELECT (SELECT count(*) FROM tickets), (SELECT max(id) FROM messages), (SELECT count(*) FROM ticket_events)`).
		Scan(&tickets, &messages, &events); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d tickets, ~%d messages, %d events; %d report days rebuilt in %s", tickets, messages, events, days,
		time.Since(started).Round(time.Millisecond))
	_, c := testutil.NewServer(b, st)
	c.Login(demo.People[0].Email, demo.Password)

	now := time.Now().In(hours.SaoPaulo())
	year := "de=" + now.AddDate(-1, 0, 1).Format(time.DateOnly) + "&ate=" + now.Format(time.DateOnly)
	var group, clerk int64
	if err := st.R.QueryRow(`SELECT group_id, assignee_id FROM tickets WHERE assignee_id IS NOT NULL ORDER BY id DESC LIMIT 1`).
		Scan(&group, &clerk); err != nil {
		b.Fatal(err)
	}
	cases := []struct{ name, path string }{
		{"year", "/relatorios?" + year},
		{"year, group", "/relatorios?" + year + "&grupo=" + strconv.FormatInt(group, 10)},
		{"year, clerk and kind", "/relatorios?" + year + "&responsavel=" + strconv.FormatInt(clerk, 10) + "&tipo=reclamacao"},
		{"30 days", "/relatorios"},
		{"year csv", "/relatorios/csv/tempos?" + year + "&sep=%3B"},
		{"annual", "/relatorios/anual?ano=" + strconv.Itoa(now.Year()-1)},
		{"3 years", "/relatorios?de=" + now.AddDate(-3, 0, 0).Format(time.DateOnly) + "&ate=" + now.Format(time.DateOnly)},
	}
	// What a report pays (holding the writer) when today changed since the
	// last one: today's row rebuilt from its tickets.
	b.Run("rebuild a day", func(b *testing.B) {
		today := (now.UnixMilli() - 3*3_600_000) / (24 * 3_600_000)
		for b.Loop() {
			if _, err := st.W.Exec(`INSERT OR IGNORE INTO report_dirty (day) VALUES (?)`, today-1); err != nil {
				b.Fatal(err)
			}
			if n, err := st.RefreshReportDays(ctx); err != nil || n != 1 {
				b.Fatalf("%d days rebuilt: %v", n, err)
			}
		}
	})
	for _, cs := range cases {
		b.Run(cs.name, func(b *testing.B) {
			// The machine is shared: besides the wall-clock percentiles,
			// the CPU time the process spent per request (server and test
			// client) says what a report costs whatever else runs.
			before := cpuTime(b)
			measure(b, c, func(int) string { return cs.path })
			b.ReportMetric(float64((cpuTime(b)-before).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
