package notify_test

import (
	"context"
	"testing"
	"time"

	"balcao/app/store"
)

// BenchmarkTransition is the cost the notice adds to a status change: the
// same change (em atendimento ↔ aguardando cidadão, in the window) with and
// without the hook.
func BenchmarkTransition(b *testing.B) {
	for _, notify := range []bool{false, true} {
		name := "without-notice"
		if notify {
			name = "with-notice"
		}
		b.Run(name, func(b *testing.B) {
			r := newRig(b)
			if !notify {
				r.st.OnTransition = nil
			}
			id, _ := r.ticket(citizen{wroteAgo: time.Minute}, store.TicketInService, store.IdentityNormal)
			ctx := context.Background()
			from, to := store.TicketInService, store.TicketWaitingCit
			b.ResetTimer()
			for b.Loop() {
				if err := r.st.TransitionTicket(ctx, store.Transition{TicketID: id, From: from, To: to, UserID: r.clerk}); err != nil {
					b.Fatal(err)
				}
				from, to = to, from
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/change")
		})
	}
}
