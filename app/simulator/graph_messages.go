package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"balcao/app/whatsapp"
)

// window is how long a citizen's message keeps free-form messages allowed.
const window = 24 * time.Hour

// outbound is a message balcao sent, on its way through the status pipeline.
type outbound struct {
	id       string
	waID     string
	msg      whatsapp.OutMessage
	pm       *PhoneMessage
	seen     chan struct{}
	seenOnce sync.Once
	drop     bool      // statuses are not posted (FaultDropStatuses)
	fail     *graphErr // the message fails instead of being delivered
}

func (o *outbound) markSeen() { o.seenOnce.Do(func() { close(o.seen) }) }

type wireSendResponse struct {
	MessagingProduct string `json:"messaging_product"`
	Contacts         []struct {
		Input string `json:"input"`
		WaID  string `json:"wa_id"`
	} `json:"contacts"`
	Messages []struct {
		ID            string `json:"id"`
		MessageStatus string `json:"message_status"`
	} `json:"messages"`
}

// handleMessages serves POST /{phone-number-id}/messages: sends and mark-as-read.
func (s *Simulator) handleMessages(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	var m whatsapp.OutMessage
	jsonErr := json.Unmarshal(body, &m)
	to := normalize(m.To)
	s.recordSend(to, m.IsMarkRead())

	if f, ok := s.takeFault(to, FaultServerError, FaultAPIError, FaultTimeout); ok {
		s.playFault(w, r, f)
		return
	}
	if !s.checkToken(w, r) || !s.checkPhoneID(w, r) {
		return
	}
	switch {
	case readErr != nil:
		writeGraphError(w, http.StatusRequestEntityTooLarge, graphErr{Code: 100, Message: "Invalid parameter", Details: "Request body is too large."})
		return
	case jsonErr != nil:
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Message: "Invalid parameter", Details: "Request body is not valid JSON: " + jsonErr.Error()})
		return
	case m.MessagingProduct == "":
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Message: "The parameter messaging_product is required."})
		return
	case m.MessagingProduct != whatsapp.MessagingProduct:
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Message: "Invalid parameter", Details: `messaging_product must be "whatsapp".`})
		return
	case m.IsMarkRead():
		s.markRead(w, m)
		return
	}
	if m.Type == "" {
		m.Type = whatsapp.TypeText // Meta's default
	}
	if status, e, bad := s.refuse(m); bad {
		writeGraphError(w, status, e)
		return
	}
	id := s.accept(to, m)
	var resp wireSendResponse
	resp.MessagingProduct = whatsapp.MessagingProduct
	resp.Contacts = append(resp.Contacts, struct {
		Input string `json:"input"`
		WaID  string `json:"wa_id"`
	}{m.To, to})
	resp.Messages = append(resp.Messages, struct {
		ID            string `json:"id"`
		MessageStatus string `json:"message_status"`
	}{id, "accepted"})
	writeJSON(w, http.StatusOK, resp)
}

func (s *Simulator) recordSend(to string, markRead bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.sends++
	if !markRead && to != "" {
		s.stats.sendTimes[to] = append(s.stats.sendTimes[to], s.opts.Now())
	}
}

func (s *Simulator) checkPhoneID(w http.ResponseWriter, r *http.Request) bool {
	if id := r.PathValue("phone"); id != s.opts.PhoneNumberID {
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Subcode: 33,
			Message: fmt.Sprintf("Unsupported post request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", id)})
		return false
	}
	return true
}

// playFault answers a request in place of Meta, as f says.
func (s *Simulator) playFault(w http.ResponseWriter, r *http.Request, f Fault) {
	s.log.Info("fault played", "kind", f.Kind, "code", f.Code, "path", r.URL.Path)
	switch f.Kind {
	case FaultServerError:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "<html><body><h1>500 Internal Server Error</h1></body></html>\n")
	case FaultAPIError:
		status, e := faultError(f)
		writeGraphError(w, status, e)
	case FaultTimeout:
		select {
		case <-r.Context().Done():
		case <-s.ctx.Done():
		}
	}
}

