package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"balcao/app/simulator"
	"balcao/app/whatsapp"
	"balcao/views"
)

// The phone page at /simulador plays a citizen. It exists only when the
// simulator does (demo mode or BALCAO_SIMULATOR=true) and needs no login: it
// is the citizen's phone. Its forms are still protected against cross-site
// requests with the panel's own scheme: the page opens an anonymous session
// (the same scs cookie a clerk gets before logging in) holding a CSRF token
// that every form and htmx request must send back, checked by checkCSRF like
// any panel form. What the citizen sends goes through simulator.CitizenSend:
// a signed webhook POSTed to /webhook/whatsapp, never a private path.

// maxPhoneUpload bounds what a citizen attaches (WhatsApp's document limit is larger; a demo needs less).
const maxPhoneUpload = 16 << 20

// phoneEvent is the event name the phone page listens to.
const phoneEvent = "simulador"

// citizenNumber reads and checks the citizen's number (digits, 10 to 15).
func citizenNumber(v string) (string, bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "+")
	v = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(v)
	if len(v) < 10 || len(v) > 15 || strings.Trim(v, "0123456789") != "" {
		return "", false
	}
	return v, true
}

// phoneView builds the page for citizen waID ("" for none chosen).
func (s *Server) phoneView(waID string) views.PhoneView {
	now := time.Now()
	v := views.PhoneView{DisplayPhone: s.sim.DisplayPhone(), Fault: s.faultView()}
	for _, ph := range s.sim.Phones() {
		it := views.PhoneItem{WaID: ph.WaID, Name: ph.Name, Unread: ph.Unread, Active: ph.WaID == waID,
			Last: clockLabel(ph.LastAt.UnixMilli(), now)}
		if it.Name == "" {
			it.Name = "+" + ph.WaID
		}
		v.Phones = append(v.Phones, it)
		if it.Active {
			cur := it
			v.Current = &cur
		}
	}
	if v.Current == nil && waID != "" {
		v.Current = &views.PhoneItem{WaID: waID, Name: "+" + waID}
	}
	if v.Current != nil {
		for _, m := range s.sim.Inbox(waID) {
			v.Messages = append(v.Messages, phoneMsg(m, now))
		}
	}
	return v
}

// phoneTicks are the ticks the phone shows, by simulator status.
var phoneTicks = map[string][3]string{
	"accepted":  {"⏱", "queued", "Aceita, a caminho"},
	"sent":      {"✓", "sent", "Enviada"},
	"delivered": {"✓✓", "delivered", "Entregue"},
	"read":      {"✓✓", "read", "Lida"},
	"played":    {"✓✓", "read", "Reproduzida"},
	"failed":    {"⚠", "failed", "Não entregue"},
}

func phoneMsg(m simulator.PhoneMessage, now time.Time) views.PhoneMsg {
	v := views.PhoneMsg{ID: m.ID, Mine: m.FromCitizen, Kind: m.Type, Header: m.Header, Body: m.Body, Footer: m.Footer,
		ListButton: m.ListButton, Time: clockLabel(m.Time.UnixMilli(), now), Error: m.Error}
	if v.ListButton == "" {
		v.ListButton = "Ver opções"
	}
	if m.Template != "" && m.Body == "" {
		v.Body = "[modelo " + m.Template + "]"
	}
	for _, o := range m.Options {
		v.Options = append(v.Options, views.PhoneOpt{ID: o.ID, Title: o.Title, Description: o.Description})
	}
	if md := m.Media; md != nil && md.ID != "" {
		v.MediaURL = "/simulador/midia/" + url.PathEscape(md.ID)
		v.IsImage = inlineImages[md.MimeType]
		v.Filename = md.Filename
		if v.Filename == "" {
			v.Filename = "Documento"
		}
	}
	if l := m.Location; l != nil {
		v.MapURL = fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f", l.Latitude, l.Longitude, l.Latitude, l.Longitude)
		v.Place = strings.TrimSpace(l.Name + " " + l.Address)
		if v.Place == "" {
			v.Place = "Localização"
		}
	}
	if t, ok := phoneTicks[m.Status]; ok {
		v.Tick, v.TickClass, v.TickTitle = t[0], t[1], t[2]
	}
	return v
}

// phonePage is the phone: the chosen citizen's chat (?numero=), the list, the faults.
func (s *Server) phonePage(w http.ResponseWriter, r *http.Request) error {
	waID, _ := citizenNumber(r.URL.Query().Get("numero"))
	p := s.page(r, "Telefone do cidadão", "")
	return views.PhonePage(p, s.phoneView(waID)).Render(r.Context(), w)
}

