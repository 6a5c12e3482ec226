package simulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"balcao/app/whatsapp"
)

const (
	secret  = "app-secret-de-teste"
	prefix  = "/simulador/graph/v25.0"
	maria   = "5517988887777"
	waitFor = 5 * time.Second
)

// receiver is the app's webhook as far as the simulator can tell: it checks
// every signature, parses every body and answers what answer says.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	notes  []*whatsapp.Notification
	bodies [][]byte
	heads  []http.Header
	calls  int
	// answer gives the HTTP status for the n-th POST (1-based); nil means 200.
	answer func(n int) int
	// token is the verify token for GET challenges.
	token string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		if c, ok := whatsapp.VerifyChallenge(r.URL.Query(), rc.token); ok {
			io.WriteString(w, c)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if !whatsapp.VerifySignature(secret, body, r.Header.Get(whatsapp.SignatureHeader)) {
		rc.t.Errorf("webhook with a bad signature %q", r.Header.Get(whatsapp.SignatureHeader))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	n, err := whatsapp.Parse(body)
	if err != nil || len(n.Warnings) > 0 {
		rc.t.Errorf("webhook body does not parse: %v %v\n%s", err, n.Warnings, body)
	}
	rc.mu.Lock()
	rc.calls++
	status := http.StatusOK
	if rc.answer != nil {
		status = rc.answer(rc.calls)
	}
	if status == http.StatusOK {
		rc.notes = append(rc.notes, n)
		rc.bodies = append(rc.bodies, body)
		rc.heads = append(rc.heads, r.Header.Clone())
	}
	rc.mu.Unlock()
	w.WriteHeader(status)
}

// statuses returns the statuses received for wamid, in arrival order.
func (rc *receiver) statuses(wamid string) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, n := range rc.notes {
		for _, s := range n.Statuses {
			if s.ID == wamid {
				out = append(out, s.Status)
			}
		}
	}
	return out
}

// status returns the last received update for wamid with the given status.
func (rc *receiver) status(wamid, status string) (whatsapp.StatusUpdate, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, n := range rc.notes {
		for _, s := range n.Statuses {
			if s.ID == wamid && s.Status == status {
				return s, true
			}
		}
	}
	return whatsapp.StatusUpdate{}, false
}

// message returns the received inbound message wamid.
func (rc *receiver) message(wamid string) (whatsapp.InboundMessage, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, n := range rc.notes {
		for _, m := range n.Messages {
			if m.ID == wamid {
				return m, true
			}
		}
	}
	return whatsapp.InboundMessage{}, false
}

type env struct {
	sim    *Simulator
	rc     *receiver
	client *whatsapp.Client
	srv    *httptest.Server
}

// newEnv starts a simulator mounted under prefix, a webhook receiver and a
// client pointed at the simulator. Delays are tiny so tests run fast.
func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	rc := &receiver{t: t, token: "verifica"}
	hook := httptest.NewServer(rc)
	t.Cleanup(hook.Close)
	opts.AppSecret = secret
	opts.VerifyToken = "verifica"
	opts.WebhookURL = hook.URL + "/webhook/whatsapp"
	if opts.StatusDelay == 0 {
		opts.StatusDelay = 2 * time.Millisecond
	}
	if opts.ReadDelay == 0 {
		opts.ReadDelay = 10 * time.Millisecond
	}
	if opts.RetryBackoff == 0 {
		opts.RetryBackoff = 2 * time.Millisecond
	}
	sim := New(opts)
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", http.StripPrefix(prefix, sim))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close) // runs first: stops deliveries and hung requests
	client := &whatsapp.Client{BaseURL: srv.URL + prefix, AccessToken: "EAAG-demo", PhoneNumberID: sim.PhoneNumberID(), HTTP: srv.Client()}
	return &env{sim: sim, rc: rc, client: client, srv: srv}
}

// eventually polls cond until it holds or the test times out.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (e *env) send(t *testing.T, m whatsapp.OutMessage) string {
	t.Helper()
	id, err := e.client.Send(context.Background(), m)
	if err != nil {
		t.Fatalf("Send(%s): %v", m.Kind(), err)
	}
	if !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("wamid %q", id)
	}
	return id
}

