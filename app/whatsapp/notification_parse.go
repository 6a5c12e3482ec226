package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ObjectWhatsApp is the "object" of every WhatsApp Business notification.
const ObjectWhatsApp = "whatsapp_business_account"

// ErrMalformed is wrapped by Parse when the body is not a JSON object.
var ErrMalformed = errors.New("whatsapp: malformed notification")

// ErrWrongObject is wrapped by Parse when "object" names something other than
// a WhatsApp Business Account (a Messenger or Instagram webhook, say).
var ErrWrongObject = errors.New("whatsapp: not a whatsapp_business_account notification")

// Wire shapes. Every field is optional; flex types absorb strings-for-numbers.

type wireEnvelope struct {
	Object flexString      `json:"object"`
	Entry  json.RawMessage `json:"entry"`
}

type wireEntry struct {
	ID      flexString      `json:"id"`
	Changes json.RawMessage `json:"changes"`
}

type wireChange struct {
	Field flexString      `json:"field"`
	Value json.RawMessage `json:"value"`
}

type wireValue struct {
	Metadata struct {
		DisplayPhoneNumber flexString `json:"display_phone_number"`
		PhoneNumberID      flexString `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts json.RawMessage `json:"contacts"`
	Messages json.RawMessage `json:"messages"`
	Statuses json.RawMessage `json:"statuses"`
	Errors   json.RawMessage `json:"errors"`
}

type wireContact struct {
	WaID    flexString `json:"wa_id"`
	Profile struct {
		Name flexString `json:"name"`
	} `json:"profile"`
}

type wireError struct {
	Code      flexInt    `json:"code"`
	Title     flexString `json:"title"`
	Message   flexString `json:"message"`
	Details   flexString `json:"details"`
	Href      flexString `json:"href"`
	ErrorData struct {
		Details flexString `json:"details"`
	} `json:"error_data"`
}

type wireMedia struct {
	ID       flexString `json:"id"`
	MimeType flexString `json:"mime_type"`
	SHA256   flexString `json:"sha256"`
	Caption  flexString `json:"caption"`
	Filename flexString `json:"filename"`
	URL      flexString `json:"url"`
	Voice    flexBool   `json:"voice"`
	Animated flexBool   `json:"animated"`
}

type wireReply struct {
	ID          flexString `json:"id"`
	Title       flexString `json:"title"`
	Description flexString `json:"description"`
}

type wireMessage struct {
	From      flexString `json:"from"`
	ID        flexString `json:"id"`
	Timestamp flexTime   `json:"timestamp"`
	Type      flexString `json:"type"`
	Context   *struct {
		From                flexString `json:"from"`
		ID                  flexString `json:"id"`
		Forwarded           flexBool   `json:"forwarded"`
		FrequentlyForwarded flexBool   `json:"frequently_forwarded"`
	} `json:"context"`
	Referral json.RawMessage `json:"referral"`
	Text     *struct {
		Body flexString `json:"body"`
	} `json:"text"`
	System *struct {
		Body flexString `json:"body"`
	} `json:"system"`
	Interactive *struct {
		Type        flexString `json:"type"`
		ListReply   *wireReply `json:"list_reply"`
		ButtonReply *wireReply `json:"button_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload flexString `json:"payload"`
		Text    flexString `json:"text"`
	} `json:"button"`
	Image    *wireMedia `json:"image"`
	Video    *wireMedia `json:"video"`
	Audio    *wireMedia `json:"audio"`
	Sticker  *wireMedia `json:"sticker"`
	Document *wireMedia `json:"document"`
	Location *struct {
		Latitude  flexFloat  `json:"latitude"`
		Longitude flexFloat  `json:"longitude"`
		Name      flexString `json:"name"`
		Address   flexString `json:"address"`
		URL       flexString `json:"url"`
	} `json:"location"`
	Reaction *struct {
		MessageID flexString `json:"message_id"`
		Emoji     flexString `json:"emoji"`
	} `json:"reaction"`
	Contacts    json.RawMessage `json:"contacts"`
	Errors      json.RawMessage `json:"errors"`
	Unsupported *struct {
		Type flexString `json:"type"`
	} `json:"unsupported"`
}

type wireReferral struct {
	SourceURL    flexString `json:"source_url"`
	SourceID     flexString `json:"source_id"`
	SourceType   flexString `json:"source_type"`
	Headline     flexString `json:"headline"`
	Body         flexString `json:"body"`
	MediaType    flexString `json:"media_type"`
	ImageURL     flexString `json:"image_url"`
	VideoURL     flexString `json:"video_url"`
	ThumbnailURL flexString `json:"thumbnail_url"`
	CTWAClickID  flexString `json:"ctwa_clid"`
}

