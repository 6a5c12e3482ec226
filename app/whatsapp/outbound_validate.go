package whatsapp

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Cloud API limits on outgoing messages, counted in characters (runes).
const (
	MaxTextBody       = 4096 // MaxTextBody limits text.body.
	MaxListBody       = 4096 // MaxListBody limits a list's body text.
	MaxListRows       = 10   // MaxListRows limits the rows of all sections together.
	MaxListSections   = 10   // MaxListSections limits a list's sections.
	MaxListButton     = 20   // MaxListButton limits the label of the button that opens a list.
	MaxSectionTitle   = 24   // MaxSectionTitle limits a section title.
	MaxRowTitle       = 24   // MaxRowTitle limits a row title.
	MaxRowDescription = 72   // MaxRowDescription limits a row description.
	MaxRowID          = 200  // MaxRowID limits a row id.
	MaxHeader         = 60   // MaxHeader limits an interactive header text.
	MaxFooter         = 60   // MaxFooter limits an interactive footer text.
	MaxButtons        = 3    // MaxButtons limits the reply buttons of one message.
	MaxButtonTitle    = 20   // MaxButtonTitle limits a reply button title.
	MaxButtonID       = 256  // MaxButtonID limits a reply button id.
	MaxButtonsBody    = 1024 // MaxButtonsBody limits the body of a reply-button message.
	MaxCaption        = 1024 // MaxCaption limits a media caption.
	MaxCallbackData   = 512  // MaxCallbackData limits biz_opaque_callback_data.
)

const (
	minPhoneDigits     = 8
	maxPhoneDigits     = 15
	ellipsis           = "…"
	validationErrorTag = "whatsapp: invalid message: "
)

// ValidationError reports an OutMessage the Cloud API would refuse. It
// matches ErrInvalidMessage with errors.Is.
type ValidationError struct {
	// Field is the JSON path of the offending value, e.g. "interactive.action.buttons[1].reply.title".
	Field string
	// Problem says what is wrong, naming the limit.
	Problem string
	// Missing marks a required value that is absent (Graph code 100) rather
	// than a value out of its limits (Graph code 131009).
	Missing bool
}

// Error describes the problem in English.
func (e *ValidationError) Error() string {
	return validationErrorTag + e.Field + ": " + e.Problem
}

// Is makes errors.Is(err, ErrInvalidMessage) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidMessage }

func missing(field string) error {
	return &ValidationError{Field: field, Problem: "required", Missing: true}
}

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// checkLen refuses s when it is longer than limit characters, or empty when required.
func checkLen(field, s string, limit int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return missing(field)
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return invalid(field, "%d characters; the limit is %d", n, limit)
	}
	return nil
}

// Validate checks m against the Cloud API's rules and limits and returns a
// *ValidationError naming the first value out of bounds.
func (m OutMessage) Validate() error {
	if m.MessagingProduct != "" && m.MessagingProduct != MessagingProduct {
		return invalid("messaging_product", "must be %q", MessagingProduct)
	}
	if err := checkLen("biz_opaque_callback_data", m.BizOpaqueCallbackData, MaxCallbackData, false); err != nil {
		return err
	}
	if m.IsMarkRead() {
		if m.Status != StatusRead {
			return invalid("status", "only %q is accepted", StatusRead)
		}
		if strings.TrimSpace(m.MessageID) == "" {
			return missing("message_id")
		}
		return nil
	}
	if m.RecipientType != "" && m.RecipientType != "individual" {
		return invalid("recipient_type", `must be "individual"`)
	}
	if err := checkPhone(m.To); err != nil {
		return err
	}
	if m.Context != nil && strings.TrimSpace(m.Context.MessageID) == "" {
		return missing("context.message_id")
	}
	switch m.Type {
	case TypeText, "":
		if m.Text == nil {
			return missing("text")
		}
		return checkLen("text.body", m.Text.Body, MaxTextBody, true)
	case TypeInteractive:
		if m.Interactive == nil {
			return missing("interactive")
		}
		return m.Interactive.validate()
	case TypeTemplate:
		if m.Template == nil {
			return missing("template")
		}
		return m.Template.validate()
	case TypeImage:
		return validateMedia("image", m.Image, true)
	case TypeVideo:
		return validateMedia("video", m.Video, true)
	case TypeDocument:
		return validateMedia("document", m.Document, true)
	case TypeAudio:
		return validateMedia("audio", m.Audio, false)
	}
	return invalid("type", "unsupported type %q", m.Type)
}

