package report_test

import (
	"cmp"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"balcao/app/chat"
	"balcao/app/demo"
	"balcao/app/report"
	"balcao/app/store"
	"balcao/app/testutil"
)

// TestGeneratedHistory: on a generated history the daily rows give exactly
// the direct facts, and every part of the report has something to show.
func TestGeneratedHistory(t *testing.T) {
	st := testutil.NewStore(t)
	if _, err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, st, demo.GenerateOptions{Tickets: 3000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	to := time.Now().Add(time.Hour).UnixMilli()
	from := time.Now().AddDate(-4, 0, 0).UnixMilli()
	p1, err := st.ReportFacts(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := st.DirectReportFacts(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	o1, c1, o2, c2 := p1.Opened, p1.Closed, p2.Opened, p2.Closed
	for _, l := range [][]store.ReportFact{o1, o2, c1, c2} {
		slices.SortFunc(l, func(a, b store.ReportFact) int { return cmp.Compare(a.ID, b.ID) })
	}
	if p1.BotOnly != p2.BotOnly {
		t.Errorf("bot alone: %d daily, %d direct", p1.BotOnly, p2.BotOnly)
	}
	if len(o1) != 3000 || !reflect.DeepEqual(o1, o2) || !reflect.DeepEqual(c1, c2) {
		t.Fatalf("daily rows: %d opened, %d closed; direct: %d, %d; equal: %v %v", len(o1), len(c1), len(o2), len(c2),
			reflect.DeepEqual(o1, o2), reflect.DeepEqual(c1, c2))
	}
	svc := &report.Service{Store: st}
	r, err := svc.Report(ctx, chat.Actor{Role: store.RoleAdmin}, report.Filter{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if r.Opened != 3000 || r.Closed == 0 || r.Reopened == 0 || r.Abandoned == 0 || r.BotOnly == 0 || r.Handling.N == 0 ||
		r.QueueWait.N == 0 || r.FirstResponse.N == 0 || r.CSATAll.N == 0 || len(r.SLA) == 0 || len(r.BySubject) < 3 {
		t.Errorf("generated report misses parts: opened %d closed %d reopened %d abandoned %d bot %d TMA %+v wait %+v FR %+v CSAT %+v SLA %d subjects %d",
			r.Opened, r.Closed, r.Reopened, r.Abandoned, r.BotOnly, r.Handling, r.QueueWait, r.FirstResponse, r.CSATAll, len(r.SLA), len(r.BySubject))
	}
}

// BenchmarkReportService computes a one-year report and an annual report
// over a generated history (BALCAO_BENCH_TICKETS tickets over 3 years,
// 100,000 by default): the service alone, without HTTP.
func BenchmarkReportService(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("BALCAO_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	st := testutil.NewStore(b)
	if _, err := demo.Seed(ctx, st); err != nil {
		b.Fatal(err)
	}
	stats, err := demo.Generate(ctx, st, demo.GenerateOptions{Tickets: n, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d tickets, %d messages in %s", stats.Tickets, stats.Messages, stats.Took.Round(time.Second))
	svc := &report.Service{Store: st}
	admin := chat.Actor{Role: store.RoleAdmin}
	now := time.Now()
	b.Run("year", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Report(ctx, admin, report.Filter{From: now.AddDate(-1, 0, 0).UnixMilli(), To: now.UnixMilli()}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("annual", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Annual(ctx, admin, now.Year()-1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
