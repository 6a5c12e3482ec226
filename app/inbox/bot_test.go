package inbox

import (
	"strings"
	"testing"

	"balcao/app/bot"
	"balcao/app/store"
	"balcao/app/whatsapp"
)

func TestBotInputFromStoredMessages(t *testing.T) {
	cases := []struct {
		name, typ, payload string
		want               bot.Input
	}{
		{"text", "text", `{"from":"5517","id":"w1","type":"text","text":{"body":"segunda via"}}`,
			bot.Input{Type: "text", Text: "segunda via"}},
		{"list tap", "interactive", `{"from":"5517","id":"w2","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"n:7","title":"Ouvidoria"}}}`,
			bot.Input{Type: "interactive", Text: "Ouvidoria", ReplyID: "n:7"}},
		{"photo without caption", "image", `{"from":"5517","id":"w3","type":"image","image":{"id":"m9","mime_type":"image/jpeg"}}`,
			bot.Input{Type: "image", MediaID: "m9"}},
		{"reaction", "reaction", `{"from":"5517","id":"w4","type":"reaction","reaction":{"message_id":"w0","emoji":"👍"}}`,
			bot.Input{Type: "reaction", Text: "👍"}},
		{"unreadable payload", "text", `{`, bot.Input{Type: "text", Text: "body"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := botInput(store.PendingInbound{ID: 5, ContactID: 9, Type: c.typ, Body: "body", Payload: c.payload, CreatedAt: 1000})
			if got.Type != c.want.Type || got.Text != c.want.Text || got.ReplyID != c.want.ReplyID || got.MediaID != c.want.MediaID ||
				got.ContactID != 9 || got.MessageID != 5 {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
	loc := botInput(store.PendingInbound{Type: "location",
		Payload: `{"from":"5517","id":"w5","type":"location","location":{"latitude":-22.5,"longitude":-48.1,"name":"Praça"}}`})
	if loc.Location == nil || loc.Location.Latitude != -22.5 || loc.Location.Name != "Praça" {
		t.Errorf("location %+v", loc.Location)
	}
}

func TestOutMessageFallsBackToNumberedText(t *testing.T) {
	opts := []bot.Option{{ID: "a", Number: "1", Title: "Sim"}, {ID: "b", Number: "2", Title: "Não"}}
	if m := outMessage("5517999990000", bot.Reply{Text: "Isso resolveu?", Options: opts, Form: bot.FormButtons}); m.Type != whatsapp.TypeInteractive {
		t.Errorf("buttons sent as %q", m.Type)
	}
	if m := outMessage("5517999990000", bot.Reply{Text: "Escolha", Options: opts, Form: bot.FormList, Button: "Ver opções"}); m.Type != whatsapp.TypeInteractive {
		t.Errorf("list sent as %q", m.Type)
	}
	// A button title over the API's limit would be refused: numbered text instead.
	long := []bot.Option{{ID: "a", Number: "1", Title: strings.Repeat("x", 40)}}
	m := outMessage("5517999990000", bot.Reply{Text: "Escolha", Options: long, Form: bot.FormButtons})
	if m.Type != whatsapp.TypeText || !strings.Contains(m.Text.Body, "*1* - ") {
		t.Errorf("too long a button: %+v", m)
	}
}
