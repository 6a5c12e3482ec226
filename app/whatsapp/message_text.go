package whatsapp

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Text returns what the message says, for the bot and for a clerk: the text
// body, a media caption, the title of a tapped option, a place's name and
// address; and a bracketed pt-BR placeholder ("[figurinha]") when there are no
// words. It is never empty for a message with a type.
func (m *InboundMessage) Text() string {
	switch m.Type {
	case TypeText, "system":
		return m.Body
	case TypeInteractive:
		if r := m.Interactive; r != nil {
			return firstNonEmpty(r.Title, r.ID)
		}
	case TypeButton:
		if b := m.Button; b != nil {
			return firstNonEmpty(b.Text, b.Payload)
		}
	case TypeImage, TypeVideo, TypeAudio, TypeSticker, TypeDocument:
		return m.mediaText()
	case TypeLocation:
		return m.locationText()
	case TypeReaction:
		if r := m.Reaction; r != nil && !r.Removed {
			return fmt.Sprintf(labelReaction, r.Emoji)
		}
		return labelUnreaction
	case TypeContacts:
		return sharedContactsText(m.SharedContacts)
	case TypeUnsupported, TypeUnknown:
		if m.UnsupportedType != "" {
			return fmt.Sprintf(labelUnsupportedType, m.UnsupportedType)
		}
		return labelUnsupported
	}
	return fmt.Sprintf(labelUnknownType, m.Type)
}

// ReplyID returns the id of the option the citizen chose: the row or button id
// of an interactive reply, or the payload of a template quick-reply button.
// It is empty for every other message.
func (m *InboundMessage) ReplyID() string {
	switch {
	case m.Type == TypeInteractive && m.Interactive != nil:
		return m.Interactive.ID
	case m.Type == TypeButton && m.Button != nil:
		return m.Button.Payload
	}
	return ""
}

func (m *InboundMessage) mediaText() string {
	label := map[string]string{
		TypeImage: labelImage, TypeVideo: labelVideo, TypeAudio: labelAudio,
		TypeSticker: labelSticker, TypeDocument: labelDocument,
	}[m.Type]
	md := m.Media
	if md == nil {
		return label
	}
	if m.Type == TypeAudio && md.Voice {
		label = labelVoice
	}
	if md.Caption != "" {
		return md.Caption
	}
	if md.Filename != "" {
		return label + " " + md.Filename
	}
	return label
}

func (m *InboundMessage) locationText() string {
	l := m.Location
	if l == nil {
		return labelLocation
	}
	var parts []string
	for _, s := range []string{l.Name, l.Address} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, strconv.FormatFloat(l.Latitude, 'f', 6, 64)+", "+strconv.FormatFloat(l.Longitude, 'f', 6, 64))
	}
	return labelLocation + " " + strings.Join(parts, " — ")
}

// sharedContactsText names the cards of a contacts message, best effort: the
// shape is not verified, so anything unexpected falls back to a placeholder.
func sharedContactsText(raw json.RawMessage) string {
	var cards []struct {
		Name struct {
			FormattedName flexString `json:"formatted_name"`
		} `json:"name"`
		Phones []struct {
			Phone flexString `json:"phone"`
		} `json:"phones"`
	}
	if json.Unmarshal(raw, &cards) != nil || len(cards) == 0 {
		return labelContacts
	}
	var names []string
	for _, c := range cards {
		s := strings.TrimSpace(string(c.Name.FormattedName))
		if len(c.Phones) > 0 && c.Phones[0].Phone != "" {
			s = strings.TrimSpace(s + " " + string(c.Phones[0].Phone))
		}
		if s != "" {
			names = append(names, s)
		}
	}
	if len(names) == 0 {
		return labelContacts
	}
	return labelContact + " " + strings.Join(names, "; ")
}
