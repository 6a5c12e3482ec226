package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"balcao/app/server/servertest"
	"balcao/app/simulator"
	"balcao/app/whatsapp"
)

func TestPhonePageSendsSignedWebhooksOnly(t *testing.T) {
	a := servertest.Start(t, servertest.Options{Simulator: true})
	phone := a.Client()
	if r := phone.Get("/simulador"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Simulador do WhatsApp") {
		t.Fatalf("GET /simulador: status %d", r.Status)
	}
	// Its forms need the CSRF token like the panel's.
	if r := phone.Post("/simulador/telefones", url.Values{"numero": {"5517988887777"}, "nome": {"Maria"}}); r.Status != http.StatusForbidden {
		t.Fatalf("without the CSRF token: status %d, want 403", r.Status)
	}
	r := phone.PostForm("/simulador/telefones", url.Values{"numero": {"+55 (17) 98888-7777"}, "nome": {"Maria da Silva"}})
	if r.Status != http.StatusOK || r.URL.RawQuery != "numero=5517988887777" || !strings.Contains(r.Body, "você é Maria da Silva") {
		t.Fatalf("new citizen: status %d at %s", r.Status, r.URL)
	}
	if r := phone.PostForm("/simulador/enviar", url.Values{"numero": {"5517988887777"}, "texto": {"Olá, prefeitura"}}); r.Status != http.StatusOK {
		t.Fatalf("send text: status %d", r.Status)
	}
	if r := phone.PostForm("/simulador/localizacao", url.Values{"numero": {"5517988887777"}, "lat": {"-20,8113"}, "lng": {"-49.3758"}, "lugar": {"Praça"}}); r.Status != http.StatusOK {
		t.Fatalf("send location: status %d", r.Status)
	}
	var events, texts, places int
	servertest.WaitFor(t, "both messages stored", 5*time.Second, func() bool {
		a.Store.R.QueryRow(`SELECT count(*) FROM webhook_events`).Scan(&events)
		a.Store.R.QueryRow(`SELECT count(*) FROM messages WHERE type = 'text' AND body = 'Olá, prefeitura'`).Scan(&texts)
		a.Store.R.QueryRow(`SELECT count(*) FROM messages WHERE type = 'location' AND payload LIKE '%-20.8113%'`).Scan(&places)
		return texts == 1 && places == 1
	})
	if events < 2 {
		t.Errorf("%d webhook deliveries stored, want at least 2 (the phone uses the real webhook)", events)
	}
	conv := phone.Get("/simulador/conversa?numero=5517988887777").Body
	if !strings.Contains(conv, "Olá, prefeitura") || !strings.Contains(conv, "openstreetmap.org/?mlat=-20.811300") {
		t.Errorf("the phone does not show what the citizen sent:\n%s", conv)
	}
}

func TestPhoneTapsTheOptionsBalcaoSent(t *testing.T) {
	a := servertest.Start(t, servertest.Options{Simulator: true})
	a.Simulator.AddPhone("5517988887777", "Maria")
	if _, err := a.Simulator.CitizenSend(context.Background(), simulator.CitizenMessage{From: "5517988887777", Body: "oi"}); err != nil {
		t.Fatal(err)
	}
	// What the bot will send (the bot arrives with its own issue): a list, straight to the simulator.
	client := &whatsapp.Client{BaseURL: a.Config.WA.APIURL, AccessToken: a.Config.WA.AccessToken, PhoneNumberID: a.Config.WA.PhoneNumberID}
	list := whatsapp.List("5517988887777", "Escolha um assunto", "Ver opções",
		whatsapp.Section{Title: "Água", Rows: []whatsapp.Row{{ID: "agua_2via", Title: "Segunda via", Description: "Conta de água"}}})
	wamid, err := client.Send(context.Background(), list)
	if err != nil {
		t.Fatalf("send list: %v", err)
	}
	phone := a.Client()
	conv := phone.Get("/simulador/conversa?numero=5517988887777").Body
	if !strings.Contains(conv, "Escolha um assunto") || !strings.Contains(conv, `value="agua_2via"`) {
		t.Fatalf("the list is not shown with its rows:\n%s", conv)
	}
	r := phone.PostForm("/simulador/tocar", url.Values{"numero": {"5517988887777"}, "mensagem": {wamid}, "opcao": {"agua_2via"}})
	if r.Status != http.StatusOK {
		t.Fatalf("tap: status %d", r.Status)
	}
	servertest.WaitFor(t, "the list reply stored", 5*time.Second, func() bool {
		var n int
		a.Store.R.QueryRow(`SELECT count(*) FROM messages WHERE type = 'interactive' AND payload LIKE '%agua_2via%'`).Scan(&n)
		return n == 1
	})
}

func TestPhoneFaultSwitches(t *testing.T) {
	a := servertest.Start(t, servertest.Options{Simulator: true})
	phone := a.Client()
	for _, c := range []struct {
		key  string
		kind simulator.FaultKind
		code int
	}{
		{"500", simulator.FaultServerError, 0},
		{"130429", simulator.FaultAPIError, 130429},
		{"131047", simulator.FaultAPIError, 131047},
		{"timeout", simulator.FaultTimeout, 0},
		{"sem-status", simulator.FaultDropStatuses, 0},
	} {
		if r := phone.PostForm("/simulador/falhas", url.Values{"falha": {c.key}}); r.Status != http.StatusOK {
			t.Fatalf("%s: status %d", c.key, r.Status)
		}
		f, on := a.Simulator.CurrentFault()
		if !on || f.Kind != c.kind || f.Code != c.code {
			t.Errorf("%s: fault %+v (on %v)", c.key, f, on)
		}
	}
	phone.PostForm("/simulador/falhas", url.Values{"falha": {""}})
	if _, on := a.Simulator.CurrentFault(); on {
		t.Error("the fault was not switched off")
	}
}