// phoneList is the live fragment of the citizens list.
func (s *Server) phoneList(w http.ResponseWriter, r *http.Request) error {
	waID, _ := citizenNumber(r.URL.Query().Get("numero"))
	return views.PhoneList(s.phoneView(waID)).Render(r.Context(), w)
}

// phoneConversation is the live fragment of the chat.
func (s *Server) phoneConversation(w http.ResponseWriter, r *http.Request) error {
	waID, ok := citizenNumber(r.URL.Query().Get("numero"))
	if !ok {
		return errStatus(http.StatusBadRequest, "Número inválido.")
	}
	return views.PhoneMessages(views.Page{CSRF: s.csrfToken(r)}, s.phoneView(waID)).Render(r.Context(), w)
}

// phoneEvents streams "simulador" whenever a phone, a status or a fault changes.
func (s *Server) phoneEvents(w http.ResponseWriter, r *http.Request) error {
	changes, cancel := s.sim.Subscribe()
	defer cancel()
	return s.stream(w, r, changes, func() []string { return []string{phoneEvent} })
}

// phoneAdd creates (or renames) a citizen and opens their phone.
func (s *Server) phoneAdd(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	waID, ok := citizenNumber(f.Get("numero"))
	if !ok {
		return errStatus(http.StatusUnprocessableEntity, "Número inválido: use só dígitos, com DDI e DDD, por exemplo 5517988887777.")
	}
	s.sim.AddPhone(waID, strings.TrimSpace(f.Get("nome")))
	http.Redirect(w, r, "/simulador?numero="+waID, http.StatusSeeOther)
	return nil
}

// phoneSend sends the citizen's text, or photo/document with the text as caption.
func (s *Server) phoneSend(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return s.phoneAnswer(w, r, "", "Arquivo grande demais ou formulário inválido.")
	}
	waID, ok := citizenNumber(r.PostFormValue("numero"))
	if !ok {
		return errStatus(http.StatusBadRequest, "Número inválido.")
	}
	cm := simulator.CitizenMessage{From: waID, Type: whatsapp.TypeText, Body: strings.TrimSpace(r.PostFormValue("texto"))}
	if f, fh, err := r.FormFile("arquivo"); err == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxPhoneUpload+1))
		if err != nil || len(data) > maxPhoneUpload {
			return s.phoneAnswer(w, r, waID, "Arquivo grande demais para o simulador (até 16 MB).")
		}
		cm.Media, cm.Filename = data, attachmentName(fh.Filename, "")
		cm.MimeType = fh.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(cm.MimeType); err != nil || mt == "application/octet-stream" || mt == "" {
			cm.MimeType = http.DetectContentType(data)
		}
		cm.Type = whatsapp.TypeDocument
		if inlineImages[http.DetectContentType(data)] {
			cm.Type, cm.MimeType = whatsapp.TypeImage, http.DetectContentType(data)
		}
	} else if cm.Body == "" {
		return s.phoneAnswer(w, r, waID, "Escreva uma mensagem ou anexe um arquivo.")
	}
	_, err := s.sim.CitizenSend(r.Context(), cm)
	return s.phoneAnswer(w, r, waID, phoneSendError(err))
}

// phoneLocation shares a place.
func (s *Server) phoneLocation(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	waID, ok := citizenNumber(f.Get("numero"))
	if !ok {
		return errStatus(http.StatusBadRequest, "Número inválido.")
	}
	lat, err1 := strconv.ParseFloat(strings.ReplaceAll(f.Trimmed("lat"), ",", "."), 64)
	lng, err2 := strconv.ParseFloat(strings.ReplaceAll(f.Trimmed("lng"), ",", "."), 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return s.phoneAnswer(w, r, waID, "Latitude e longitude inválidas.")
	}
	_, err = s.sim.CitizenSend(r.Context(), simulator.CitizenMessage{From: waID, Type: whatsapp.TypeLocation,
		Lat: lat, Lng: lng, LocationName: f.Trimmed("lugar")})
	return s.phoneAnswer(w, r, waID, phoneSendError(err))
}

