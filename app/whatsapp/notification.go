package whatsapp

import (
	"encoding/json"
	"time"
)

// MaxNotificationBytes is a safe limit for reading a webhook body: Meta
// documents bodies of up to 3 MB, and the margin keeps a full batch from being
// refused.
const MaxNotificationBytes = 4 << 20

// Message types found in messages[].type (and, for outgoing ones, in OutMessage.Type).
const (
	TypeText        = "text"        // TypeText is a plain text message.
	TypeInteractive = "interactive" // TypeInteractive is a list or reply-button message, or a reply to one.
	TypeButton      = "button"      // TypeButton is a tap on a template's quick-reply button.
	TypeImage       = "image"       // TypeImage is a photo.
	TypeVideo       = "video"       // TypeVideo is a video.
	TypeAudio       = "audio"       // TypeAudio is an audio file or voice note.
	TypeSticker     = "sticker"     // TypeSticker is a sticker (figurinha).
	TypeDocument    = "document"    // TypeDocument is a file with a name.
	TypeLocation    = "location"    // TypeLocation is a shared place.
	TypeReaction    = "reaction"    // TypeReaction is an emoji on an earlier message.
	TypeContacts    = "contacts"    // TypeContacts is shared contact cards.
	TypeUnsupported = "unsupported" // TypeUnsupported is content the Cloud API does not deliver (edits, polls…).
	TypeTemplate    = "template"    // TypeTemplate is an outgoing approved template.
	// TypeUnknown is used when a message arrives with no type at all; Meta
	// also sent it literally for unsupported content in older versions.
	TypeUnknown = "unknown"
)

// Interactive reply kinds found in interactive.type of an inbound message.
const (
	InteractiveListReply   = "list_reply"   // InteractiveListReply is a chosen list row.
	InteractiveButtonReply = "button_reply" // InteractiveButtonReply is a tapped reply button.
)

// Notification is the flattened content of one webhook POST: every item of
// every entry and change, in the order received.
type Notification struct {
	Contacts []Contact
	Messages []InboundMessage
	Statuses []StatusUpdate
	// Errors are value-level errors, which may arrive with no messages or statuses.
	Errors []APIError
	// Other holds changes whose field is not "messages" (template status
	// updates, account alerts…), undecoded.
	Other []Change
	// Warnings describe items that were skipped or only partly decoded; log them.
	Warnings []string
}

// Metadata identifies the business number a webhook item belongs to.
type Metadata struct {
	// WABAID is the WhatsApp Business Account id (entry[].id).
	WABAID             string
	PhoneNumberID      string
	DisplayPhoneNumber string
}

// Change is a webhook change this package does not interpret.
type Change struct {
	WABAID string
	Field  string
	Value  json.RawMessage
}

// Contact is an entry of contacts[]: who wrote, as WhatsApp knows them.
type Contact struct {
	WaID        string
	ProfileName string
	Raw         json.RawMessage
}

// InboundMessage is one message a citizen sent. Exactly one of the
// type-specific fields is set for known types; Raw always holds the item.
type InboundMessage struct {
	// ID is the message's wamid, the key to deduplicate on.
	ID string
	// From is the citizen's WhatsApp id, digits only.
	From string
	// ProfileName comes from the contacts[] entry with the same wa_id.
	ProfileName string
	// Timestamp is when WhatsApp received the message (zero if absent).
	Timestamp time.Time
	Type      string

	// Body is text.body for text messages (and system.body for system notices).
	Body        string
	Interactive *InteractiveReply
	Button      *ButtonReply
	// Media is set for image, video, audio, sticker and document.
	Media    *Media
	Location *Location
	Reaction *Reaction
	// SharedContacts is the raw contacts array of a "contacts" message.
	SharedContacts json.RawMessage
	// UnsupportedType is unsupported.type ("edit", "poll_update"…).
	UnsupportedType string
	// Errors are the message's own errors (131051 for unsupported content).
	Errors []APIError

	Context  *MessageContext
	Referral *Referral
	Metadata Metadata
	// Raw is the message item exactly as received, for audit.
	Raw json.RawMessage
}

// InteractiveReply is the citizen's choice in a list or reply-button message.
type InteractiveReply struct {
	// Type is InteractiveListReply, InteractiveButtonReply or a kind this package does not know.
	Type        string
	ID          string
	Title       string
	Description string
}

// ButtonReply is a tap on a template's quick-reply button.
type ButtonReply struct {
	Payload string
	Text    string
}

// Media describes an inbound image, video, audio, sticker or document.
type Media struct {
	ID       string
	MimeType string
	// SHA256 is as sent: base64 in some payloads, hex in others.
	SHA256   string
	Caption  string
	Filename string
	// URL is a direct download link Meta started sending; it may be empty.
	URL string
	// Voice marks an audio recorded in WhatsApp; Animated marks a sticker.
	Voice    bool
	Animated bool
}

// Location is a shared place.
type Location struct {
	Latitude  float64
	Longitude float64
	Name      string
	Address   string
	URL       string
}

// Reaction is an emoji on an earlier message; Removed means the citizen took it back.
type Reaction struct {
	MessageID string
	Emoji     string
	Removed   bool
}

// MessageContext points at the message this one answers, or marks a forward.
type MessageContext struct {
	// ID is the wamid of the answered message (usually one balcao sent).
	ID                  string
	From                string
	Forwarded           bool
	FrequentlyForwarded bool
}

// Referral describes the click-to-WhatsApp ad or post that started the chat.
type Referral struct {
	SourceURL    string
	SourceID     string
	SourceType   string
	Headline     string
	Body         string
	MediaType    string
	ImageURL     string
	VideoURL     string
	ThumbnailURL string
	CTWAClickID  string
	Raw          json.RawMessage
}

// StatusUpdate reports the delivery of a message balcao sent.
type StatusUpdate struct {
	// ID is the wamid Send returned.
	ID string
	// Status is one of the Status* constants; unrecognised values become StatusUnknown.
	Status      string
	Timestamp   time.Time
	RecipientID string
	Errors      []APIError
	// CallbackData echoes OutMessage.BizOpaqueCallbackData.
	CallbackData string
	Conversation *Conversation
	Pricing      *Pricing
	Metadata     Metadata
	Raw          json.RawMessage
}

// Conversation is the billing conversation of a status (mostly gone from v24).
type Conversation struct {
	ID         string
	ExpiresAt  time.Time
	OriginType string
}

// Pricing is the billing information of a status.
type Pricing struct {
	Billable     bool
	PricingModel string
	Type         string
	Category     string
}

// Err returns the first error of a failed status, or nil.
func (s *StatusUpdate) Err() *APIError {
	if len(s.Errors) == 0 {
		return nil
	}
	return &s.Errors[0]
}
