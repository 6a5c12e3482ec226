package views

import (
	"html"
	"net/url"
	"regexp"

	"github.com/a-h/templ"
)

// PhoneView is the simulator's phone page.
type PhoneView struct {
	// DisplayPhone is the city's official number as citizens see it.
	DisplayPhone string
	Phones       []PhoneItem
	// Current is the citizen being played (nil: none chosen yet).
	Current  *PhoneItem
	Messages []PhoneMsg
	Fault    FaultView
	// Error is shown above the compose box after a refused send.
	Error string
	// Text is the draft kept after a refused send.
	Text string
}

// PhoneItem is a citizen in the phone list.
type PhoneItem struct {
	WaID, Name string
	Last       string
	Unread     int
	Active     bool
}

// PhoneMsg is one message on the phone.
type PhoneMsg struct {
	ID string
	// Mine is true for what the citizen sent.
	Mine                 bool
	Kind                 string
	Header, Body, Footer string
	ListButton           string
	Options              []PhoneOpt
	MediaURL             string
	IsImage              bool
	Filename             string
	MapURL, Place        string
	Time                 string
	// Tick, TickClass and TickTitle show the delivery status.
	Tick, TickClass, TickTitle string
	Error                      string
}

// PhoneOpt is a list row or button the citizen can tap.
type PhoneOpt struct {
	ID, Title, Description string
}

// FaultView is the fault switches panel.
type FaultView struct {
	// Current is the key of the active fault ("" for none).
	Current string
	// Remaining is how many requests the fault still applies to (0: until switched off).
	Remaining int
	Notice    string
}

// FaultOption is one switch of the fault panel.
type FaultOption struct {
	Key, Label string
}

// FaultOptions are the failures the phone page can switch on, in pt-BR.
var FaultOptions = []FaultOption{
	{"", "Nenhuma: o WhatsApp funciona normalmente"},
	{"500", "Erro 500 (servidor do WhatsApp fora do ar)"},
	{"130429", "130429: limite de mensagens por segundo"},
	{"131047", "131047: janela de 24 horas fechada"},
	{"timeout", "Sem resposta (tempo esgotado)"},
	{"sem-status", "Aceita, mas não envia os avisos de entrega (ticks)"},
}

// FaultLabel is the pt-BR label of fault key.
func FaultLabel(key string) string {
	for _, o := range FaultOptions {
		if o.Key == key {
			return o.Label
		}
	}
	return key
}

func phoneURL(waID string) string { return "/simulador?numero=" + url.QueryEscape(waID) }

func phoneConvURL(waID string) string { return "/simulador/conversa?numero=" + url.QueryEscape(waID) }

// waMarks are WhatsApp's inline formats: *bold*, _italic_, ~strike~ (the
// marked text neither starts nor ends with a space).
var waMarks = []struct {
	re  *regexp.Regexp
	tag string
}{
	{regexp.MustCompile(`\*([^*\s](?:[^*\n]*[^*\s])?)\*`), "strong"},
	{regexp.MustCompile(`(^|[\s(])_([^_\s](?:[^_\n]*[^_\s])?)_`), "em"},
	{regexp.MustCompile(`~([^~\s](?:[^~\n]*[^~\s])?)~`), "s"},
}

// waText renders a message the way a phone shows it: the text is escaped
// first, then WhatsApp's *bold*, _italic_ and ~strike~ marks become tags, so
// nothing the sender wrote can become HTML.
func waText(text string) templ.Component {
	out := html.EscapeString(text)
	for _, m := range waMarks {
		if m.tag == "em" {
			out = m.re.ReplaceAllString(out, "$1<em>$2</em>")
			continue
		}
		out = m.re.ReplaceAllString(out, "<"+m.tag+">$1</"+m.tag+">")
	}
	return templ.Raw(out)
}