// phoneTap is the citizen tapping a list row or a button.
func (s *Server) phoneTap(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	waID, ok := citizenNumber(f.Get("numero"))
	if !ok {
		return errStatus(http.StatusBadRequest, "Número inválido.")
	}
	if _, err := s.sim.Tap(r.Context(), waID, f.Get("mensagem"), f.Get("opcao")); err != nil {
		var we *simulator.WebhookError
		if !errors.As(err, &we) {
			return errStatus(http.StatusUnprocessableEntity, "Esta opção não existe nesta mensagem.")
		}
	}
	if isHTMX(r) {
		w.Header().Set("HX-Trigger", "fone-enviou")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, "/simulador?numero="+waID, http.StatusSeeOther)
	return nil
}

// phoneAnswer answers a send: the compose box again (with the problem, a
// pt-BR sentence, when the send failed) for htmx, else the phone page.
func (s *Server) phoneAnswer(w http.ResponseWriter, r *http.Request, waID, problem string) error {
	v := s.phoneView(waID)
	if problem != "" {
		v.Error, v.Text = problem, r.PostFormValue("texto")
	}
	if !isHTMX(r) {
		if problem == "" {
			http.Redirect(w, r, "/simulador?numero="+waID, http.StatusSeeOther)
			return nil
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		return views.PhonePage(s.page(r, "Telefone do cidadão", ""), v).Render(r.Context(), w)
	}
	w.Header().Set("HX-Trigger", "fone-enviou")
	if problem != "" {
		w.Header().Set(fragmentHeader, "1")
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	if v.Current == nil {
		return nil
	}
	return views.PhoneCompose(views.Page{CSRF: s.csrfToken(r)}, v).Render(r.Context(), w)
}

// phoneSendError says in pt-BR why a citizen's message did not reach balcao ("" when it did).
func phoneSendError(err error) string {
	if err == nil {
		return ""
	}
	var we *simulator.WebhookError
	if errors.As(err, &we) {
		if we.StatusCode != 0 {
			return fmt.Sprintf("O balcão recusou o webhook (HTTP %d). O WhatsApp tentaria de novo mais tarde.", we.StatusCode)
		}
		return "O balcão não respondeu ao webhook. O WhatsApp tentaria de novo mais tarde."
	}
	if strings.HasPrefix(err.Error(), "simulator:") {
		return "Mensagem inválida: " + strings.TrimPrefix(err.Error(), "simulator: ")
	}
	return err.Error()
}

// phoneMedia serves a file the simulator holds (the citizen's, or balcao's uploads).
func (s *Server) phoneMedia(w http.ResponseWriter, r *http.Request) error {
	data, mimeType, filename, ok := s.sim.MediaBytes(r.PathValue("id"))
	if !ok {
		return errNotFound
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	ctype, _, err := mime.ParseMediaType(mimeType)
	if err != nil || !inlineImages[ctype] {
		if err != nil || ctype == "text/html" || ctype == "image/svg+xml" {
			ctype = "application/octet-stream"
		}
		if filename == "" {
			filename = "arquivo"
		}
		if cd := mime.FormatMediaType("attachment", map[string]string{"filename": filename}); cd != "" {
			h.Set("Content-Disposition", cd)
		} else {
			h.Set("Content-Disposition", "attachment")
		}
	}
	h.Set("Content-Type", ctype)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	return nil
}

// faults maps the panel's switches to simulator faults.
var faults = map[string]simulator.Fault{
	"500":        {Kind: simulator.FaultServerError},
	"130429":     {Kind: simulator.FaultAPIError, Code: 130429},
	"131047":     {Kind: simulator.FaultAPIError, Code: 131047},
	"timeout":    {Kind: simulator.FaultTimeout},
	"sem-status": {Kind: simulator.FaultDropStatuses},
}

func (s *Server) faultView() views.FaultView {
	f, on := s.sim.CurrentFault()
	if !on {
		return views.FaultView{}
	}
	for key, k := range faults {
		if k.Kind == f.Kind && k.Code == f.Code {
			return views.FaultView{Current: key, Remaining: f.Count}
		}
	}
	return views.FaultView{Current: string(f.Kind), Remaining: f.Count}
}

// phoneFault switches a fault on (or all off).
func (s *Server) phoneFault(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	key := f.Get("falha")
	if key == "" {
		s.sim.ClearFault()
	} else if fault, ok := faults[key]; ok {
		if f.Get("uma-vez") != "" {
			fault.Count = 1
		}
		s.sim.SetFault(fault)
	} else {
		return errStatus(http.StatusUnprocessableEntity, "Falha desconhecida.")
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/simulador", http.StatusSeeOther)
		return nil
	}
	v := s.faultView()
	v.Notice = "Aplicado."
	return views.FaultPanel(views.Page{CSRF: s.csrfToken(r)}, v).Render(r.Context(), w)
}
