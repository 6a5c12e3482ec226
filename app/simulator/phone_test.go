package simulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"balcao/app/whatsapp"
)

func TestCitizenSendParsesBack(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	photo := []byte("\xff\xd8\xff\xe0 foto do buraco")
	pdf := []byte("%PDF-1.4 comprovante")
	voice := []byte("OggS voz")
	tests := []struct {
		name  string
		msg   CitizenMessage
		typ   string
		text  string
		reply string
		media []byte
		check func(t *testing.T, m whatsapp.InboundMessage)
	}{
		{name: "text", msg: CitizenMessage{Body: "Quero a segunda via"}, typ: "text", text: "Quero a segunda via"},
		{
			name: "list reply", typ: "interactive", text: "Segunda via", reply: "agua_2via",
			msg: CitizenMessage{Type: whatsapp.InteractiveListReply, ReplyID: "agua_2via", ReplyTitle: "Segunda via", ReplyDescription: "Conta de água", Context: "wamid.LIST"},
			check: func(t *testing.T, m whatsapp.InboundMessage) {
				if m.Interactive.Type != whatsapp.InteractiveListReply || m.Interactive.Description != "Conta de água" || m.Context == nil || m.Context.ID != "wamid.LIST" {
					t.Errorf("%+v %+v", m.Interactive, m.Context)
				}
			},
		},
		{
			name: "button reply", typ: "interactive", text: "Sim", reply: "sim",
			msg: CitizenMessage{Type: whatsapp.InteractiveButtonReply, ReplyID: "sim", ReplyTitle: "Sim"},
		},
		{
			name: "template quick reply", typ: "button", text: "Falar com atendente", reply: "atendente",
			msg: CitizenMessage{Type: whatsapp.TypeButton, ReplyID: "atendente", ReplyTitle: "Falar com atendente"},
		},
		{
			name: "image", typ: "image", text: "Buraco na Rua 7", media: photo,
			msg: CitizenMessage{Type: whatsapp.TypeImage, Body: "Buraco na Rua 7", Media: photo, MimeType: "image/jpeg"},
		},
		{
			name: "document", typ: "document", text: "[documento] comprovante.pdf", media: pdf,
			msg: CitizenMessage{Type: whatsapp.TypeDocument, Media: pdf, MimeType: "application/pdf", Filename: "comprovante.pdf"},
		},
		{
			name: "voice", typ: "audio", text: "[mensagem de voz]", media: voice,
			msg: CitizenMessage{Type: whatsapp.TypeAudio, Media: voice, MimeType: "audio/ogg; codecs=opus"},
		},
		{
			name: "location", typ: "location", text: "[localização] Praça da Matriz — Centro",
			msg: CitizenMessage{Type: whatsapp.TypeLocation, Lat: -20.8113, Lng: -49.3758, LocationName: "Praça da Matriz", Address: "Centro"},
			check: func(t *testing.T, m whatsapp.InboundMessage) {
				if m.Location.Latitude != -20.8113 || m.Location.Longitude != -49.3758 {
					t.Errorf("%+v", m.Location)
				}
			},
		},
		{
			name: "reaction", typ: "reaction", text: "[reação 👍]",
			msg: CitizenMessage{Type: whatsapp.TypeReaction, Emoji: "👍", Context: "wamid.OUT"},
			check: func(t *testing.T, m whatsapp.InboundMessage) {
				if m.Reaction.MessageID != "wamid.OUT" || m.Context != nil {
					t.Errorf("%+v %+v", m.Reaction, m.Context)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cm := tt.msg
			cm.From, cm.Name = "+"+maria, "Maria da Silva"
			id, err := e.sim.CitizenSend(ctx, cm)
			if err != nil {
				t.Fatalf("CitizenSend: %v", err)
			}
			m, ok := e.rc.message(id)
			if !ok {
				t.Fatal("the webhook did not get the message before CitizenSend returned")
			}
			if m.Type != tt.typ || m.Text() != tt.text || m.ReplyID() != tt.reply || m.From != maria || m.ProfileName != "Maria da Silva" ||
				m.Timestamp.IsZero() || m.Metadata.PhoneNumberID != e.sim.PhoneNumberID() {
				t.Errorf("parsed %+v: type %q text %q reply %q", m, m.Type, m.Text(), m.ReplyID())
			}
			if tt.check != nil {
				tt.check(t, m)
			}
			if tt.media != nil {
				sum := sha256.Sum256(tt.media)
				if m.Media == nil || m.Media.SHA256 != base64.StdEncoding.EncodeToString(sum[:]) || m.Media.MimeType != cm.MimeType {
					t.Fatalf("media %+v", m.Media)
				}
				info, data, err := e.client.FetchMedia(ctx, m.Media.ID, 1<<20)
				if err != nil || !bytes.Equal(data, tt.media) || info.MimeType != cm.MimeType || info.FileSize != int64(len(tt.media)) {
					t.Errorf("FetchMedia = %+v, %q, %v", info, data, err)
				}
			}
			inbox := e.sim.Inbox(maria)
			if pm := inbox[len(inbox)-1]; pm.ID != id || !pm.FromCitizen || pm.Status != "delivered" {
				t.Errorf("inbox %+v", pm)
			}
		})
	}
}

func TestCitizenSendRefused(t *testing.T) {
	e := newEnv(t, Options{})
	e.rc.answer = func(int) int { return http.StatusServiceUnavailable }
	id, err := e.sim.CitizenSend(context.Background(), CitizenMessage{From: maria, Body: "oi"})
	var we *WebhookError
	if !errors.As(err, &we) || we.StatusCode != http.StatusServiceUnavailable || id == "" {
		t.Fatalf("CitizenSend = %q, %v", id, err)
	}
	if pm := e.sim.Inbox(maria)[0]; pm.Status != "failed" || !strings.Contains(pm.Error, "503") {
		t.Errorf("inbox %+v", pm)
	}
	if w := e.sim.Webhooks(); w.Rejected != 1 || w.Attempts != 1 {
		t.Errorf("Webhooks = %+v (citizen messages are posted once)", w)
	}
	for _, bad := range []CitizenMessage{
		{From: "", Body: "x"},
		{From: "55abc", Body: "x"},
		{From: maria},
		{From: maria, Type: whatsapp.TypeImage},
		{From: maria, Type: whatsapp.InteractiveListReply},
		{From: maria, Type: whatsapp.TypeReaction, Emoji: "👍"},
		{From: maria, Type: "poll"},
	} {
		if _, err := e.sim.CitizenSend(context.Background(), bad); err == nil || errors.As(err, &we) && we.StatusCode != 503 {
			t.Errorf("CitizenSend(%+v) = %v, want a refusal", bad, err)
		}
	}
}

func TestCitizenSendWithoutWebhook(t *testing.T) {
	sim := New(Options{})
	defer sim.Close()
	if _, err := sim.CitizenSend(context.Background(), CitizenMessage{From: maria, Body: "oi"}); err == nil {
		t.Error("no webhook URL should be an error")
	}
}

func TestTap(t *testing.T) {
	e := newEnv(t, Options{Templates: []TemplateSpec{{Name: "pesquisa", Body: "Como foi?", Buttons: []string{"Bom", "Ruim"}}}})
	ctx := context.Background()
	list := e.send(t, whatsapp.List(maria, "Escolha", "", whatsapp.Section{Rows: []whatsapp.Row{{ID: "iptu", Title: "IPTU", Description: "Segunda via"}}}))
	buttons := e.send(t, whatsapp.Buttons(maria, "Resolvido?", whatsapp.Button{ID: "sim", Title: "Sim"}))
	tpl := e.send(t, whatsapp.Template(maria, "pesquisa", "pt_BR"))
	tests := []struct {
		msg, option, typ, text, kind string
	}{
		{list, "iptu", "interactive", "IPTU", whatsapp.InteractiveListReply},
		{buttons, "sim", "interactive", "Sim", whatsapp.InteractiveButtonReply},
		{tpl, "Ruim", "button", "Ruim", ""},
	}
	for _, tt := range tests {
		id, err := e.sim.Tap(ctx, "+"+maria, tt.msg, tt.option)
		if err != nil {
			t.Fatalf("Tap: %v", err)
		}
		m, _ := e.rc.message(id)
		if m.Type != tt.typ || m.ReplyID() != tt.option || m.Text() != tt.text || m.Context == nil || m.Context.ID != tt.msg {
			t.Errorf("tap on %s: %+v", tt.option, m)
		}
		if tt.kind != "" && m.Interactive.Type != tt.kind {
			t.Errorf("interactive kind %q, want %q", m.Interactive.Type, tt.kind)
		}
	}
	if _, err := e.sim.Tap(ctx, maria, list, "nao-existe"); err == nil {
		t.Error("tapping a missing option should fail")
	}
	if _, err := e.sim.Tap(ctx, "5511955554444", list, "iptu"); err == nil {
		t.Error("another citizen cannot tap Maria's message")
	}
}

func TestMediaUploadAndDownload(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, Options{Now: clock})
	ctx := context.Background()
	data := bytes.Repeat([]byte("boleto "), 1000)
	id, err := e.client.UploadMedia(ctx, "application/pdf", "boleto.pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	info, err := e.client.MediaInfo(ctx, id)
	if err != nil || !strings.HasPrefix(info.URL, e.srv.URL+prefix+"/_media/"+id+"?") || len(info.SHA256) != 64 || info.FileSize != int64(len(data)) {
		t.Fatalf("MediaInfo = %+v, %v", info, err)
	}
	got, err := e.client.Download(ctx, info.URL, 0)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Download: %v", err)
	}
	if _, err := e.client.Download(ctx, info.URL, 100); !errors.Is(err, whatsapp.ErrTooLarge) {
		t.Errorf("Download over the limit = %v", err)
	}
	noToken := *e.client
	noToken.AccessToken = ""
	var ae *whatsapp.APIError
	if _, err := noToken.Download(ctx, info.URL, 0); !errors.As(err, &ae) || ae.HTTPStatus != 401 {
		t.Errorf("Download without a token = %v", err)
	}

	mu.Lock()
	now = now.Add(6 * time.Minute)
	mu.Unlock()
	if _, err := e.client.Download(ctx, info.URL, 0); !errors.As(err, &ae) || ae.HTTPStatus != 404 {
		t.Errorf("Download of an expired URL = %v", err)
	}

	e.sim.SetFault(Fault{Kind: FaultMediaExpired, Count: 1})
	if _, got, err := e.client.FetchMedia(ctx, id, 0); err != nil || !bytes.Equal(got, data) {
		t.Errorf("FetchMedia after one expired URL = %v", err)
	}
	e.sim.SetFault(Fault{Kind: FaultMediaExpired, Count: 2})
	if _, _, err := e.client.FetchMedia(ctx, id, 0); !errors.As(err, &ae) || ae.HTTPStatus != 404 {
		t.Errorf("FetchMedia after two expired URLs = %v", err)
	}
	if b, mime, name, ok := e.sim.MediaBytes(id); !ok || !bytes.Equal(b, data) || mime != "application/pdf" || name != "boleto.pdf" {
		t.Errorf("MediaBytes = %v %q %q", ok, mime, name)
	}

	req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+prefix+"/"+id, nil)
	req.Header.Set("Authorization", "Bearer x")
	resp, err := e.srv.Client().Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("DELETE = %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := e.client.MediaInfo(ctx, id); !errors.As(err, &ae) || ae.Code != 100 {
		t.Errorf("MediaInfo after delete = %v", err)
	}
}