// refuse validates a message like Meta does and returns the error to answer, if any.
func (s *Simulator) refuse(m whatsapp.OutMessage) (int, graphErr, bool) {
	if err := m.Validate(); err != nil {
		var ve *whatsapp.ValidationError
		if errors.As(err, &ve) && ve.Missing {
			return http.StatusBadRequest, graphErr{Code: 100, Message: fmt.Sprintf("The parameter %s is required.", ve.Field)}, true
		}
		details := err.Error()
		if ve != nil {
			details = ve.Field + ": " + ve.Problem
		}
		return http.StatusBadRequest, graphErr{Code: 131009, Message: "Parameter value is not valid", Details: details}, true
	}
	if m.Template != nil && len(s.opts.Templates) > 0 {
		spec, ok := s.template(m.Template.Name, m.Template.Language.Code)
		if !ok {
			return http.StatusNotFound, graphErr{Code: 132001, Message: "Template name does not exist in the translation",
				Details: fmt.Sprintf("template name (%s) does not exist in %s", m.Template.Name, m.Template.Language.Code)}, true
		}
		if want, got := len(placeholders(spec.Body)), len(m.TemplateParams()); want != got {
			return http.StatusBadRequest, graphErr{Code: 132000, Message: "Number of parameters does not match the expected number of params",
				Details: fmt.Sprintf("body: number of localizable_params (%d) does not match the expected number of params (%d)", got, want)}, true
		}
	}
	for _, c := range []*whatsapp.MediaContent{m.Image, m.Document, m.Audio, m.Video} {
		if c == nil || c.ID == "" {
			continue
		}
		s.mu.Lock()
		_, ok := s.media[c.ID]
		s.mu.Unlock()
		if !ok {
			return http.StatusBadRequest, graphErr{Code: 131009, Message: "Parameter value is not valid", Details: "Invalid media ID " + c.ID}, true
		}
	}
	return 0, graphErr{}, false
}

// markRead marks a citizen's message, and every earlier one, as read by the business.
func (s *Simulator) markRead(w http.ResponseWriter, m whatsapp.OutMessage) {
	s.mu.Lock()
	waID, ok := s.inbound[m.MessageID]
	if ok {
		for _, pm := range s.phones[waID].messages {
			if pm.FromCitizen && pm.Status != whatsapp.StatusFailed {
				pm.Status = whatsapp.StatusRead
			}
			if pm.ID == m.MessageID {
				break
			}
		}
		s.changedLocked()
	}
	s.mu.Unlock()
	if !ok {
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Message: "Invalid parameter", Details: "Unknown message_id " + m.MessageID})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// accept stores a valid message, shows it on the citizen's phone and starts its statuses.
func (s *Simulator) accept(to string, m whatsapp.OutMessage) string {
	id := s.newWamid(to)
	f, faulted := s.takeFault(to, FaultDropStatuses, FaultFailedStatus)
	now := s.opts.Now()
	o := &outbound{id: id, waID: to, msg: m, seen: make(chan struct{})}

	s.mu.Lock()
	p := s.phoneLocked(to, "")
	switch {
	case faulted && f.Kind == FaultDropStatuses:
		o.drop = true
	case faulted && f.Kind == FaultFailedStatus:
		_, e := faultError(f)
		o.fail = &e
	case s.opts.EnforceWindow && m.Type != whatsapp.TypeTemplate && (p.lastInbound.IsZero() || now.Sub(p.lastInbound) > window):
		_, e := faultError(Fault{Code: 131047})
		o.fail = &e
	}
	o.pm = s.renderLocked(id, m, now)
	p.messages = append(p.messages, o.pm)
	p.out = append(p.out, o)
	p.lastAt = now
	s.outbound[id] = o
	s.stats.sent = append(s.stats.sent, SentMessage{ID: id, To: to, At: now, Message: m})
	s.changedLocked()
	s.mu.Unlock()

	s.log.Info("message accepted", "wamid", id, "to", to, "kind", m.Kind())
	s.goBackground(func() { s.runStatuses(o) })
	return id
}

// runStatuses plays a message's life on the citizen's phone (sent, delivered,
// read, played for audio; or failed) and posts each status in order.
func (s *Simulator) runStatuses(o *outbound) {
	d := s.opts.StatusDelay
	if !s.sleep(d) {
		return
	}
	if o.fail != nil {
		s.setStatus(o, whatsapp.StatusFailed)
		return
	}
	s.setStatus(o, whatsapp.StatusSent)
	if !s.sleep(d) {
		return
	}
	s.setStatus(o, whatsapp.StatusDelivered)
	var autoRead <-chan time.Time
	if !s.opts.ManualRead {
		t := time.NewTimer(s.opts.ReadDelay)
		defer t.Stop()
		autoRead = t.C
	}
	select {
	case <-o.seen:
	case <-autoRead:
	case <-s.ctx.Done():
		return
	}
	s.setStatus(o, whatsapp.StatusRead)
	if o.msg.Type == whatsapp.TypeAudio && s.sleep(d) {
		s.setStatus(o, whatsapp.StatusPlayed)
	}
}

