package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"balcao/app/demo"
	"balcao/app/store"
)

// ticketsFlag takes `-tickets N` (or --tickets=N) out of demo's arguments:
// how many tickets of history to generate. The rest are the server's settings.
func ticketsFlag(args []string) (int, []string, error) {
	var rest []string
	n := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "tickets" {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return 0, nil, fmt.Errorf("-tickets: give a number of tickets, e.g. -tickets 100000")
			}
			i++
			value = args[i]
		}
		v, err := strconv.Atoi(value)
		if err != nil || v < 0 {
			return 0, nil, fmt.Errorf("-tickets %q: give a number of tickets, e.g. -tickets 100000", value)
		}
		n = v
	}
	return n, rest, nil
}

// generateTickets fills the demo with n tickets of history, saying how fast.
func generateTickets(ctx context.Context, env Env, st *store.Store, n int) error {
	fmt.Fprintf(env.Stdout, "  Gerando %d protocolos de histórico…\n", n)
	last := time.Now()
	stats, err := demo.Generate(ctx, st, demo.GenerateOptions{Tickets: n, Seed: 1, Progress: func(done int) {
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			fmt.Fprintf(env.Stdout, "  … %d protocolos\n", done)
		}
	}})
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	fmt.Fprintf(env.Stdout, "  %d cidadãos, %d protocolos, %d mensagens em %s (%.0f mensagens/s)\n", stats.Contacts, stats.Tickets,
		stats.Messages, stats.Took.Round(time.Second), float64(stats.Messages)/stats.Took.Seconds())
	return nil
}
