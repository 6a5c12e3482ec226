package api_test

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"balcao/app/api"
	"balcao/app/store"
	"balcao/app/testutil"
)

// receiver is the city's system: it checks every signature and answers
// with the statuses it is told to, then 200.
type receiver struct {
	t       *testing.T
	secret  string
	mu      sync.Mutex
	answers []int
	got     []delivered
}

type delivered struct {
	event, delivery string
	body            map[string]any
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	want := api.Sign(rc.secret, body)
	if !hmac.Equal([]byte(r.Header.Get(api.HeaderSignature)), []byte(want)) {
		rc.t.Errorf("bad signature %q, want %q", r.Header.Get(api.HeaderSignature), want)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if ts, err := strconv.ParseInt(r.Header.Get(api.HeaderTimestamp), 10, 64); err != nil || time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
		rc.t.Errorf("timestamp %q", r.Header.Get(api.HeaderTimestamp))
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.answers) > 0 {
		code := rc.answers[0]
		rc.answers = rc.answers[1:]
		w.WriteHeader(code)
		return
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		rc.t.Errorf("body %s: %v", body, err)
	}
	rc.got = append(rc.got, delivered{r.Header.Get(api.HeaderEvent), r.Header.Get(api.HeaderDelivery), m})
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) events() []delivered {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivered(nil), rc.got...)
}

// hooked is a rig whose webhook URL points at a receiver.
func hooked(t *testing.T, answers ...int) (*rig, *receiver, *api.Deliverer) {
	r := newRig(t)
	rc := &receiver{t: t, secret: "s3gredo", answers: answers}
	hs := httptest.NewServer(rc)
	t.Cleanup(hs.Close)
	if err := r.st.SaveWebhookSettings(context.Background(), store.WebhookSettings{URL: hs.URL, Secret: rc.secret}); err != nil {
		t.Fatal(err)
	}
	d := api.NewDeliverer(r.st, testutil.Logger(t), api.DelivererOptions{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxAttempts: 4})
	return r, rc, d
}

// drain runs the worker until nothing is pending (or a few seconds pass).
func drain(t *testing.T, st *store.Store, d *api.Deliverer) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := d.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		var pending int
		st.R.QueryRow(`SELECT count(*) FROM outgoing_webhooks WHERE state = 'pending'`).Scan(&pending)
		if pending == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("webhooks still pending")
}

// Created, status changed and closed reach the receiver signed, in order,
// without the anonymous citizen.
func TestWebhookDelivery(t *testing.T) {
	r, rc, d := hooked(t)
	var c api.Created
	r.do("POST", "/api/v1/tickets", r.token, `{"kind":"denuncia","subject":"Descarte de lixo","description":"Terreno baldio","anonymous":true}`, http.StatusCreated, &c)
	r.do("POST", "/api/v1/tickets/"+c.Protocol+"/status", r.token, `{"status":"encerrado","resolution":"Atendido"}`, http.StatusOK, nil)
	drain(t, r.st, d)
	got := rc.events()
	want := []string{store.EventTicketCreated, store.EventTicketStatusChanged, store.EventTicketClosed}
	if len(got) != len(want) {
		t.Fatalf("received %+v, want %v", got, want)
	}
	for i, e := range got {
		tk, _ := e.body["ticket"].(map[string]any)
		if e.event != want[i] || e.body["event"] != want[i] || tk["protocol"] != c.Protocol || e.delivery == "" {
			t.Errorf("delivery %d: %+v", i, e)
		}
		if tk["anonymous"] != true {
			t.Errorf("delivery %d: anonymous %v", i, tk["anonymous"])
		}
		for _, k := range []string{"citizen", "wa_id", "contact_id"} {
			if _, ok := tk[k]; ok {
				t.Errorf("delivery %d tells %s", i, k)
			}
		}
	}
	if tk := got[1].body["ticket"].(map[string]any); tk["previous_status"] != "novo" || tk["status"] != "encerrado" {
		t.Errorf("status change: %+v", tk)
	}
	list, err := r.st.RecentWebhooks(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range list {
		if w.State != store.WebhookDelivered || w.Attempts != 1 || w.LastStatus != http.StatusNoContent {
			t.Errorf("delivery state %+v", w)
		}
	}
}

// A receiver that fails twice gets the event on the third try.
func TestWebhookRetriesThenSucceeds(t *testing.T) {
	r, rc, d := hooked(t, 500, 503)
	r.do("POST", "/api/v1/tickets", r.token, `{"kind":"elogio","subject":"Atendimento","description":"Muito bom"}`, http.StatusCreated, nil)
	drain(t, r.st, d)
	if got := rc.events(); len(got) != 1 || got[0].event != store.EventTicketCreated {
		t.Fatalf("received %+v", got)
	}
	list, _ := r.st.RecentWebhooks(context.Background(), 10)
	if len(list) != 1 || list[0].State != store.WebhookDelivered || list[0].Attempts != 3 {
		t.Errorf("delivery %+v, want delivered on attempt 3", list)
	}
}

// A receiver that never accepts is given up on after the last attempt, and
// the failure is kept for the admin page; a retry from there delivers it.
func TestWebhookGivesUp(t *testing.T) {
	r, rc, d := hooked(t, 500, 500, 500, 500)
	r.do("POST", "/api/v1/tickets", r.token, `{"kind":"elogio","subject":"a","description":"b"}`, http.StatusCreated, nil)
	drain(t, r.st, d)
	list, _ := r.st.RecentWebhooks(context.Background(), 10)
	if len(list) != 1 || list[0].State != store.WebhookFailed || list[0].Attempts != 4 || list[0].LastStatus != 500 || list[0].LastError == "" {
		t.Fatalf("delivery %+v, want failed after 4 attempts", list)
	}
	if err := r.st.RetryWebhook(context.Background(), list[0].ID); err != nil {
		t.Fatal(err)
	}
	drain(t, r.st, d)
	if got := rc.events(); len(got) != 1 {
		t.Errorf("received %+v after the retry", got)
	}
}

// Without a URL nothing is queued; backoff grows and stays bounded.
func TestWebhookQuietWithoutURLAndBackoff(t *testing.T) {
	r := newRig(t)
	r.do("POST", "/api/v1/tickets", r.token, `{"kind":"elogio","subject":"a","description":"b"}`, http.StatusCreated, nil)
	var n int
	r.st.R.QueryRow(`SELECT count(*) FROM outgoing_webhooks`).Scan(&n)
	if n != 0 {
		t.Errorf("%d webhooks queued without a URL", n)
	}
	d := api.NewDeliverer(r.st, testutil.Logger(t), api.DelivererOptions{BaseDelay: time.Second, MaxDelay: time.Minute})
	for attempts, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 20: time.Minute} {
		for range 20 {
			if got := d.Backoff(attempts); got < want/2 || got > want {
				t.Errorf("backoff after %d: %v, want within [%v, %v]", attempts, got, want/2, want)
			}
		}
	}
}