type wireStatus struct {
	ID           flexString      `json:"id"`
	Status       flexString      `json:"status"`
	Timestamp    flexTime        `json:"timestamp"`
	RecipientID  flexString      `json:"recipient_id"`
	CallbackData flexString      `json:"biz_opaque_callback_data"`
	Errors       json.RawMessage `json:"errors"`
	Conversation *struct {
		ID                  flexString `json:"id"`
		ExpirationTimestamp flexTime   `json:"expiration_timestamp"`
		Origin              struct {
			Type flexString `json:"type"`
		} `json:"origin"`
	} `json:"conversation"`
	Pricing *struct {
		Billable     flexBool   `json:"billable"`
		PricingModel flexString `json:"pricing_model"`
		Type         flexString `json:"type"`
		Category     flexString `json:"category"`
	} `json:"pricing"`
}

// Parse decodes a webhook notification body into a flat Notification.
//
// It fails only when the body is not a JSON object or its "object" is not
// "whatsapp_business_account". Everything inside is decoded tolerantly:
// unknown fields are ignored, unknown message types are kept with their raw
// JSON, and an item with a value of the wrong kind keeps what could be read
// and adds a line to Warnings. Contacts are matched to messages by wa_id.
func Parse(body []byte) (*Notification, error) {
	var env wireEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if obj := strings.TrimSpace(string(env.Object)); obj != "" && obj != ObjectWhatsApp {
		return nil, fmt.Errorf("%w: object is %q", ErrWrongObject, obj)
	}
	n := &Notification{}
	for i, rawEntry := range rawList(env.Entry) {
		var e wireEntry
		if !n.decode(rawEntry, &e, "entry[%d]", i) {
			continue
		}
		for j, rawChange := range rawList(e.Changes) {
			var c wireChange
			if !n.decode(rawChange, &c, "entry[%d].changes[%d]", i, j) {
				continue
			}
			field := string(c.Field)
			if field != "" && field != "messages" {
				n.Other = append(n.Other, Change{WABAID: string(e.ID), Field: field, Value: c.Value})
				continue
			}
			n.addValue(string(e.ID), c.Value, fmt.Sprintf("entry[%d].changes[%d].value", i, j))
		}
	}
	n.matchContacts()
	return n, nil
}

// decode unmarshals one item tolerantly. It returns false (with a warning) when
// the item is not an object; a field of the wrong kind only adds a warning.
func (n *Notification) decode(raw json.RawMessage, v any, where string, args ...any) bool {
	if !isObject(raw) {
		n.Warnings = append(n.Warnings, fmt.Sprintf(where, args...)+": not a JSON object, skipped")
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		n.Warnings = append(n.Warnings, fmt.Sprintf(where, args...)+": partly decoded: "+err.Error())
	}
	return true
}

func (n *Notification) addValue(wabaID string, raw json.RawMessage, where string) {
	var v wireValue
	if !n.decode(raw, &v, "%s", where) {
		return
	}
	meta := Metadata{
		WABAID:             wabaID,
		PhoneNumberID:      string(v.Metadata.PhoneNumberID),
		DisplayPhoneNumber: string(v.Metadata.DisplayPhoneNumber),
	}
	for i, item := range rawList(v.Contacts) {
		var c wireContact
		if n.decode(item, &c, "%s.contacts[%d]", where, i) {
			n.Contacts = append(n.Contacts, Contact{
				WaID:        normalizePhone(string(c.WaID)),
				ProfileName: strings.TrimSpace(string(c.Profile.Name)),
				Raw:         item,
			})
		}
	}
	for i, item := range rawList(v.Messages) {
		var m wireMessage
		if n.decode(item, &m, "%s.messages[%d]", where, i) {
			n.Messages = append(n.Messages, m.inbound(item, meta))
		}
	}
	for i, item := range rawList(v.Statuses) {
		var s wireStatus
		if n.decode(item, &s, "%s.statuses[%d]", where, i) {
			n.Statuses = append(n.Statuses, s.update(item, meta))
		}
	}
	n.Errors = append(n.Errors, decodeErrors(v.Errors)...)
}

// matchContacts gives every message the profile name of the contact with its
// wa_id. Meta lists contacts and messages separately and their order need not agree.
func (n *Notification) matchContacts() {
	names := make(map[string]string, len(n.Contacts))
	for _, c := range n.Contacts {
		if c.ProfileName != "" && names[c.WaID] == "" {
			names[c.WaID] = c.ProfileName
		}
	}
	for i := range n.Messages {
		if n.Messages[i].ProfileName == "" {
			n.Messages[i].ProfileName = names[n.Messages[i].From]
		}
	}
}

func decodeErrors(raw json.RawMessage) []APIError {
	var out []APIError
	for _, item := range rawList(raw) {
		var w wireError
		if !isObject(item) {
			continue
		}
		_ = json.Unmarshal(item, &w) // tolerant: keep whatever decoded
		details := string(w.ErrorData.Details)
		if details == "" {
			details = string(w.Details)
		}
		out = append(out, APIError{
			Code:    int(w.Code),
			Title:   string(w.Title),
			Message: string(w.Message),
			Details: details,
			Href:    string(w.Href),
		})
	}
	return out
}

