package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"balcao/app/api"
	"balcao/app/server/servertest"
	"balcao/app/store"
)

// The running app: a ticket opened through the API reaches the city's
// system as a signed ticket.created, woken at once rather than polled.
func TestAPITicketReachesTheWebhook(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	ctx := context.Background()
	var mu sync.Mutex
	var bodies []string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get(api.HeaderSignature) != api.Sign("segredo-de-teste-123", b) {
			t.Errorf("bad signature on %s", b)
		}
		mu.Lock()
		bodies = append(bodies, r.Header.Get(api.HeaderEvent)+" "+string(b))
		mu.Unlock()
	}))
	defer recv.Close()
	if err := a.Store.SaveWebhookSettings(ctx, store.WebhookSettings{URL: recv.URL, Secret: "segredo-de-teste-123"}); err != nil {
		t.Fatal(err)
	}
	token, err := api.CreateToken(ctx, a.Store, "site", 0)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", a.URL+"/api/v1/tickets", strings.NewReader(`{"kind":"reclamacao","subject":"Iluminação","description":"Poste apagado na praça"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", res.StatusCode)
	}
	// Well under the worker's 5 s poll: the API wakes it.
	servertest.WaitFor(t, "ticket.created at the receiver", 3*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) == 1 && strings.HasPrefix(bodies[0], "ticket.created ") && strings.Contains(bodies[0], "Iluminação")
	})
}

// The running app's API answers a citizen who never wrote with the template
// and keeps the reply for when they do (the wiring gives app/chat the notifier).
func TestAPIReplyOutsideTheWindowGoesAsTheTemplate(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	token, err := api.CreateToken(context.Background(), a.Store, "site", 0)
	if err != nil {
		t.Fatal(err)
	}
	call := func(path, body string) (int, string) {
		req, _ := http.NewRequest("POST", a.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := call("/api/v1/tickets", `{"kind":"solicitacao","subject":"Poda","description":"Árvore na fiação","citizen":{"wa_id":"5514999990077"}}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	var digits string
	if err := a.Store.R.QueryRow(`SELECT protocol FROM tickets`).Scan(&digits); err != nil {
		t.Fatal(err)
	}
	code, body = call("/api/v1/tickets/"+digits+"/replies", `{"text":"A poda está marcada para terça."}`)
	if code != http.StatusAccepted || !strings.Contains(body, `"template":true`) {
		t.Fatalf("reply: %d %s", code, body)
	}
	if n := count(t, a.Store.R, `SELECT count(*) FROM held_messages WHERE body = 'A poda está marcada para terça.'`); n != 1 {
		t.Errorf("%d held replies, want 1", n)
	}
}
