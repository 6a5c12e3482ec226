package whatsapp

import (
	"encoding/json"
	"strings"
)

// OutMessage is one request to POST /{phone-number-id}/messages. Its JSON is
// exactly the Cloud API body, so it round-trips through an outbox column and
// is sent as is. Build it with the constructors (Text, List, Buttons,
// Template, Image, Document, Audio, Video, MarkRead), check it with Validate.
type OutMessage struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type,omitempty"`
	// To is the citizen's number, digits with an optional leading "+".
	To   string `json:"to,omitempty"`
	Type string `json:"type,omitempty"`
	// Context quotes an earlier message in the reply.
	Context *ReplyContext `json:"context,omitempty"`

	Text        *TextContent     `json:"text,omitempty"`
	Interactive *Interactive     `json:"interactive,omitempty"`
	Template    *TemplateContent `json:"template,omitempty"`
	Image       *MediaContent    `json:"image,omitempty"`
	Document    *MediaContent    `json:"document,omitempty"`
	Audio       *MediaContent    `json:"audio,omitempty"`
	Video       *MediaContent    `json:"video,omitempty"`

	// Status and MessageID make a mark-as-read request (see MarkRead).
	Status    string `json:"status,omitempty"`
	MessageID string `json:"message_id,omitempty"`

	// BizOpaqueCallbackData is echoed back in this message's status webhooks
	// (StatusUpdate.CallbackData), e.g. an outbox id. At most 512 characters.
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data,omitempty"`
}

// ReplyContext names the message a reply quotes.
type ReplyContext struct {
	MessageID string `json:"message_id"`
}

// TextContent is the body of a text message.
type TextContent struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url,omitempty"`
}

// Interactive is a list or reply-button message.
type Interactive struct {
	// Type is InteractiveList or InteractiveButtons.
	Type   string             `json:"type"`
	Header *InteractiveHeader `json:"header,omitempty"`
	Body   *InteractiveText   `json:"body,omitempty"`
	Footer *InteractiveText   `json:"footer,omitempty"`
	Action InteractiveAction  `json:"action"`
}

// Interactive message kinds.
const (
	InteractiveList    = "list"   // InteractiveList is a list message (up to 10 rows).
	InteractiveButtons = "button" // InteractiveButtons is a reply-button message (up to 3 buttons).
)

// InteractiveHeader is the header of an interactive message (text only here).
type InteractiveHeader struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
}

// InteractiveText is a body or footer text.
type InteractiveText struct {
	Text string `json:"text"`
}

// InteractiveAction holds a list's button and sections or the reply buttons.
type InteractiveAction struct {
	Button   string        `json:"button,omitempty"`
	Sections []Section     `json:"sections,omitempty"`
	Buttons  []ReplyButton `json:"buttons,omitempty"`
}

// Section is a titled group of list rows.
type Section struct {
	Title string `json:"title,omitempty"`
	Rows  []Row  `json:"rows"`
}

// Row is one choice of a list message; ID comes back in the citizen's reply.
type Row struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// ReplyButton is the wire form of a reply button: {"type":"reply","reply":{…}}.
type ReplyButton struct {
	Type  string `json:"type"`
	Reply Button `json:"reply"`
}

// Button is one reply button; ID comes back in the citizen's reply.
type Button struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// TemplateContent names an approved template and fills its parameters.
type TemplateContent struct {
	Name       string              `json:"name"`
	Language   TemplateLanguage    `json:"language"`
	Components []TemplateComponent `json:"components,omitempty"`
}

// TemplateLanguage is the template's language, e.g. {"code":"pt_BR"}.
type TemplateLanguage struct {
	Code   string `json:"code"`
	Policy string `json:"policy,omitempty"`
}

// TemplateComponent fills one part of a template: "header", "body" or "button".
type TemplateComponent struct {
	Type string `json:"type"`
	// SubType and Index address a button ("quick_reply", "0").
	SubType    string              `json:"sub_type,omitempty"`
	Index      string              `json:"index,omitempty"`
	Parameters []TemplateParameter `json:"parameters,omitempty"`
}

