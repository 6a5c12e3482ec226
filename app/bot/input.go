package bot

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Message types of Input.Type: WhatsApp's names (whatsapp.Type*).
const (
	TypeText        = "text"
	TypeInteractive = "interactive"
	TypeButton      = "button"
	TypeImage       = "image"
	TypeDocument    = "document"
	TypeVideo       = "video"
	TypeAudio       = "audio"
	TypeSticker     = "sticker"
	TypeLocation    = "location"
	TypeReaction    = "reaction"
	TypeContacts    = "contacts"
)

// Input is one inbound message, as the engine needs it.
type Input struct {
	// ContactID is the caller's contact (passed to Protocols).
	ContactID int64
	// MessageID is the caller's id of the stored message (kept in answers).
	MessageID int64
	// Type is WhatsApp's message type (Type*); unknown types are fine.
	Type string
	// Text is what the message says: the text body, a media caption, the
	// title of a tapped option, a reaction's emoji.
	Text string
	// ReplyID is the id of a tapped list row or reply button.
	ReplyID string
	// Location is set for a shared location.
	Location *Location
	// MediaID is the WhatsApp media id of a photo, document or video.
	MediaID string
	// ProfileName is the citizen's WhatsApp profile name.
	ProfileName string
	// Now is when the message arrived (the engine's clock; zero = time.Now()).
	Now time.Time
}

// Location is a place shared from WhatsApp.
type Location struct {
	Latitude, Longitude float64
	Name, Address       string
}

// What the engine makes of an input.
type inputKind int

const (
	kindText     inputKind = iota // typed text or a tap
	kindMedia                     // photo, document, video
	kindLocation                  // shared location
	kindSticker
	kindAudio
	kindReaction
	kindContacts
	kindOther // unsupported, unknown, or an empty message
)

// maxHead is how much of a message (in runes) is read for its meaning: the
// options it names and the articles it asks for. Long messages say what they
// are about at the start, and matching 4,096 characters would cost more
// than it tells.
const maxHead = 300

// message is an Input cleaned up once for every step.
type message struct {
	kind     inputKind
	raw      string // the text, valid UTF-8, trimmed, at most maxText runes
	text     string // raw without control characters
	head     string // the start of text, all that is read for its meaning
	norm     string // folded words of head: "Segunda  VIA!" → "segunda via"
	replyID  string
	mediaID  string
	location Location
	now      time.Time
	msgID    int64
	contact  int64
	profile  string
}

func newMessage(in Input) *message {
	m := &message{replyID: strings.TrimSpace(in.ReplyID), mediaID: in.MediaID, now: in.Now,
		msgID: in.MessageID, contact: in.ContactID, profile: in.ProfileName}
	if m.now.IsZero() {
		m.now = time.Now()
	}
	if len(m.replyID) > maxID {
		m.replyID = ""
	}
	raw := strings.ToValidUTF8(in.Text, "")
	if len(raw) > 4*maxText {
		raw = raw[:4*maxText]
		raw = strings.ToValidUTF8(raw, "")
	}
	raw = strings.TrimSpace(raw)
	if utf8.RuneCountInString(raw) > maxText {
		raw = string([]rune(raw)[:maxText])
	}
	m.raw = raw
	m.text = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, raw))
	m.head = m.text
	if len(m.head) > maxHead {
		r := []rune(m.head)
		m.head = string(r[:min(len(r), maxHead)])
	}
	m.norm = normalize(m.head)
	switch in.Type {
	case TypeText, TypeInteractive, TypeButton, "":
		m.kind = kindText
		if in.Type == "" && m.text == "" && m.replyID == "" {
			m.kind = kindOther
		}
	case TypeImage, TypeDocument, TypeVideo:
		m.kind = kindMedia
	case TypeLocation:
		m.kind = kindLocation
		if in.Location == nil {
			m.kind = kindOther
		} else {
			m.location = *in.Location
		}
	case TypeSticker:
		m.kind = kindSticker
	case TypeAudio:
		m.kind = kindAudio
	case TypeReaction:
		m.kind = kindReaction
	case TypeContacts:
		m.kind = kindContacts
	default:
		m.kind = kindOther
	}
	return m
}

// textual reports whether the message is typed text or a tap.
func (m *message) textual() bool { return m.kind == kindText }

// firstName is the first word of the WhatsApp profile name when it looks
// like a name (letters), for the greeting.
func firstName(profile string) string {
	f := strings.Fields(strings.ToValidUTF8(profile, ""))
	if len(f) == 0 {
		return ""
	}
	name := strings.TrimFunc(f[0], func(r rune) bool { return !unicode.IsLetter(r) })
	if !hasLetters(name, 2) || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }) >= 0 {
		return ""
	}
	if utf8.RuneCountInString(name) > 30 {
		return ""
	}
	r := []rune(strings.ToLower(name))
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
