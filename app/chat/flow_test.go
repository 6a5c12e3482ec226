package chat_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"balcao/app/server/servertest"
	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/app/testutil"
)

const maria = "5517988887777"

// simulatorCitizenWrites sends a text as the citizen through the simulator
// (a signed webhook to /webhook/whatsapp) and returns the ticket it lands in.
func simulatorCitizenWrites(t *testing.T, a *servertest.App, text string) int64 {
	t.Helper()
	wamid, err := a.Simulator.CitizenSend(context.Background(), simulator.CitizenMessage{From: maria, Name: "Maria da Silva", Body: text})
	if err != nil {
		t.Fatalf("citizen send: %v", err)
	}
	var ticket int64
	servertest.WaitFor(t, "the citizen's message routed", 5*time.Second, func() bool {
		return a.Store.R.QueryRow(`SELECT COALESCE(ticket_id, 0) FROM messages WHERE wamid = ?`, wamid).Scan(&ticket) == nil && ticket > 0
	})
	return ticket
}

// phoneShows waits until the citizen's phone has a message from balcao containing text with status.
func phoneShows(t *testing.T, a *servertest.App, text, status string) simulator.PhoneMessage {
	t.Helper()
	var found simulator.PhoneMessage
	servertest.WaitFor(t, "the phone to show "+text+" "+status, 10*time.Second, func() bool {
		for _, m := range a.Simulator.Inbox(maria) {
			if !m.FromCitizen && strings.Contains(m.Body+m.Template, text) && (status == "" || m.Status == status) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

func messageStatus(t *testing.T, a *servertest.App, bodyLike string) string {
	t.Helper()
	var st string
	a.Store.R.QueryRow(`SELECT status FROM messages WHERE direction = 'out' AND body LIKE ? ORDER BY id DESC LIMIT 1`, "%"+bodyLike+"%").Scan(&st)
	return st
}

func TestReplyTravelsThroughTheSimulatorAndTicksAdvanceToRead(t *testing.T) {
	a := servertest.Start(t, servertest.Options{Simulator: true})
	clerk, _ := a.LoginAs(store.RoleAgent, "carla@example.com")
	id := simulatorCitizenWrites(t, a, "Bom dia, a rua está sem água")
	clerk.PostForm(ticketPath(id, "/assumir"), nil)
	if r := clerk.PostForm(ticketPath(id, "/responder"), url.Values{"texto": {"Já avisamos a equipe de manutenção."}}); r.Status != http.StatusOK {
		t.Fatalf("responder: %d", r.Status)
	}
	phoneShows(t, a, "Já avisamos a equipe", "read")
	servertest.WaitFor(t, "the reply's status to reach read in balcao", 10*time.Second, func() bool {
		return messageStatus(t, a, "Já avisamos a equipe") == "read"
	})
	frag := clerk.Get(ticketPath(id, "/mensagens")).Body
	if !strings.Contains(frag, `class="tick read"`) {
		t.Errorf("the panel does not show the read ticks:\n%s", frag)
	}
	// Opening the chat as its holder sent a read receipt: the citizen sees blue ticks.
	servertest.WaitFor(t, "the citizen's message marked read on the phone", 10*time.Second, func() bool {
		for _, m := range a.Simulator.Inbox(maria) {
			if m.FromCitizen && m.Status == "read" {
				return true
			}
		}
		return false
	})
}

func TestFailedSendIsShownAndCanBeResent(t *testing.T) {
	a := servertest.Start(t, servertest.Options{Simulator: true})
	clerk, _ := a.LoginAs(store.RoleAgent, "carla@example.com")
	id := simulatorCitizenWrites(t, a, "oi")
	clerk.PostForm(ticketPath(id, "/assumir"), nil)
	a.Simulator.SetFault(simulator.Fault{Kind: simulator.FaultAPIError, Code: 131026})
	clerk.PostForm(ticketPath(id, "/responder"), url.Values{"texto": {"Mensagem que vai falhar"}})
	servertest.WaitFor(t, "the send to fail", 10*time.Second, func() bool { return messageStatus(t, a, "vai falhar") == "failed" })
	frag := clerk.Get(ticketPath(id, "/mensagens")).Body
	if !strings.Contains(frag, "⚠") || !strings.Contains(frag, "não usa WhatsApp") || !strings.Contains(frag, "Reenviar") {
		t.Fatalf("the failure is not explained with a Reenviar button:\n%s", frag)
	}
	var msgID int64
	a.Store.R.QueryRow(`SELECT id FROM messages WHERE body LIKE '%vai falhar%'`).Scan(&msgID)
	a.Simulator.ClearFault()
	bruno, _ := a.LoginAs(store.RoleAgent, "bruno@example.com")
	resend := ticketPath(id, "/mensagens/"+itoa(msgID)+"/reenviar")
	if r := bruno.PostForm(resend, nil); r.Status != http.StatusForbidden {
		t.Errorf("another clerk resending: status %d, want 403", r.Status)
	}
	if r := clerk.PostForm(resend, nil); r.Status != http.StatusOK {
		t.Fatalf("reenviar: %d", r.Status)
	}
	phoneShows(t, a, "Mensagem que vai falhar", "")
}

func TestPhotoAndPDFBothWays(t *testing.T) {
	a := servertest.Start(t, servertest.Options{Simulator: true})
	clerk, _ := a.LoginAs(store.RoleAgent, "carla@example.com")
	photo := pngBytes(t)
	wamid, err := a.Simulator.CitizenSend(context.Background(), simulator.CitizenMessage{From: maria, Name: "Maria",
		Type: "image", Media: photo, MimeType: "image/png", Body: "vazamento na calçada"})
	if err != nil {
		t.Fatal(err)
	}
	var id, mediaID int64
	servertest.WaitFor(t, "the photo downloaded into media.db", 10*time.Second, func() bool {
		return a.Store.R.QueryRow(`SELECT COALESCE(ticket_id, 0), COALESCE(media_id, 0) FROM messages WHERE wamid = ?`, wamid).
			Scan(&id, &mediaID) == nil && id > 0 && mediaID > 0
	})
	page := clerk.Get(ticketPath(id, ""))
	if !strings.Contains(page.Body, `<img src="/midia/`+itoa(mediaID)+`"`) {
		t.Fatalf("no thumbnail of the photo in the conversation")
	}
	res, err := clerk.HTTP.Get(a.URL + "/midia/" + itoa(mediaID))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || res.Header.Get("X-Content-Type-Options") != "nosniff" || !bytes.Equal(got, photo) {
		t.Errorf("GET /midia: status %d, type %q, nosniff %q, %d bytes", res.StatusCode, res.Header.Get("Content-Type"),
			res.Header.Get("X-Content-Type-Options"), len(got))
	}
	if r := a.Client().Get("/midia/" + itoa(mediaID)); r.URL.Path != "/entrar" {
		t.Errorf("media served without login (landed on %s)", r.URL.Path)
	}

	clerk.PostForm(ticketPath(id, "/assumir"), nil)
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	if st := postFile(t, clerk, ticketPath(id, "/responder"), "Segue o boleto", "boleto água.pdf", pdf); st != http.StatusOK {
		t.Fatalf("reply with a PDF: status %d", st)
	}
	var payload string
	var pdfID int64
	a.Store.R.QueryRow(`SELECT payload, media_id FROM messages WHERE direction = 'out' AND type = 'document'`).Scan(&payload, &pdfID)
	if !strings.Contains(payload, `"id":"media:`+itoa(pdfID)+`"`) || !strings.Contains(payload, `"filename":"boleto água.pdf"`) {
		t.Fatalf("document payload %s does not reference media %d", payload, pdfID)
	}
	pm := phoneShows(t, a, "Segue o boleto", "")
	if pm.Media == nil || pm.Media.Filename != "boleto água.pdf" {
		t.Errorf("the phone got the document without its file: %+v", pm.Media)
	}
	res, err = clerk.HTTP.Get(a.URL + "/midia/" + itoa(pdfID))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("PDF served as %q, %q", res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	if st := postFile(t, clerk, ticketPath(id, "/responder"), "", "pagina.html", []byte("<html><script>alert(1)</script>")); st != http.StatusUnsupportedMediaType {
		t.Errorf("an HTML attachment: status %d, want 415", st)
	}
}

func TestSimulatorNotMountedWithoutTheSetting(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	c := a.Client()
	for _, path := range []string{"/simulador", "/simulador/eventos", "/simulador/graph/v25.0/106540352242922"} {
		if r := c.Get(path); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, r.Status)
		}
	}
	res, err := http.Post(a.URL+"/simulador/graph/v25.0/106540352242922/messages", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("POST to the Graph stand-in: status %d, want 404", res.StatusCode)
	}
	if a.Simulator != nil {
		t.Error("a simulator was started")
	}
}

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// postFile posts the reply form with an attachment, as the panel's htmx form does.
func postFile(t *testing.T, c *testutil.Client, path, text, filename string, data []byte) int {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("texto", text)
	fw, _ := mw.CreateFormFile("arquivo", filename)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.BaseURL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.CSRFToken())
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