func (e *env) citizenSays(t *testing.T, text string) string {
	t.Helper()
	id, err := e.sim.CitizenSend(context.Background(), CitizenMessage{From: maria, Name: "Maria", Body: text})
	if err != nil {
		t.Fatalf("CitizenSend: %v", err)
	}
	return id
}

func TestSendEveryKind(t *testing.T) {
	e := newEnv(t, Options{Templates: []TemplateSpec{{
		Name: "atualizacao_protocolo", Language: "pt_BR",
		Body: "Seu protocolo {{1}} mudou para: {{2}}", Buttons: []string{"Ver detalhes", "Falar com atendente"},
	}}})
	ctx := context.Background()
	mediaID, err := e.client.UploadMedia(ctx, "application/pdf", "boleto.pdf", []byte("%PDF-1.7 boleto"))
	if err != nil {
		t.Fatal(err)
	}
	tpl := whatsapp.Template("+"+maria, "atualizacao_protocolo", "pt_BR", "2026 000123-4", "respondido")
	tpl.Template.Components = append(tpl.Template.Components, whatsapp.TemplateComponent{
		Type: "button", SubType: "quick_reply", Index: "1",
		Parameters: []whatsapp.TemplateParameter{{Type: "payload", Payload: "atendente:123"}},
	})
	tests := []struct {
		msg   whatsapp.OutMessage
		check func(t *testing.T, pm PhoneMessage)
	}{
		{whatsapp.Text("+"+maria, "Olá, Maria"), func(t *testing.T, pm PhoneMessage) {
			if pm.Body != "Olá, Maria" || pm.Type != "text" {
				t.Errorf("%+v", pm)
			}
		}},
		{whatsapp.List(maria, "Escolha um serviço", "Serviços",
			whatsapp.Section{Title: "Água", Rows: []whatsapp.Row{{ID: "agua_2via", Title: "Segunda via", Description: "Conta de água"}}},
			whatsapp.Section{Title: "Obras", Rows: []whatsapp.Row{{ID: "buraco", Title: "Buraco na rua"}}}).WithHeader("Prefeitura").WithFooter("0 volta"),
			func(t *testing.T, pm PhoneMessage) {
				want := []PhoneOption{{ID: "agua_2via", Title: "Segunda via", Description: "Conta de água", Section: "Água"}, {ID: "buraco", Title: "Buraco na rua", Section: "Obras"}}
				if pm.Type != "list" || pm.Header != "Prefeitura" || pm.Footer != "0 volta" || pm.ListButton != "Serviços" || !equalOptions(pm.Options, want) {
					t.Errorf("%+v", pm)
				}
			}},
		{whatsapp.Buttons(maria, "Resolvido?", whatsapp.Button{ID: "sim", Title: "Sim"}, whatsapp.Button{ID: "nao", Title: "Não"}), func(t *testing.T, pm PhoneMessage) {
			if pm.Type != "buttons" || len(pm.Options) != 2 || pm.Options[1].ID != "nao" {
				t.Errorf("%+v", pm)
			}
		}},
		{tpl, func(t *testing.T, pm PhoneMessage) {
			if pm.Body != "Seu protocolo 2026 000123-4 mudou para: respondido" || pm.Template != "atualizacao_protocolo" ||
				len(pm.Options) != 2 || pm.Options[0].ID != "Ver detalhes" || pm.Options[1].ID != "atendente:123" {
				t.Errorf("%+v", pm)
			}
		}},
		{whatsapp.Document(maria, mediaID, "", "Seu boleto"), func(t *testing.T, pm PhoneMessage) {
			if pm.Media == nil || pm.Media.ID != mediaID || pm.Media.Filename != "boleto.pdf" || pm.Media.MimeType != "application/pdf" || pm.Body != "Seu boleto" {
				t.Errorf("%+v %+v", pm, pm.Media)
			}
		}},
		{whatsapp.Image(maria, "https://example.org/mapa.png", "Mapa"), func(t *testing.T, pm PhoneMessage) {
			if pm.Media == nil || pm.Media.Link != "https://example.org/mapa.png" {
				t.Errorf("%+v", pm)
			}
		}},
		{whatsapp.Video(maria, mediaID, ""), nil},
		{whatsapp.Audio(maria, mediaID), nil},
	}
	ids := map[string]bool{}
	for _, tt := range tests {
		m := tt.msg
		m.BizOpaqueCallbackData = "outbox:" + m.Kind()
		id := e.send(t, m)
		if ids[id] {
			t.Fatalf("wamid %s repeated", id)
		}
		ids[id] = true
		want := []string{"sent", "delivered", "read"}
		if m.Type == whatsapp.TypeAudio {
			want = append(want, "played")
		}
		eventually(t, m.Kind()+" statuses", func() bool { return len(e.rc.statuses(id)) == len(want) })
		if got := e.rc.statuses(id); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s statuses = %v, want %v", m.Kind(), got, want)
		}
		st, _ := e.rc.status(id, "delivered")
		if st.RecipientID != maria || st.CallbackData != "outbox:"+m.Kind() || st.Pricing == nil || st.Metadata.PhoneNumberID != e.sim.PhoneNumberID() || st.Timestamp.IsZero() {
			t.Errorf("status = %+v", st)
		}
		inbox := e.sim.Inbox(maria)
		pm := inbox[len(inbox)-1]
		if pm.ID != id || pm.FromCitizen || pm.Status != want[len(want)-1] {
			t.Errorf("inbox = %+v", pm)
		}
		if tt.check != nil {
			tt.check(t, pm)
		}
	}
	sent := e.sim.Sent()
	if len(sent) != len(tests) || sent[0].To != maria || sent[0].Message.Text.Body != "Olá, Maria" {
		t.Errorf("Sent = %+v", sent)
	}
	if e.sim.SendCount() != len(tests) || len(e.sim.SendTimes("+"+maria)) != len(tests) {
		t.Errorf("SendCount %d, SendTimes %d", e.sim.SendCount(), len(e.sim.SendTimes(maria)))
	}
	e.rc.mu.Lock()
	h := e.rc.heads[0]
	e.rc.mu.Unlock()
	if h.Get("Content-Type") != "application/json" || !strings.HasPrefix(h.Get("X-Hub-Signature"), "sha1=") {
		t.Errorf("webhook headers %v", h)
	}
}