func checkPhone(to string) error {
	digits := strings.TrimPrefix(to, "+")
	if digits == "" {
		return missing("to")
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return invalid("to", "%q is not a phone number (digits with an optional leading +)", to)
		}
	}
	if n := len(digits); n < minPhoneDigits || n > maxPhoneDigits {
		return invalid("to", "%d digits; a WhatsApp number has %d to %d", n, minPhoneDigits, maxPhoneDigits)
	}
	return nil
}

func (it *Interactive) validate() error {
	if h := it.Header; h != nil {
		if h.Type != "text" {
			return invalid("interactive.header.type", `only "text" headers are supported`)
		}
		if err := checkLen("interactive.header.text", h.Text, MaxHeader, true); err != nil {
			return err
		}
	}
	if f := it.Footer; f != nil {
		if err := checkLen("interactive.footer.text", f.Text, MaxFooter, true); err != nil {
			return err
		}
	}
	body := ""
	if it.Body != nil {
		body = it.Body.Text
	}
	switch it.Type {
	case InteractiveList:
		if err := checkLen("interactive.body.text", body, MaxListBody, true); err != nil {
			return err
		}
		return it.Action.validateList()
	case InteractiveButtons:
		if err := checkLen("interactive.body.text", body, MaxButtonsBody, true); err != nil {
			return err
		}
		return it.Action.validateButtons()
	case "":
		return missing("interactive.type")
	}
	return invalid("interactive.type", "unsupported interactive type %q (want %q or %q)", it.Type, InteractiveList, InteractiveButtons)
}

func (a *InteractiveAction) validateList() error {
	if err := checkLen("interactive.action.button", a.Button, MaxListButton, true); err != nil {
		return err
	}
	if len(a.Buttons) > 0 {
		return invalid("interactive.action.buttons", "a list takes sections, not buttons")
	}
	if len(a.Sections) == 0 {
		return missing("interactive.action.sections")
	}
	if len(a.Sections) > MaxListSections {
		return invalid("interactive.action.sections", "%d sections; the limit is %d", len(a.Sections), MaxListSections)
	}
	rows := 0
	ids := map[string]bool{}
	for i, s := range a.Sections {
		field := fmt.Sprintf("interactive.action.sections[%d]", i)
		if err := checkLen(field+".title", s.Title, MaxSectionTitle, len(a.Sections) > 1); err != nil {
			return err
		}
		if len(s.Rows) == 0 {
			return missing(field + ".rows")
		}
		for j, r := range s.Rows {
			rf := fmt.Sprintf("%s.rows[%d]", field, j)
			if err := checkLen(rf+".id", r.ID, MaxRowID, true); err != nil {
				return err
			}
			if ids[r.ID] {
				return invalid(rf+".id", "%q is repeated; row ids must be unique", r.ID)
			}
			ids[r.ID] = true
			if err := checkLen(rf+".title", r.Title, MaxRowTitle, true); err != nil {
				return err
			}
			if err := checkLen(rf+".description", r.Description, MaxRowDescription, false); err != nil {
				return err
			}
		}
		rows += len(s.Rows)
	}
	if rows > MaxListRows {
		return invalid("interactive.action.sections", "%d rows in all sections; the limit is %d", rows, MaxListRows)
	}
	return nil
}

