package simulator

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"balcao/app/whatsapp"
)

// phone is one citizen's handset.
type phone struct {
	waID        string
	name        string
	messages    []*PhoneMessage
	out         []*outbound
	lastInbound time.Time // when the citizen last wrote: opens the 24-hour window
	lastAt      time.Time
}

// phoneLocked returns the citizen waID, creating it; a non-empty name replaces the known one.
func (s *Simulator) phoneLocked(waID, name string) *phone {
	p, ok := s.phones[waID]
	if !ok {
		p = &phone{waID: waID}
		s.phones[waID] = p
	}
	if name != "" {
		p.name = name
	}
	return p
}

// Phone is a citizen the simulator knows, for the phone page's list.
type Phone struct {
	WaID   string
	Name   string
	LastAt time.Time
	// Messages counts everything in the inbox; Unread the business messages not yet read.
	Messages int
	Unread   int
}

// PhoneMessage is one message as the citizen's phone shows it, in either direction.
type PhoneMessage struct {
	ID string
	// FromCitizen is true for what the citizen wrote, false for what balcao sent.
	FromCitizen bool
	// Type is the kind: for balcao's messages "text", "list", "buttons",
	// "template", "image", "document", "audio", "video"; for the citizen's,
	// the type of the webhook message ("text", "interactive", "image"…).
	Type       string
	Header     string
	Body       string
	Footer     string
	ListButton string
	// Template is the template's name, for template messages.
	Template string
	// Options are the list rows or buttons the citizen can tap (see Tap).
	Options  []PhoneOption
	Media    *PhoneMedia
	Location *whatsapp.Location
	// ReplyTo is the wamid this message answers, if any.
	ReplyTo string
	// Status is the tick: balcao's messages go accepted → sent → delivered →
	// read (→ played) or failed; the citizen's go sent → delivered (the app
	// answered 200) → read (balcao marked it read) or failed.
	Status string
	// Error explains a failed status.
	Error string
	Time  time.Time
}

// PhoneOption is a list row or a button the citizen can tap.
type PhoneOption struct {
	ID          string
	Title       string
	Description string
	Section     string
}

// PhoneMedia is an attachment; ID names stored media (see MediaBytes), Link an external one.
type PhoneMedia struct {
	ID       string
	Link     string
	MimeType string
	Filename string
	Size     int
}

// AddPhone adds a citizen (or renames one) so the phone page can list it before any message.
func (s *Simulator) AddPhone(waID, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.phoneLocked(normalize(waID), name)
	if p.lastAt.IsZero() {
		p.lastAt = s.opts.Now()
	}
	s.changedLocked()
}

// Phones lists the citizens, most recent conversation first.
func (s *Simulator) Phones() []Phone {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Phone, 0, len(s.phones))
	for _, p := range s.phones {
		ph := Phone{WaID: p.waID, Name: p.name, LastAt: p.lastAt, Messages: len(p.messages)}
		for _, m := range p.messages {
			if !m.FromCitizen && (m.Status == whatsapp.StatusSent || m.Status == whatsapp.StatusDelivered) {
				ph.Unread++
			}
		}
		out = append(out, ph)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].LastAt.Equal(out[j].LastAt) {
			return out[i].LastAt.After(out[j].LastAt)
		}
		return out[i].WaID < out[j].WaID
	})
	return out
}

// Inbox returns the conversation with citizen waID, oldest first: everything
// balcao sent them and everything they sent, with current ticks.
func (s *Simulator) Inbox(waID string) []PhoneMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.phones[normalize(waID)]
	if !ok {
		return nil
	}
	out := make([]PhoneMessage, len(p.messages))
	for i, m := range p.messages {
		c := *m
		c.Options = append([]PhoneOption(nil), m.Options...)
		if m.Media != nil {
			media := *m.Media
			c.Media = &media
		}
		if m.Location != nil {
			loc := *m.Location
			c.Location = &loc
		}
		out[i] = c
	}
	return out
}

// MarkSeen is the citizen opening the chat: every delivered message from
// balcao turns read (and its "read" status webhook is posted). Messages
// still on their way turn read as soon as they are delivered.
func (s *Simulator) MarkSeen(waID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.phones[normalize(waID)]; ok {
		for _, o := range p.out {
			o.markSeen()
		}
	}
}