func equalOptions(a, b []PhoneOption) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestStatusEnvelopeIsMetas(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.send(t, whatsapp.Text(maria, "oi"))
	eventually(t, "sent", func() bool { return len(e.rc.statuses(id)) >= 1 })
	e.rc.mu.Lock()
	body := e.rc.bodies[0]
	e.rc.mu.Unlock()
	var env struct {
		Object string `json:"object"`
		Entry  []struct {
			ID      string `json:"id"`
			Changes []struct {
				Field string `json:"field"`
				Value struct {
					MessagingProduct string            `json:"messaging_product"`
					Metadata         map[string]string `json:"metadata"`
					Statuses         []map[string]any  `json:"statuses"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	c := env.Entry[0].Changes[0]
	st := c.Value.Statuses[0]
	if env.Object != "whatsapp_business_account" || env.Entry[0].ID == "" || c.Field != "messages" ||
		c.Value.MessagingProduct != "whatsapp" || c.Value.Metadata["phone_number_id"] != e.sim.PhoneNumberID() ||
		c.Value.Metadata["display_phone_number"] != e.sim.DisplayPhone() {
		t.Errorf("envelope %s", body)
	}
	if _, isString := st["timestamp"].(string); !isString || st["id"] != id || st["status"] != "sent" || st["recipient_id"] != maria {
		t.Errorf("status %v", st)
	}
}

func TestManualRead(t *testing.T) {
	e := newEnv(t, Options{ManualRead: true})
	id := e.send(t, whatsapp.Text(maria, "Seu protocolo é 2026 000123-4"))
	eventually(t, "delivered", func() bool { return len(e.rc.statuses(id)) == 2 })
	time.Sleep(30 * time.Millisecond)
	if got := e.rc.statuses(id); len(got) != 2 {
		t.Fatalf("read without MarkSeen: %v", got)
	}
	if p := e.sim.Phones(); len(p) != 1 || p[0].Unread != 1 {
		t.Errorf("Phones = %+v", p)
	}
	e.sim.MarkSeen("+" + maria)
	eventually(t, "read", func() bool { return len(e.rc.statuses(id)) == 3 })
	if p := e.sim.Phones(); p[0].Unread != 0 || e.sim.Inbox(maria)[0].Status != "read" {
		t.Errorf("after MarkSeen: %+v %+v", p, e.sim.Inbox(maria))
	}
}

func TestMarkRead(t *testing.T) {
	e := newEnv(t, Options{})
	first := e.citizenSays(t, "Bom dia")
	second := e.citizenSays(t, "Alguém aí?")
	third := e.citizenSays(t, "Oi?")
	if _, err := e.client.Send(context.Background(), whatsapp.MarkRead(second)); err != nil {
		t.Fatalf("MarkRead: %v", err)
	}
	got := map[string]string{}
	for _, pm := range e.sim.Inbox(maria) {
		got[pm.ID] = pm.Status
	}
	if got[first] != "read" || got[second] != "read" || got[third] != "delivered" {
		t.Errorf("ticks = %v", got)
	}
	_, err := e.client.Send(context.Background(), whatsapp.MarkRead("wamid.nao-existe"))
	var ae *whatsapp.APIError
	if !errors.As(err, &ae) || ae.Code != 100 {
		t.Errorf("MarkRead(unknown) = %v", err)
	}
}

// rawPost sends body to the messages endpoint without the client's validation.
func rawPost(t *testing.T, e *env, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+prefix+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestSendRefusedLikeMeta(t *testing.T) {
	e := newEnv(t, Options{AccessToken: "EAAG-demo", Templates: []TemplateSpec{{Name: "aviso", Language: "pt_BR", Body: "Olá {{1}}"}}})
	path := "/" + e.sim.PhoneNumberID() + "/messages"
	rows := make([]string, 11)
	for i := range rows {
		rows[i] = `{"id":"r` + string(rune('a'+i)) + `","title":"Opção"}`
	}
	tests := []struct {
		name    string
		path    string
		token   string
		body    string
		status  int
		code    int
		details string
	}{
		{"no token", path, "", `{"messaging_product":"whatsapp","to":"5517988887777","type":"text","text":{"body":"x"}}`, 401, 190, ""},
		{"wrong token", path, "other", `{"messaging_product":"whatsapp","to":"5517988887777","type":"text","text":{"body":"x"}}`, 401, 190, ""},
		{"wrong phone id", "/123/messages", "EAAG-demo", `{"messaging_product":"whatsapp","to":"5517988887777","type":"text","text":{"body":"x"}}`, 400, 100, ""},
		{"not JSON", path, "EAAG-demo", `{"messaging_product":`, 400, 100, "not valid JSON"},
		{"no messaging_product", path, "EAAG-demo", `{"to":"5517988887777","type":"text","text":{"body":"x"}}`, 400, 100, ""},
		{"no recipient", path, "EAAG-demo", `{"messaging_product":"whatsapp","type":"text","text":{"body":"x"}}`, 400, 100, ""},
		{"text too long", path, "EAAG-demo", `{"messaging_product":"whatsapp","to":"5517988887777","text":{"body":"` + strings.Repeat("a", 4097) + `"}}`, 400, 131009, "text.body: 4097 characters; the limit is 4096"},
		{"11 rows", path, "EAAG-demo", `{"messaging_product":"whatsapp","to":"5517988887777","type":"interactive","interactive":{"type":"list","body":{"text":"x"},"action":{"button":"Ver","sections":[{"title":"A","rows":[` + strings.Join(rows, ",") + `]}]}}}`, 400, 131009, "rows"},
		{"unknown media id", path, "EAAG-demo", `{"messaging_product":"whatsapp","to":"5517988887777","type":"image","image":{"id":"999"}}`, 400, 131009, "Invalid media ID"},
		{"unknown template", path, "EAAG-demo", `{"messaging_product":"whatsapp","to":"5517988887777","type":"template","template":{"name":"outro","language":{"code":"pt_BR"}}}`, 404, 132001, "outro"},
		{"template language", path, "EAAG-demo", `{"messaging_product":"whatsapp","to":"5517988887777","type":"template","template":{"name":"aviso","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"a"}]}]}}`, 404, 132001, ""},
		{"template parameter count", path, "EAAG-demo", `{"messaging_product":"whatsapp","to":"5517988887777","type":"template","template":{"name":"aviso","language":{"code":"pt_BR"}}}`, 400, 132000, "(0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := rawPost(t, e, tt.path, tt.token, tt.body)
			ge, _ := body["error"].(map[string]any)
			if status != tt.status || ge == nil || ge["code"] != float64(tt.code) || ge["type"] != "OAuthException" || ge["fbtrace_id"] == "" {
				t.Fatalf("answer %d %v; want %d with code %d", status, body, tt.status, tt.code)
			}
			if !strings.HasPrefix(ge["message"].(string), "(#") {
				t.Errorf("message %q", ge["message"])
			}
			if tt.details != "" {
				data, _ := ge["error_data"].(map[string]any)
				if data == nil || data["messaging_product"] != "whatsapp" || !strings.Contains(data["details"].(string), tt.details) {
					t.Errorf("error_data %v, want details with %q", data, tt.details)
				}
			}
		})
	}
	if len(e.sim.Sent()) != 0 {
		t.Errorf("refused messages were accepted: %+v", e.sim.Sent())
	}
	// Type defaults to text, as on Meta.
	status, body := rawPost(t, e, path, "EAAG-demo", `{"messaging_product":"whatsapp","to":"+5517988887777","text":{"body":"x"}}`)
	msgs, _ := body["messages"].([]any)
	contacts, _ := body["contacts"].([]any)
	if status != 200 || len(msgs) != 1 || len(contacts) != 1 || contacts[0].(map[string]any)["wa_id"] != maria || contacts[0].(map[string]any)["input"] != "+5517988887777" {
		t.Errorf("success answer %d %v", status, body)
	}
}

func TestFaultsOnSend(t *testing.T) {
	tests := []struct {
		fault  Fault
		code   int
		status int
		class  whatsapp.Class
	}{
		{Fault{Kind: FaultServerError}, 0, 500, whatsapp.Retry},
		{Fault{Kind: FaultAPIError, Code: 130429}, 130429, 400, whatsapp.Retry},
		{Fault{Kind: FaultAPIError, Code: 131047}, 131047, 400, whatsapp.Window},
		{Fault{Kind: FaultAPIError, Code: 131056}, 131056, 400, whatsapp.RetryContact},
		{Fault{Kind: FaultAPIError, Code: 190}, 190, 401, whatsapp.Fatal},
		{Fault{Kind: FaultAPIError, Code: 368}, 368, 403, whatsapp.Fatal},
		{Fault{Kind: FaultAPIError, Code: 131026}, 131026, 400, whatsapp.Permanent},
		{Fault{Kind: FaultAPIError, Code: 132015}, 132015, 400, whatsapp.TemplateProblem},
		{Fault{Kind: FaultAPIError, Code: 4242, HTTPStatus: 503, Details: "made up"}, 4242, 503, whatsapp.Retry},
	}
	e := newEnv(t, Options{})
	for _, tt := range tests {
		t.Run(string(tt.fault.Kind)+"/"+http.StatusText(tt.status), func(t *testing.T) {
			f := tt.fault
			f.Count = 2
			e.sim.SetFault(f)
			for i := range 2 {
				_, err := e.client.Send(context.Background(), whatsapp.Text(maria, "oi"))
				var ae *whatsapp.APIError
				if !errors.As(err, &ae) || ae.Code != tt.code || ae.HTTPStatus != tt.status || whatsapp.Classify(err) != tt.class {
					t.Fatalf("send %d: %v (class %v); want code %d, HTTP %d, %v", i, err, whatsapp.Classify(err), tt.code, tt.status, tt.class)
				}
				if tt.code != 0 && (ae.FBTraceID == "" || ae.Message == "") {
					t.Errorf("error body incomplete: %+v", ae)
				}
			}
			if _, active := e.sim.CurrentFault(); active {
				t.Error("fault still active after Count uses")
			}
			e.send(t, whatsapp.Text(maria, "oi"))
		})
	}
}

func TestFaultScopeAndClear(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.SetFault(Fault{Kind: FaultAPIError, Code: 131056, To: "+" + maria})
	for range 3 {
		if _, err := e.client.Send(context.Background(), whatsapp.Text(maria, "oi")); whatsapp.Classify(err) != whatsapp.RetryContact {
			t.Fatalf("to Maria: %v", err)
		}
	}
	e.send(t, whatsapp.Text("5517977776666", "oi")) // other citizens are unaffected
	if f, ok := e.sim.CurrentFault(); !ok || f.Code != 131056 {
		t.Errorf("CurrentFault = %+v, %v", f, ok)
	}
	e.sim.ClearFault()
	e.send(t, whatsapp.Text(maria, "oi"))
	if e.sim.SendCount() != 5 || len(e.sim.SendTimes(maria)) != 4 || len(e.sim.Sent()) != 2 {
		t.Errorf("SendCount %d, SendTimes %d, Sent %d", e.sim.SendCount(), len(e.sim.SendTimes(maria)), len(e.sim.Sent()))
	}
	e.sim.ResetCounters()
	if e.sim.SendCount() != 0 || len(e.sim.Sent()) != 0 {
		t.Error("ResetCounters left counts")
	}
}

func TestFaultTimeout(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.SetFault(Fault{Kind: FaultTimeout, Count: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.client.Send(ctx, whatsapp.Text(maria, "oi"))
	if !errors.Is(err, context.DeadlineExceeded) || whatsapp.Classify(err) != whatsapp.Retry {
		t.Fatalf("Send = %v (class %v)", err, whatsapp.Classify(err))
	}
	if time.Since(start) < 100*time.Millisecond {
		t.Error("answered before the client gave up")
	}
	e.send(t, whatsapp.Text(maria, "oi"))
}

func TestFaultDropStatuses(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.SetFault(Fault{Kind: FaultDropStatuses, Count: 1})
	dropped := e.send(t, whatsapp.Text(maria, "um"))
	kept := e.send(t, whatsapp.Text(maria, "dois"))
	eventually(t, "statuses of the second message", func() bool { return len(e.rc.statuses(kept)) == 3 })
	eventually(t, "the phone to read the first", func() bool { return e.sim.Inbox(maria)[0].Status == "read" })
	if got := e.rc.statuses(dropped); len(got) != 0 {
		t.Errorf("dropped message got statuses %v", got)
	}
}

func TestFaultFailedStatus(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.SetFault(Fault{Kind: FaultFailedStatus, Code: 131026, Count: 1})
	id := e.send(t, whatsapp.Text(maria, "oi"))
	eventually(t, "failed", func() bool { return len(e.rc.statuses(id)) == 1 })
	st, ok := e.rc.status(id, "failed")
	if !ok || st.Err() == nil || st.Err().Code != 131026 || whatsapp.Classify(st.Err()) != whatsapp.Permanent || st.Err().Details == "" {
		t.Fatalf("failed status = %+v", st)
	}
	if pm := e.sim.Inbox(maria)[0]; pm.Status != "failed" || !strings.Contains(pm.Error, "131026") {
		t.Errorf("phone shows %+v", pm)
	}
	time.Sleep(20 * time.Millisecond)
	if got := e.rc.statuses(id); len(got) != 1 {
		t.Errorf("statuses after failed: %v", got)
	}
}

func TestEnforceWindow(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, Options{EnforceWindow: true, Now: clock})
	closed := e.send(t, whatsapp.Text(maria, "Olá"))
	tpl := e.send(t, whatsapp.Template(maria, "aviso", "pt_BR", "x"))
	eventually(t, "statuses", func() bool { return len(e.rc.statuses(closed)) == 1 && len(e.rc.statuses(tpl)) == 3 })
	if st, _ := e.rc.status(closed, "failed"); whatsapp.Classify(st.Err()) != whatsapp.Window {
		t.Errorf("outside the window: %+v", st)
	}
	e.citizenSays(t, "Bom dia")
	open := e.send(t, whatsapp.Text(maria, "Olá de novo"))
	eventually(t, "delivered inside the window", func() bool { return len(e.rc.statuses(open)) == 3 })
	mu.Lock()
	now = now.Add(25 * time.Hour)
	mu.Unlock()
	late := e.send(t, whatsapp.Text(maria, "Ainda aí?"))
	eventually(t, "failed after 24 h", func() bool { _, ok := e.rc.status(late, "failed"); return ok })
}

func TestWebhookRetries(t *testing.T) {
	e := newEnv(t, Options{})
	e.rc.answer = func(n int) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	id := e.send(t, whatsapp.Text(maria, "oi"))
	eventually(t, "all statuses despite two refusals", func() bool { return len(e.rc.statuses(id)) == 3 })
	if got := e.rc.statuses(id); strings.Join(got, ",") != "sent,delivered,read" {
		t.Errorf("statuses %v", got)
	}
	if w := e.sim.Webhooks(); w.Attempts != 5 || w.Delivered != 3 || w.GaveUp != 0 {
		t.Errorf("Webhooks = %+v", w)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	e := newEnv(t, Options{MaxAttempts: 3})
	e.rc.answer = func(int) int { return http.StatusCreated } // only exactly 200 counts
	e.send(t, whatsapp.Text(maria, "oi"))
	eventually(t, "three statuses given up", func() bool { return e.sim.Webhooks().GaveUp == 3 })
	if w := e.sim.Webhooks(); w.Attempts != 9 || w.Delivered != 0 {
		t.Errorf("Webhooks = %+v", w)
	}
}

func TestSubscribe(t *testing.T) {
	e := newEnv(t, Options{})
	changes, cancel := e.sim.Subscribe()
	defer cancel()
	v := e.sim.Version()
	e.sim.AddPhone("5511955554444", "Ana")
	select {
	case <-changes:
	case <-time.After(time.Second):
		t.Fatal("no change notified")
	}
	if e.sim.Version() <= v {
		t.Error("Version did not move")
	}
	if p := e.sim.Phones(); len(p) != 1 || p[0].Name != "Ana" || p[0].WaID != "5511955554444" {
		t.Errorf("Phones = %+v", p)
	}
}

func TestVerifyWebhook(t *testing.T) {
	e := newEnv(t, Options{})
	if err := e.sim.VerifyWebhook(context.Background()); err != nil {
		t.Fatalf("VerifyWebhook: %v", err)
	}
	e.rc.token = "outro"
	var we *WebhookError
	if err := e.sim.VerifyWebhook(context.Background()); !errors.As(err, &we) || we.StatusCode != http.StatusForbidden {
		t.Errorf("VerifyWebhook with a wrong token = %v", err)
	}
}

func TestPhoneNumberProfile(t *testing.T) {
	e := newEnv(t, Options{})
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+prefix+"/"+e.sim.PhoneNumberID(), nil)
	req.Header.Set("Authorization", "Bearer x")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&p)
	if resp.StatusCode != 200 || p["display_phone_number"] != e.sim.DisplayPhone() {
		t.Errorf("profile %d %v", resp.StatusCode, p)
	}
	status, body := rawPost(t, e, "/nada/aqui/mesmo", "x", "{}")
	if ge, _ := body["error"].(map[string]any); status != 400 || ge["code"] != float64(100) {
		t.Errorf("unknown path %d %v", status, body)
	}
}