func (a *InteractiveAction) validateButtons() error {
	if len(a.Sections) > 0 {
		return invalid("interactive.action.sections", "reply buttons take buttons, not sections")
	}
	if len(a.Buttons) == 0 {
		return missing("interactive.action.buttons")
	}
	if len(a.Buttons) > MaxButtons {
		return invalid("interactive.action.buttons", "%d buttons; the limit is %d", len(a.Buttons), MaxButtons)
	}
	ids, titles := map[string]bool{}, map[string]bool{}
	for i, b := range a.Buttons {
		field := fmt.Sprintf("interactive.action.buttons[%d]", i)
		if b.Type != "reply" {
			return invalid(field+".type", `must be "reply"`)
		}
		if err := checkLen(field+".reply.id", b.Reply.ID, MaxButtonID, true); err != nil {
			return err
		}
		if err := checkLen(field+".reply.title", b.Reply.Title, MaxButtonTitle, true); err != nil {
			return err
		}
		if ids[b.Reply.ID] {
			return invalid(field+".reply.id", "%q is repeated; button ids must be unique", b.Reply.ID)
		}
		title := strings.ToLower(strings.TrimSpace(b.Reply.Title))
		if titles[title] {
			return invalid(field+".reply.title", "%q is repeated; button titles must be unique", b.Reply.Title)
		}
		ids[b.Reply.ID], titles[title] = true, true
	}
	return nil
}

func (t *TemplateContent) validate() error {
	if strings.TrimSpace(t.Name) == "" {
		return missing("template.name")
	}
	if strings.TrimSpace(t.Language.Code) == "" {
		return missing("template.language.code")
	}
	for i, c := range t.Components {
		field := fmt.Sprintf("template.components[%d]", i)
		if c.Type == "" {
			return missing(field + ".type")
		}
		for j, p := range c.Parameters {
			pf := fmt.Sprintf("%s.parameters[%d]", field, j)
			switch p.Type {
			case "":
				return missing(pf + ".type")
			case "text":
				if strings.TrimSpace(p.Text) == "" {
					return missing(pf + ".text")
				}
			case "payload":
				if p.Payload == "" {
					return missing(pf + ".payload")
				}
			}
		}
	}
	return nil
}

func validateMedia(field string, c *MediaContent, captioned bool) error {
	if c == nil {
		return missing(field)
	}
	switch {
	case c.ID == "" && c.Link == "":
		return invalid(field, "needs an id or a link")
	case c.ID != "" && c.Link != "":
		return invalid(field, "takes an id or a link, not both")
	case c.Link != "" && !strings.HasPrefix(c.Link, "https://") && !strings.HasPrefix(c.Link, "http://"):
		return invalid(field+".link", "must be an http(s) URL")
	case strings.Contains(c.ID, "://"):
		return invalid(field+".id", "is a URL; only http(s) links are accepted, as link")
	case !captioned && c.Caption != "":
		return invalid(field+".caption", "this media type takes no caption")
	}
	return checkLen(field+".caption", c.Caption, MaxCaption, false)
}

// clip shortens s to at most limit characters, ending with "…" when cut.
func clip(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:limit-1]), " ") + ellipsis
}

// Fit returns a copy of m whose display texts (bodies, header, footer, list
// button, section and row titles, row descriptions, button titles, captions)
// are clipped to their limits with "…". Ids and counts are never changed,
// since cutting them would break routing or drop options: Validate still
// reports those.
func (m OutMessage) Fit() OutMessage {
	c := m.clone()
	if c.Text != nil {
		c.Text.Body = clip(c.Text.Body, MaxTextBody)
	}
	for _, md := range []*MediaContent{c.Image, c.Document, c.Video} {
		if md != nil {
			md.Caption = clip(md.Caption, MaxCaption)
		}
	}
	it := c.Interactive
	if it == nil {
		return c
	}
	if it.Header != nil {
		it.Header.Text = clip(it.Header.Text, MaxHeader)
	}
	if it.Footer != nil {
		it.Footer.Text = clip(it.Footer.Text, MaxFooter)
	}
	if it.Body != nil {
		limit := MaxListBody
		if it.Type == InteractiveButtons {
			limit = MaxButtonsBody
		}
		it.Body.Text = clip(it.Body.Text, limit)
	}
	it.Action.Button = clip(it.Action.Button, MaxListButton)
	for i := range it.Action.Sections {
		s := &it.Action.Sections[i]
		s.Title = clip(s.Title, MaxSectionTitle)
		for j := range s.Rows {
			s.Rows[j].Title = clip(s.Rows[j].Title, MaxRowTitle)
			s.Rows[j].Description = clip(s.Rows[j].Description, MaxRowDescription)
		}
	}
	for i := range it.Action.Buttons {
		it.Action.Buttons[i].Reply.Title = clip(it.Action.Buttons[i].Reply.Title, MaxButtonTitle)
	}
	return c
}