// CitizenMessage is what a citizen sends from the phone page or a test.
type CitizenMessage struct {
	// From is the citizen's WhatsApp id (digits; a leading + is dropped).
	From string
	// Name is the WhatsApp profile name; empty keeps the known one.
	Name string
	// Type is whatsapp.TypeText (the default), whatsapp.InteractiveListReply,
	// whatsapp.InteractiveButtonReply, whatsapp.TypeButton (a template's quick
	// reply), whatsapp.TypeImage, TypeVideo, TypeAudio, TypeSticker,
	// TypeDocument, TypeLocation or TypeReaction.
	Type string
	// Body is the text, or the caption of an image, video or document.
	Body string
	// ReplyID, ReplyTitle and ReplyDescription describe the tapped option (or
	// the quick reply's payload and text).
	ReplyID          string
	ReplyTitle       string
	ReplyDescription string
	// Media, MimeType and Filename are an attachment; it is stored so balcao
	// can fetch it through the media endpoints.
	Media    []byte
	MimeType string
	Filename string
	// Lat, Lng, LocationName and Address describe a shared location.
	Lat          float64
	Lng          float64
	LocationName string
	Address      string
	// Emoji is a reaction's emoji (empty removes the reaction).
	Emoji string
	// Context is the wamid of the message answered (or reacted to).
	Context string
}