// TemplateParameter is one value of a template component.
type TemplateParameter struct {
	// Type is "text", "payload", "image", "document" or "video".
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	// ParameterName is set for templates with named parameters.
	ParameterName string        `json:"parameter_name,omitempty"`
	Payload       string        `json:"payload,omitempty"`
	Image         *MediaContent `json:"image,omitempty"`
	Document      *MediaContent `json:"document,omitempty"`
	Video         *MediaContent `json:"video,omitempty"`
}

// MediaContent points at media by uploaded id or by public link (one of them).
type MediaContent struct {
	ID       string `json:"id,omitempty"`
	Link     string `json:"link,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// MessagingProduct is the only value messaging_product takes.
const MessagingProduct = "whatsapp"

func newOut(to, typ string) OutMessage {
	return OutMessage{MessagingProduct: MessagingProduct, RecipientType: "individual", To: to, Type: typ}
}

// Text builds a text message; set m.Text.PreviewURL to preview a link in it.
func Text(to, body string) OutMessage {
	m := newOut(to, TypeText)
	m.Text = &TextContent{Body: body}
	return m
}

// List builds a list message: body text, the label of the button that opens
// the list (pt-BR "Ver opções" when empty) and its sections. Add a header or
// footer with WithHeader and WithFooter.
func List(to, body, button string, sections ...Section) OutMessage {
	if button == "" {
		button = labelListButton
	}
	m := newOut(to, TypeInteractive)
	m.Interactive = &Interactive{
		Type:   InteractiveList,
		Body:   &InteractiveText{Text: body},
		Action: InteractiveAction{Button: button, Sections: sections},
	}
	return m
}

// Buttons builds a reply-button message (up to three buttons).
func Buttons(to, body string, buttons ...Button) OutMessage {
	m := newOut(to, TypeInteractive)
	m.Interactive = &Interactive{Type: InteractiveButtons, Body: &InteractiveText{Text: body}}
	for _, b := range buttons {
		m.Interactive.Action.Buttons = append(m.Interactive.Action.Buttons, ReplyButton{Type: "reply", Reply: b})
	}
	return m
}

// Template builds a template message whose body takes params as text
// parameters, in order ({{1}}, {{2}}…); lang is a code like "pt_BR".
func Template(to, name, lang string, params ...string) OutMessage {
	m := newOut(to, TypeTemplate)
	m.Template = &TemplateContent{Name: name, Language: TemplateLanguage{Code: lang}}
	if len(params) > 0 {
		c := TemplateComponent{Type: "body"}
		for _, p := range params {
			c.Parameters = append(c.Parameters, TemplateParameter{Type: "text", Text: p})
		}
		m.Template.Components = []TemplateComponent{c}
	}
	return m
}

// mediaRef treats a value starting with http:// or https:// as a link and
// anything else as an uploaded media id.
func mediaRef(idOrLink string) *MediaContent {
	if strings.HasPrefix(idOrLink, "https://") || strings.HasPrefix(idOrLink, "http://") {
		return &MediaContent{Link: idOrLink}
	}
	return &MediaContent{ID: idOrLink}
}

// Image builds an image message from a media id or an https link.
func Image(to, idOrLink, caption string) OutMessage {
	m := newOut(to, TypeImage)
	m.Image = mediaRef(idOrLink)
	m.Image.Caption = caption
	return m
}

// Document builds a document message from a media id or an https link; the
// citizen sees filename.
func Document(to, idOrLink, filename, caption string) OutMessage {
	m := newOut(to, TypeDocument)
	m.Document = mediaRef(idOrLink)
	m.Document.Filename, m.Document.Caption = filename, caption
	return m
}

// Audio builds an audio message from a media id or an https link (no caption).
func Audio(to, idOrLink string) OutMessage {
	m := newOut(to, TypeAudio)
	m.Audio = mediaRef(idOrLink)
	return m
}

// Video builds a video message from a media id or an https link.
func Video(to, idOrLink, caption string) OutMessage {
	m := newOut(to, TypeVideo)
	m.Video = mediaRef(idOrLink)
	m.Video.Caption = caption
	return m
}

// MarkRead builds the request that marks an inbound message (and all earlier
// ones from that citizen) as read: blue ticks on the citizen's phone.
func MarkRead(wamid string) OutMessage {
	return OutMessage{MessagingProduct: MessagingProduct, Status: StatusRead, MessageID: wamid}
}

// WithHeader returns m with a text header (interactive messages only).
func (m OutMessage) WithHeader(text string) OutMessage {
	if m.Interactive != nil {
		c := *m.Interactive
		c.Header = &InteractiveHeader{Type: "text", Text: text}
		m.Interactive = &c
	}
	return m
}

// WithFooter returns m with a footer (interactive messages only).
func (m OutMessage) WithFooter(text string) OutMessage {
	if m.Interactive != nil {
		c := *m.Interactive
		c.Footer = &InteractiveText{Text: text}
		m.Interactive = &c
	}
	return m
}

// ReplyTo returns m quoting the message wamid.
func (m OutMessage) ReplyTo(wamid string) OutMessage {
	m.Context = &ReplyContext{MessageID: wamid}
	return m
}

// IsMarkRead reports whether m is a mark-as-read request rather than a message.
func (m OutMessage) IsMarkRead() bool {
	return m.Status != ""
}

// Kind names what m is for storage and metrics: "text", "list", "buttons",
// "template", "image", "document", "audio", "video", "read", or the raw type.
func (m OutMessage) Kind() string {
	switch {
	case m.IsMarkRead():
		return "read"
	case m.Type == TypeInteractive && m.Interactive != nil && m.Interactive.Type == InteractiveList:
		return "list"
	case m.Type == TypeInteractive && m.Interactive != nil && m.Interactive.Type == InteractiveButtons:
		return "buttons"
	case m.Type == "":
		return TypeText
	}
	return m.Type
}

// Summary returns the text a clerk should see for an outgoing message: the
// body, the caption, the template's name and parameters, or a placeholder.
func (m OutMessage) Summary() string {
	switch {
	case m.IsMarkRead():
		return labelMarkRead
	case m.Text != nil:
		return m.Text.Body
	case m.Interactive != nil:
		var lines []string
		if h := m.Interactive.Header; h != nil && h.Text != "" {
			lines = append(lines, h.Text)
		}
		if b := m.Interactive.Body; b != nil {
			lines = append(lines, b.Text)
		}
		for _, s := range m.Interactive.Action.Sections {
			for _, r := range s.Rows {
				lines = append(lines, "• "+r.Title)
			}
		}
		for _, b := range m.Interactive.Action.Buttons {
			lines = append(lines, "• "+b.Reply.Title)
		}
		return strings.Join(lines, "\n")
	case m.Template != nil:
		s := strings.Replace(labelTemplate, "%s", m.Template.Name, 1)
		if p := m.TemplateParams(); len(p) > 0 {
			s += " " + strings.Join(p, " | ")
		}
		return s
	}
	for _, c := range []struct {
		media *MediaContent
		label string
	}{{m.Image, labelImage}, {m.Document, labelDocument}, {m.Audio, labelAudio}, {m.Video, labelVideo}} {
		if c.media == nil {
			continue
		}
		s := c.label
		if c.media.Filename != "" {
			s += " " + c.media.Filename
		}
		if c.media.Caption != "" {
			s += " " + c.media.Caption
		}
		return s
	}
	return ""
}

// TemplateParams returns the text parameters of a template's body, in order.
func (m OutMessage) TemplateParams() []string {
	if m.Template == nil {
		return nil
	}
	var out []string
	for _, c := range m.Template.Components {
		if c.Type != "body" {
			continue
		}
		for _, p := range c.Parameters {
			out = append(out, p.Text)
		}
	}
	return out
}

// clone returns a deep copy of m.
func (m OutMessage) clone() OutMessage {
	b, err := json.Marshal(m)
	var c OutMessage
	if err == nil && json.Unmarshal(b, &c) == nil {
		return c
	}
	return m
}
