package demo_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"balcao/app/demo"
	"balcao/app/testutil"
)

var ctx = context.Background()

// Generate writes what it says, ticket numbers in calendar order, inbound
// messages already processed (the server must not route history again).
func TestGenerate(t *testing.T) {
	st := testutil.NewStore(t)
	if _, err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	stats, err := demo.Generate(ctx, st, demo.GenerateOptions{Tickets: 1200, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Tickets != 1200 || stats.Contacts != 400 || stats.Messages < 1200*5 || stats.Messages > 1200*15 {
		t.Errorf("stats %+v", stats)
	}
	var tickets, messages, pending, disorder, span, clocks int64
	q := func(sql string, dst *int64) {
		t.Helper()
		if err := st.R.QueryRow(sql).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	q(`SELECT count(*) FROM tickets`, &tickets)
	q(`SELECT count(*) FROM messages`, &messages)
	q(`SELECT count(*) FROM messages WHERE direction = 'in' AND processed_at IS NULL`, &pending)
	q(`SELECT count(*) FROM tickets a JOIN tickets b ON b.id = a.id + 1 WHERE b.protocol < a.protocol AND substr(b.protocol, 1, 4) = substr(a.protocol, 1, 4)`, &disorder)
	q(`SELECT (max(created_at) - min(created_at)) / 86400000 FROM tickets`, &span)
	// WhatsApp's time of a message is kept in ms, as the webhook stores it (the chat shows it).
	q(`SELECT count(*) FROM messages WHERE wa_timestamp <> 0 AND wa_timestamp <> created_at`, &clocks)
	if tickets != 1200 || messages != int64(stats.Messages) || pending != 0 || disorder != 0 || span < 3*365-5 || clocks != 0 {
		t.Errorf("tickets %d, messages %d, pending %d, out of order %d, span %d days, %d messages with WhatsApp's time not in ms",
			tickets, messages, pending, disorder, span, clocks)
	}
}

// BenchmarkGenerate writes BALCAO_BENCH_TICKETS tickets (default 20,000) and
// reports messages written per second.
func BenchmarkGenerate(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("BALCAO_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	for b.Loop() {
		st := testutil.NewStore(b)
		if _, err := demo.Seed(ctx, st); err != nil {
			b.Fatal(err)
		}
		stats, err := demo.Generate(ctx, st, demo.GenerateOptions{Tickets: n, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(stats.Messages)/stats.Took.Seconds(), "msg/s")
		b.ReportMetric(float64(stats.Tickets)/stats.Took.Seconds(), "tickets/s")
	}
}