// CitizenSend delivers a citizen's message to the app as Meta would: it
// builds the notification, signs it with the app secret and POSTs it once
// to WebhookURL. It returns the new wamid and, if the app did not answer
// 200, a *WebhookError with the status it gave (the wamid is returned then
// too, so a test can resend or look for it).
func (s *Simulator) CitizenSend(ctx context.Context, cm CitizenMessage) (string, error) {
	from := normalize(cm.From)
	if from == "" || strings.Trim(from, "0123456789") != "" {
		return "", fmt.Errorf("simulator: citizen number %q must be digits", cm.From)
	}
	msg, pm, err := s.citizenMessage(from, cm)
	if err != nil {
		return "", err
	}
	id := s.newWamid(from)
	now := s.opts.Now()
	msg["id"], msg["from"], msg["timestamp"] = id, from, strconv.FormatInt(now.Unix(), 10)
	pm.ID, pm.FromCitizen, pm.Status, pm.Time, pm.ReplyTo = id, true, whatsapp.StatusSent, now, cm.Context

	s.mu.Lock()
	p := s.phoneLocked(from, cm.Name)
	p.messages = append(p.messages, pm)
	p.lastInbound, p.lastAt = now, now
	s.inbound[id] = from
	contact := wireContact{WaID: from}
	contact.Profile.Name = p.name
	s.changedLocked()
	s.mu.Unlock()

	body := s.envelope(wireValue{Contacts: []wireContact{contact}, Messages: []map[string]any{msg}})
	status, answer, err := s.post(ctx, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.changedLocked()
	switch {
	case errors.Is(err, errNoWebhook):
		return id, err
	case err != nil || status != 200:
		s.stats.rejected++
		pm.Status = whatsapp.StatusFailed
		pm.Error = fmt.Sprintf("webhook: HTTP %d %s", status, answer)
		if err != nil {
			pm.Error = err.Error()
		}
		return id, &WebhookError{StatusCode: status, Body: answer, Err: err}
	}
	s.stats.delivered++
	if pm.Status == whatsapp.StatusSent { // balcao may have marked it read already
		pm.Status = whatsapp.StatusDelivered
	}
	return id, nil
}

// citizenMessage builds the webhook's message object (without id, from and
// timestamp) and the phone's copy of it.
func (s *Simulator) citizenMessage(from string, cm CitizenMessage) (map[string]any, *PhoneMessage, error) {
	typ := cm.Type
	if typ == "" {
		typ = whatsapp.TypeText
	}
	msg := map[string]any{}
	pm := &PhoneMessage{Type: typ, Body: cm.Body}
	if cm.Context != "" && typ != whatsapp.TypeReaction {
		msg["context"] = map[string]string{"from": s.opts.DisplayPhone, "id": cm.Context}
	}
	switch typ {
	case whatsapp.TypeText:
		if strings.TrimSpace(cm.Body) == "" {
			return nil, nil, errors.New("simulator: a text message needs a body")
		}
		msg["text"] = map[string]string{"body": cm.Body}
	case whatsapp.InteractiveListReply, whatsapp.InteractiveButtonReply:
		if cm.ReplyID == "" {
			return nil, nil, errors.New("simulator: a reply needs the option id")
		}
		reply := map[string]string{"id": cm.ReplyID, "title": cm.ReplyTitle}
		if typ == whatsapp.InteractiveListReply && cm.ReplyDescription != "" {
			reply["description"] = cm.ReplyDescription
		}
		msg["interactive"] = map[string]any{"type": typ, typ: reply}
		pm.Type, pm.Body = whatsapp.TypeInteractive, cm.ReplyTitle
		typ = whatsapp.TypeInteractive
	case whatsapp.TypeButton:
		msg["button"] = map[string]string{"payload": cm.ReplyID, "text": cm.ReplyTitle}
		pm.Body = cm.ReplyTitle
	case whatsapp.TypeImage, whatsapp.TypeVideo, whatsapp.TypeAudio, whatsapp.TypeSticker, whatsapp.TypeDocument:
		if len(cm.Media) == 0 || cm.MimeType == "" {
			return nil, nil, fmt.Errorf("simulator: a %s needs media bytes and a MIME type", typ)
		}
		obj := s.storeMedia(cm.Media, cm.MimeType, cm.Filename)
		m := map[string]any{"id": obj.id, "mime_type": obj.mime, "sha256": webhookSHA256(obj)}
		switch typ {
		case whatsapp.TypeDocument:
			m["filename"] = cm.Filename
		case whatsapp.TypeAudio:
			m["voice"] = strings.HasPrefix(cm.MimeType, "audio/ogg")
		case whatsapp.TypeSticker:
			m["animated"] = false
		}
		if cm.Body != "" && typ != whatsapp.TypeAudio && typ != whatsapp.TypeSticker {
			m["caption"] = cm.Body
		}
		msg[typ] = m
		pm.Media = &PhoneMedia{ID: obj.id, MimeType: obj.mime, Filename: cm.Filename, Size: len(cm.Media)}
	case whatsapp.TypeLocation:
		loc := map[string]any{"latitude": cm.Lat, "longitude": cm.Lng}
		if cm.LocationName != "" {
			loc["name"] = cm.LocationName
		}
		if cm.Address != "" {
			loc["address"] = cm.Address
		}
		msg["location"] = loc
		pm.Location = &whatsapp.Location{Latitude: cm.Lat, Longitude: cm.Lng, Name: cm.LocationName, Address: cm.Address}
	case whatsapp.TypeReaction:
		if cm.Context == "" {
			return nil, nil, errors.New("simulator: a reaction needs the Context message id")
		}
		r := map[string]string{"message_id": cm.Context}
		if cm.Emoji != "" {
			r["emoji"] = cm.Emoji
		}
		msg["reaction"] = r
		pm.Body = cm.Emoji
	default:
		return nil, nil, fmt.Errorf("simulator: citizens cannot send %q messages", typ)
	}
	msg["type"] = typ
	return msg, pm, nil
}

// Tap is the citizen choosing option optionID of message messageID (a list
// row, a reply button or a template quick reply): it sends the matching reply
// through CitizenSend, quoting that message.
func (s *Simulator) Tap(ctx context.Context, waID, messageID, optionID string) (string, error) {
	waID = normalize(waID)
	s.mu.Lock()
	o, ok := s.outbound[messageID]
	var cm CitizenMessage
	if ok && o.waID == waID {
		ok = false
		for _, opt := range o.pm.Options {
			if opt.ID != optionID {
				continue
			}
			ok = true
			cm = CitizenMessage{From: waID, ReplyID: opt.ID, ReplyTitle: opt.Title, Context: messageID}
			switch o.pm.Type {
			case "list":
				cm.Type, cm.ReplyDescription = whatsapp.InteractiveListReply, opt.Description
			case "buttons":
				cm.Type = whatsapp.InteractiveButtonReply
			default:
				cm.Type = whatsapp.TypeButton
			}
			break
		}
	}
	s.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("simulator: %s has no option %q in message %s", waID, optionID, messageID)
	}
	return s.CitizenSend(ctx, cm)
}