// setStatus shows status on the phone and posts its webhook (with retries).
func (s *Simulator) setStatus(o *outbound, status string) {
	now := s.opts.Now()
	s.mu.Lock()
	o.pm.Status = status
	if o.fail != nil {
		o.pm.Error = fmt.Sprintf("(#%d) %s", o.fail.Code, o.fail.Message)
	}
	s.changedLocked()
	s.mu.Unlock()
	if o.drop {
		s.log.Info("status dropped", "wamid", o.id, "status", status)
		return
	}
	s.deliver(s.statusBody(o, status, now))
}

// renderLocked turns a sent message into what the citizen's phone shows.
func (s *Simulator) renderLocked(id string, m whatsapp.OutMessage, now time.Time) *PhoneMessage {
	pm := &PhoneMessage{ID: id, Type: m.Kind(), Status: "accepted", Time: now}
	if m.Context != nil {
		pm.ReplyTo = m.Context.MessageID
	}
	switch {
	case m.Text != nil:
		pm.Body = m.Text.Body
	case m.Interactive != nil:
		it := m.Interactive
		if it.Header != nil {
			pm.Header = it.Header.Text
		}
		if it.Body != nil {
			pm.Body = it.Body.Text
		}
		if it.Footer != nil {
			pm.Footer = it.Footer.Text
		}
		pm.ListButton = it.Action.Button
		for _, sec := range it.Action.Sections {
			for _, row := range sec.Rows {
				pm.Options = append(pm.Options, PhoneOption{ID: row.ID, Title: row.Title, Description: row.Description, Section: sec.Title})
			}
		}
		for _, b := range it.Action.Buttons {
			pm.Options = append(pm.Options, PhoneOption{ID: b.Reply.ID, Title: b.Reply.Title})
		}
	case m.Template != nil:
		pm.Template = m.Template.Name
		pm.Body = m.Summary()
		if spec, ok := s.template(m.Template.Name, m.Template.Language.Code); ok {
			pm.Body = fillTemplate(spec.Body, m.Template)
			for i, title := range spec.Buttons {
				pm.Options = append(pm.Options, PhoneOption{ID: quickReplyPayload(m.Template, i, title), Title: title})
			}
		}
	default:
		for _, c := range []*whatsapp.MediaContent{m.Image, m.Document, m.Audio, m.Video} {
			if c == nil {
				continue
			}
			pm.Body = c.Caption
			pm.Media = &PhoneMedia{ID: c.ID, Link: c.Link, Filename: c.Filename}
			if obj := s.media[c.ID]; obj != nil {
				pm.Media.MimeType, pm.Media.Size = obj.mime, len(obj.data)
				if pm.Media.Filename == "" {
					pm.Media.Filename = obj.filename
				}
			}
		}
	}
	return pm
}

func (s *Simulator) template(name, lang string) (TemplateSpec, bool) {
	for _, t := range s.opts.Templates {
		if t.Name == name && (t.Language == "" || t.Language == lang) {
			return t, true
		}
	}
	return TemplateSpec{}, false
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]+?)\s*\}\}`)

// placeholders lists the distinct {{…}} names of a template body.
func placeholders(body string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// fillTemplate replaces {{1}}… (or {{name}}) with the body parameters.
func fillTemplate(body string, t *whatsapp.TemplateContent) string {
	values := map[string]string{}
	for _, c := range t.Components {
		if c.Type != "body" {
			continue
		}
		for i, p := range c.Parameters {
			values[fmt.Sprint(i+1)] = p.Text
			if p.ParameterName != "" {
				values[p.ParameterName] = p.Text
			}
		}
	}
	return placeholderRE.ReplaceAllStringFunc(body, func(ph string) string {
		key := strings.TrimSpace(strings.Trim(ph, "{}"))
		if v, ok := values[key]; ok {
			return v
		}
		return ph
	})
}

// quickReplyPayload is the payload the send gave button index i, or its title.
func quickReplyPayload(t *whatsapp.TemplateContent, i int, title string) string {
	for _, c := range t.Components {
		if c.Type == "button" && c.Index == fmt.Sprint(i) && len(c.Parameters) > 0 && c.Parameters[0].Payload != "" {
			return c.Parameters[0].Payload
		}
	}
	return title
}