func TestUploadRefused(t *testing.T) {
	e := newEnv(t, Options{})
	c := *e.client
	c.PhoneNumberID = "000"
	var ae *whatsapp.APIError
	if _, err := c.UploadMedia(context.Background(), "image/png", "a.png", []byte("png")); !errors.As(err, &ae) || ae.Code != 100 {
		t.Errorf("upload to another number = %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+prefix+"/"+e.sim.PhoneNumberID()+"/media", strings.NewReader("not multipart"))
	req.Header.Set("Authorization", "Bearer x")
	resp, err := e.srv.Client().Do(req)
	if err != nil || resp.StatusCode != 400 {
		t.Errorf("non-multipart upload = %v %v", resp.Status, err)
	}
	resp.Body.Close()
}

func TestPublicURL(t *testing.T) {
	e := newEnv(t, Options{PublicURL: "https://balcao.example/simulador/graph/v25.0/"})
	id, err := e.client.UploadMedia(context.Background(), "image/png", "a.png", []byte("png"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := e.client.MediaInfo(context.Background(), id)
	if err != nil || !strings.HasPrefix(info.URL, "https://balcao.example/simulador/graph/v25.0/_media/"+id+"?") {
		t.Errorf("MediaInfo URL = %q, %v", info.URL, err)
	}
}
