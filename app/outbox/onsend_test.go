package outbox_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"balcao/app/outbox"
	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/app/whatsapp"
)

// OnSend (the metrics' feed) hears every attempt with its type, result and
// error code, as the row records it.
func TestOnSendTellsEveryAttempt(t *testing.T) {
	cases := []struct {
		name        string
		fault       simulator.Fault
		maxAttempts int
		state       string
		want        []string
	}{
		{"sent at once", simulator.Fault{}, 10, store.OutboxSent, []string{"text sent 0"}},
		{"rate limit twice, then sent", simulator.Fault{Kind: simulator.FaultAPIError, Code: 130429, Count: 2}, 10, store.OutboxSent,
			[]string{"text retry 130429", "text retry 130429", "text sent 0"}},
		{"refused for good", simulator.Fault{Kind: simulator.FaultAPIError, Code: 131026}, 10, store.OutboxFailed,
			[]string{"text failed 131026"}},
		{"gives up after the last retry", simulator.Fault{Kind: simulator.FaultAPIError, Code: 131057}, 2, store.OutboxFailed,
			[]string{"text retry 131057", "text failed 131057"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, simulator.Options{})
			var mu sync.Mutex
			var got []string
			opts := fastOptions()
			opts.MaxAttempts = c.maxAttempts
			opts.OnSend = func(msgType, result string, code int) {
				mu.Lock()
				got = append(got, fmt.Sprintf("%s %s %d", msgType, result, code))
				mu.Unlock()
			}
			if c.fault.Kind != "" {
				r.sim.SetFault(c.fault)
			}
			r.start(opts)
			q := r.enqueue(contact(t, r.st, citizen), whatsapp.Text(citizen, "Sua solicitação foi registrada."))
			r.waitState(q, c.state, 10*time.Second)
			r.stop()
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(got, c.want) {
				t.Errorf("OnSend heard %q, want %q", got, c.want)
			}
			for _, g := range got {
				var result string
				fmt.Sscanf(g, "text %s", &result)
				if !slices.Contains([]string{outbox.Sent, outbox.Retried, outbox.Failed, outbox.Stopped}, result) {
					t.Errorf("result %q is not one of the documented ones", result)
				}
			}
		})
	}
}
