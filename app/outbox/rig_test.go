package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"balcao/app/outbox"
	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/whatsapp"
)

const testToken = "token-for-tests"

// rig is a worker on a real SQLite store sending to the simulator over real HTTP.
type rig struct {
	t      testing.TB
	st     *store.Store
	sim    *simulator.Simulator
	client *whatsapp.Client
	w      *outbox.Worker
	alerts chan outbox.Alert
	cancel context.CancelFunc
	done   chan struct{}
}

// fastOptions shrink every wait so the fault scenarios take well under a second.
func fastOptions() outbox.Options {
	return outbox.Options{
		Rate: 200, BaseBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		PairInterval: 400 * time.Millisecond, ProbeEvery: 150 * time.Millisecond, Poll: 50 * time.Millisecond,
		Template: "atualizacao_atendimento",
	}
}

// newRig builds the store and the simulator; start runs the worker.
func newRig(t testing.TB, simOpts simulator.Options) *rig {
	t.Helper()
	st := testutil.NewStore(t)
	simOpts.AccessToken = testToken
	if simOpts.StatusDelay == 0 {
		simOpts.StatusDelay = 10 * time.Millisecond
	}
	sim := simulator.New(simOpts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close) // first: it releases requests hanging in a timeout fault
	client := &whatsapp.Client{BaseURL: srv.URL, AccessToken: testToken, PhoneNumberID: sim.PhoneNumberID(),
		HTTP: &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	return &rig{t: t, st: st, sim: sim, client: client, alerts: make(chan outbox.Alert, 16)}
}

// start runs a worker with opts until the test ends.
func (r *rig) start(opts outbox.Options) *outbox.Worker {
	r.t.Helper()
	opts.OnAlert = func(a outbox.Alert) {
		select {
		case r.alerts <- a:
		default:
		}
	}
	r.w = outbox.New(r.st, r.client, testutil.Logger(r.t), opts)
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	go func() {
		defer close(r.done)
		r.w.Run(ctx)
	}()
	r.t.Cleanup(r.stop)
	return r.w
}

// stop ends the worker and waits for it (safe to call twice).
func (r *rig) stop() {
	if r.cancel != nil {
		r.cancel()
		<-r.done
		r.cancel = nil
	}
}

// contact stores a citizen's inbound message the way the webhook does, which
// creates the contact and opens the 24-hour window; it returns the contact's id.
func contact(t testing.TB, st *store.Store, waID string) int64 {
	t.Helper()
	ctx := context.Background()
	_, err := st.SaveWebhooks(ctx, []store.WebhookDelivery{{
		Body:     []byte(`{}`),
		Contacts: []store.InboundContact{{WaID: waID, ProfileName: "Cidadão " + waID}},
		Messages: []store.InboundMessage{{WAMID: "wamid.IN." + waID + "." + fmt.Sprint(time.Now().UnixNano()), WaID: waID,
			Type: "text", Body: "oi", Payload: `{}`, WATimestamp: time.Now().UnixMilli()}},
	}})
	if err != nil {
		t.Fatalf("contact %s: %v", waID, err)
	}
	var id int64
	if err := st.R.QueryRowContext(ctx, `SELECT id FROM contacts WHERE wa_id = ?`, waID).Scan(&id); err != nil {
		t.Fatalf("contact %s: %v", waID, err)
	}
	return id
}

// queued is a message put in the outbox by a test.
type queued struct{ messageID, outboxID int64 }

// enqueue queues m for the contact and wakes the worker (if running).
func (r *rig) enqueue(contactID int64, m whatsapp.OutMessage) queued {
	r.t.Helper()
	return enqueueMessage(r.t, r.st, r.w, contactID, m, 0)
}

func enqueueMessage(t testing.TB, st *store.Store, w *outbox.Worker, contactID int64, m whatsapp.OutMessage, mediaID int64) queued {
	t.Helper()
	payload, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	msgID, outID, err := st.Enqueue(context.Background(), store.Outgoing{ContactID: contactID, ToWaID: m.To,
		Kind: m.Type, Body: m.Summary(), Payload: string(payload), MediaID: mediaID})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	if w != nil {
		w.Wake()
	}
	return queued{msgID, outID}
}

// row reads an outbox row.
func (r *rig) row(q queued) store.OutboxRow {
	r.t.Helper()
	row, err := r.st.OutboxRowByID(context.Background(), q.outboxID)
	if err != nil {
		r.t.Fatal(err)
	}
	return row
}

// message reads what the clerk sees of a queued message.
func message(t testing.TB, st *store.Store, messageID int64) (status string, code int, text string) {
	t.Helper()
	err := st.R.QueryRowContext(context.Background(), `SELECT status, error_code, error_text FROM messages WHERE id = ?`, messageID).
		Scan(&status, &code, &text)
	if err != nil {
		t.Fatal(err)
	}
	return status, code, text
}

// waitState waits until the row reaches state.
func (r *rig) waitState(q queued, state string, within time.Duration) store.OutboxRow {
	r.t.Helper()
	var row store.OutboxRow
	waitFor(r.t, within, fmt.Sprintf("outbox row %d in state %s", q.outboxID, state), func() bool {
		row = r.row(q)
		return row.State == state
	})
	return row
}

// waitFor polls cond every few milliseconds until it holds or within passes.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
