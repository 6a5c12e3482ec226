package bot

import (
	"encoding/json"
	"fmt"

	"balcao/app/store"
)

// Mode is what the bot's last message asked the citizen for.
type Mode string

// Modes of a session.
const (
	ModeNew       Mode = ""         // nothing yet: the next message starts the conversation
	ModeMenu      Mode = "menu"     // the options of Session.Node are on screen
	ModeOffers    Mode = "offers"   // articles found by a search are on screen (Session.Offers)
	ModeFeedback  Mode = "feedback" // "Isso resolveu?" about Session.Article
	ModeOfferHelp Mode = "help"     // "falar com um atendente?" after failures or a "não"
	ModeField     Mode = "field"    // field Session.Step of the ask node Session.Node
	ModeLookup    Mode = "lookup"   // a protocol number, for the lookup node Session.Node
	ModeResume    Mode = "resume"   // after a timeout in the middle of a form: continue or start over?
	ModeEnded     Mode = "ended"    // the conversation ended; the caller deletes the session
	// ModeSurvey: "De 1 a 5, como você avalia…" about ticket Session.Survey.
	ModeSurvey Mode = "survey"
	// ModeSurveyComment: the score is in; an optional comment is awaited.
	ModeSurveyComment Mode = "survey_comment"
)

// Session is where a contact is in the conversation; the caller stores it
// between messages (Encode / DecodeSession). The zero Session is a new
// conversation.
type Session struct {
	// Node is the menu on screen, or the ask / lookup node in progress.
	Node int64 `json:"node,omitempty"`
	Mode Mode  `json:"mode,omitempty"`
	// Step is the field being asked (ModeField, ModeResume).
	Step int `json:"step,omitempty"`
	// Answers collected so far in the form of Node; never dropped silently:
	// they leave the session in an OpenTicket or as RecordAnswer effects.
	Answers []Answer `json:"answers,omitempty"`
	// Identity is the citizen's choice when the form offered anonymity:
	// store.IdentityNormal (""), IdentitySigilosa or IdentityAnonima.
	Identity string `json:"identity,omitempty"`
	// LegacyAnon is the yes/no "protected identity" of sessions stored before
	// the three choices; DecodeSession reads it as sigilosa.
	LegacyAnon bool `json:"anon,omitempty"`
	// Failures counts messages in a row the bot could not use.
	Failures int `json:"fails,omitempty"`
	// Article is the article whose feedback is awaited.
	Article int64 `json:"article,omitempty"`
	// Offers are the articles a search offered, in the order shown.
	Offers []int64 `json:"offers,omitempty"`
	// Survey is the closed ticket whose satisfaction survey is under way.
	Survey int64 `json:"survey,omitempty"`
	// LastActivity is when the citizen last wrote (Unix ms).
	LastActivity int64 `json:"at,omitempty"`
}

// Answer is one value the citizen gave in a form.
type Answer struct {
	// NodeID is the ask node that asked.
	NodeID int64  `json:"node,omitempty"`
	Key    string `json:"key"`
	Label  string `json:"label,omitempty"`
	Value  string `json:"value"`
	// MessageID is the caller's id of the inbound message that carried it.
	MessageID int64 `json:"msg,omitempty"`
	// MediaID is the WhatsApp media id of a photo or document.
	MediaID string `json:"media,omitempty"`
	// Identifying marks an answer that tells who the citizen is (a CPF or
	// phone field, or a key such as "nome"): see Identifying.
	Identifying bool `json:"ident,omitempty"`
}

// Encode is the session as JSON, for store.SaveBotSession.
func (s Session) Encode() string {
	b, err := json.Marshal(s)
	if err != nil {
		// Only strings, numbers and slices of them: Marshal cannot fail.
		return "{}"
	}
	return string(b)
}

// DecodeSession reads a session stored by Encode. An empty state is a new
// session; a state that does not decode returns the zero Session and an
// error (start over, and log it).
func DecodeSession(state string) (Session, error) {
	var s Session
	if state == "" {
		return s, nil
	}
	if err := json.Unmarshal([]byte(state), &s); err != nil {
		return Session{}, fmt.Errorf("bot session: %w", err)
	}
	if s.LegacyAnon {
		s.Identity, s.LegacyAnon = store.IdentitySigilosa, false
	}
	return s, nil
}