func (w *wireMessage) inbound(raw json.RawMessage, meta Metadata) InboundMessage {
	m := InboundMessage{
		ID:        strings.TrimSpace(string(w.ID)),
		From:      normalizePhone(string(w.From)),
		Timestamp: time.Time(w.Timestamp),
		Type:      strings.TrimSpace(string(w.Type)),
		Errors:    decodeErrors(w.Errors),
		Metadata:  meta,
		Raw:       raw,
	}
	if m.Type == "" {
		m.Type = TypeUnknown
	}
	if c := w.Context; c != nil {
		m.Context = &MessageContext{
			ID:                  string(c.ID),
			From:                normalizePhone(string(c.From)),
			Forwarded:           bool(c.Forwarded),
			FrequentlyForwarded: bool(c.FrequentlyForwarded),
		}
	}
	if isObject(w.Referral) {
		var r wireReferral
		_ = json.Unmarshal(w.Referral, &r)
		m.Referral = &Referral{
			SourceURL: string(r.SourceURL), SourceID: string(r.SourceID), SourceType: string(r.SourceType),
			Headline: string(r.Headline), Body: string(r.Body), MediaType: string(r.MediaType),
			ImageURL: string(r.ImageURL), VideoURL: string(r.VideoURL), ThumbnailURL: string(r.ThumbnailURL),
			CTWAClickID: string(r.CTWAClickID), Raw: w.Referral,
		}
	}
	// Fill from the object named after the type only, so a stray object of
	// another type cannot change what the message is.
	switch m.Type {
	case TypeText:
		if w.Text != nil {
			m.Body = string(w.Text.Body)
		}
	case "system":
		if w.System != nil {
			m.Body = string(w.System.Body)
		}
	case TypeInteractive:
		if it := w.Interactive; it != nil {
			r := &InteractiveReply{Type: string(it.Type)}
			var reply *wireReply
			switch r.Type {
			case InteractiveListReply:
				reply = it.ListReply
			case InteractiveButtonReply:
				reply = it.ButtonReply
			case "":
				// No kind given: trust whichever reply object is present.
				if reply, r.Type = it.ListReply, InteractiveListReply; reply == nil && it.ButtonReply != nil {
					reply, r.Type = it.ButtonReply, InteractiveButtonReply
				}
				if reply == nil {
					r.Type = ""
				}
			}
			if reply != nil {
				r.ID, r.Title, r.Description = string(reply.ID), string(reply.Title), string(reply.Description)
			}
			m.Interactive = r
		}
	case TypeButton:
		if w.Button != nil {
			m.Button = &ButtonReply{Payload: string(w.Button.Payload), Text: string(w.Button.Text)}
		}
	case TypeImage, TypeVideo, TypeAudio, TypeSticker, TypeDocument:
		if wm := map[string]*wireMedia{
			TypeImage: w.Image, TypeVideo: w.Video, TypeAudio: w.Audio,
			TypeSticker: w.Sticker, TypeDocument: w.Document,
		}[m.Type]; wm != nil {
			m.Media = &Media{
				ID: string(wm.ID), MimeType: string(wm.MimeType), SHA256: string(wm.SHA256),
				Caption: string(wm.Caption), Filename: string(wm.Filename), URL: string(wm.URL),
				Voice: bool(wm.Voice), Animated: bool(wm.Animated),
			}
		}
	case TypeLocation:
		if l := w.Location; l != nil {
			m.Location = &Location{
				Latitude: float64(l.Latitude), Longitude: float64(l.Longitude),
				Name: string(l.Name), Address: string(l.Address), URL: string(l.URL),
			}
		}
	case TypeReaction:
		if r := w.Reaction; r != nil {
			m.Reaction = &Reaction{MessageID: string(r.MessageID), Emoji: string(r.Emoji), Removed: r.Emoji == ""}
		}
	case TypeContacts:
		m.SharedContacts = w.Contacts
	case TypeUnsupported, TypeUnknown:
		if w.Unsupported != nil {
			m.UnsupportedType = string(w.Unsupported.Type)
		}
	}
	return m
}

func (w *wireStatus) update(raw json.RawMessage, meta Metadata) StatusUpdate {
	s := StatusUpdate{
		ID:           strings.TrimSpace(string(w.ID)),
		Status:       normalizeStatus(string(w.Status)),
		Timestamp:    time.Time(w.Timestamp),
		RecipientID:  normalizePhone(string(w.RecipientID)),
		Errors:       decodeErrors(w.Errors),
		CallbackData: string(w.CallbackData),
		Metadata:     meta,
		Raw:          raw,
	}
	if c := w.Conversation; c != nil {
		s.Conversation = &Conversation{
			ID:         string(c.ID),
			ExpiresAt:  time.Time(c.ExpirationTimestamp),
			OriginType: string(c.Origin.Type),
		}
	}
	if p := w.Pricing; p != nil {
		s.Pricing = &Pricing{
			Billable: bool(p.Billable), PricingModel: string(p.PricingModel),
			Type: string(p.Type), Category: string(p.Category),
		}
	}
	return s
}
