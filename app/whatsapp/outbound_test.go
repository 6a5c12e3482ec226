package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const citizen = "+5517988887777"

func rows(n int) []Row {
	var out []Row
	for i := range n {
		out = append(out, Row{ID: fmt.Sprintf("r%d", i), Title: fmt.Sprintf("Opção %d", i)})
	}
	return out
}

func TestOutMessageJSON(t *testing.T) {
	tests := []struct {
		name string
		msg  OutMessage
		want string
	}{
		{
			"text", Text(citizen, "Olá"),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+5517988887777","type":"text","text":{"body":"Olá"}}`,
		},
		{
			"list",
			List(citizen, "Escolha", "", Section{Title: "Água", Rows: []Row{{ID: "agua_2via", Title: "Segunda via", Description: "Conta de água"}}}).
				WithHeader("Prefeitura").WithFooter("Digite 0 para voltar"),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+5517988887777","type":"interactive","interactive":{"type":"list","header":{"type":"text","text":"Prefeitura"},"body":{"text":"Escolha"},"footer":{"text":"Digite 0 para voltar"},"action":{"button":"Ver opções","sections":[{"title":"Água","rows":[{"id":"agua_2via","title":"Segunda via","description":"Conta de água"}]}]}}}`,
		},
		{
			"buttons", Buttons(citizen, "Resolvido?", Button{ID: "sim", Title: "Sim"}, Button{ID: "nao", Title: "Não"}),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+5517988887777","type":"interactive","interactive":{"type":"button","body":{"text":"Resolvido?"},"action":{"buttons":[{"type":"reply","reply":{"id":"sim","title":"Sim"}},{"type":"reply","reply":{"id":"nao","title":"Não"}}]}}}`,
		},
		{
			"template", Template(citizen, "atualizacao_protocolo", "pt_BR", "2026 000123-4"),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+5517988887777","type":"template","template":{"name":"atualizacao_protocolo","language":{"code":"pt_BR"},"components":[{"type":"body","parameters":[{"type":"text","text":"2026 000123-4"}]}]}}`,
		},
		{
			"image by id", Image(citizen, "1234", "Foto"),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+5517988887777","type":"image","image":{"id":"1234","caption":"Foto"}}`,
		},
		{
			"document by link", Document(citizen, "https://example.org/a.pdf", "a.pdf", ""),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+5517988887777","type":"document","document":{"link":"https://example.org/a.pdf","filename":"a.pdf"}}`,
		},
		{"mark read", MarkRead("wamid.IN"), `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN"}`},
		{
			"reply with callback", func() OutMessage {
				m := Text(citizen, "ok").ReplyTo("wamid.IN")
				m.BizOpaqueCallbackData = "outbox:7"
				return m
			}(),
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+5517988887777","type":"text","context":{"message_id":"wamid.IN"},"text":{"body":"ok"},"biz_opaque_callback_data":"outbox:7"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.msg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			b, err := json.Marshal(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("JSON:\n got %s\nwant %s", b, tt.want)
			}
			var back OutMessage
			if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, tt.msg) {
				t.Errorf("round trip = %+v, %v", back, err)
			}
		})
	}
}

func TestOutMessageValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("á", n) }
	list := func(mod func(*Interactive)) OutMessage {
		m := List(citizen, "Escolha", "Ver opções", Section{Title: "S", Rows: rows(3)})
		mod(m.Interactive)
		return m
	}
	buttons := func(b ...Button) OutMessage { return Buttons(citizen, "Escolha", b...) }
	tests := []struct {
		name  string
		msg   OutMessage
		field string // empty: valid
	}{
		{"text at the limit", Text(citizen, long(MaxTextBody)), ""},
		{"text over the limit", Text(citizen, long(MaxTextBody+1)), "text.body"},
		{"empty text", Text(citizen, "  "), "text.body"},
		{"no recipient", Text("", "oi"), "to"},
		{"recipient with letters", Text("55abc", "oi"), "to"},
		{"recipient too short", Text("+5517", "oi"), "to"},
		{"recipient without plus", Text("5517988887777", "oi"), ""},
		{"unknown type", OutMessage{To: citizen, Type: "carousel"}, "type"},
		{"text type without text", OutMessage{To: citizen, Type: TypeText}, "text"},
		{"wrong product", OutMessage{MessagingProduct: "sms", To: citizen, Type: TypeText, Text: &TextContent{Body: "x"}}, "messaging_product"},
		{"callback too long", func() OutMessage { m := Text(citizen, "x"); m.BizOpaqueCallbackData = long(513); return m }(), "biz_opaque_callback_data"},
		{"empty reply context", Text(citizen, "x").ReplyTo(""), "context.message_id"},

		{"list of 10 rows in 2 sections", list(func(i *Interactive) {
			i.Action.Sections = []Section{{Title: "A", Rows: rows(5)}, {Title: "B", Rows: rows(10)[5:]}}
		}), ""},
		{"list of 11 rows", list(func(i *Interactive) {
			r := rows(11)
			i.Action.Sections = []Section{{Title: "A", Rows: r[:6]}, {Title: "B", Rows: r[6:]}}
		}), "interactive.action.sections"},
		{"11 sections", list(func(i *Interactive) {
			i.Action.Sections = nil
			for k := range 11 {
				i.Action.Sections = append(i.Action.Sections, Section{Title: fmt.Sprint(k), Rows: []Row{{ID: fmt.Sprint(k), Title: "x"}}})
			}
		}), "interactive.action.sections"},
		{"no sections", list(func(i *Interactive) { i.Action.Sections = nil }), "interactive.action.sections"},
		{"empty section", list(func(i *Interactive) { i.Action.Sections[0].Rows = nil }), "interactive.action.sections[0].rows"},
		{"list button 21", list(func(i *Interactive) { i.Action.Button = long(21) }), "interactive.action.button"},
		{"list button missing", list(func(i *Interactive) { i.Action.Button = "" }), "interactive.action.button"},
		{"section title 25", list(func(i *Interactive) { i.Action.Sections[0].Title = long(25) }), "interactive.action.sections[0].title"},
		{"section title missing with 2 sections", list(func(i *Interactive) {
			i.Action.Sections = []Section{{Rows: rows(1)}, {Title: "B", Rows: rows(2)[1:]}}
		}), "interactive.action.sections[0].title"},
		{"row title 24", list(func(i *Interactive) { i.Action.Sections[0].Rows[0].Title = long(24) }), ""},
		{"row title 25", list(func(i *Interactive) { i.Action.Sections[0].Rows[1].Title = long(25) }), "interactive.action.sections[0].rows[1].title"},
		{"row description 73", list(func(i *Interactive) { i.Action.Sections[0].Rows[0].Description = long(73) }), "interactive.action.sections[0].rows[0].description"},
		{"row id 200", list(func(i *Interactive) { i.Action.Sections[0].Rows[0].ID = strings.Repeat("x", 200) }), ""},
		{"row id 201", list(func(i *Interactive) { i.Action.Sections[0].Rows[0].ID = strings.Repeat("x", 201) }), "interactive.action.sections[0].rows[0].id"},
		{"row id repeated", list(func(i *Interactive) { i.Action.Sections[0].Rows[2].ID = "r0" }), "interactive.action.sections[0].rows[2].id"},
		{"header 61", list(func(i *Interactive) { i.Header = &InteractiveHeader{Type: "text", Text: long(61)} }), "interactive.header.text"},
		{"image header", list(func(i *Interactive) { i.Header = &InteractiveHeader{Type: "image"} }), "interactive.header.type"},
		{"footer 61", list(func(i *Interactive) { i.Footer = &InteractiveText{Text: long(61)} }), "interactive.footer.text"},
		{"list body 4097", list(func(i *Interactive) { i.Body.Text = long(4097) }), "interactive.body.text"},
		{"list without body", list(func(i *Interactive) { i.Body = nil }), "interactive.body.text"},
		{"interactive kind unknown", list(func(i *Interactive) { i.Type = "product" }), "interactive.type"},

		{"3 buttons", buttons(Button{"a", "A"}, Button{"b", "B"}, Button{"c", "C"}), ""},
		{"4 buttons", buttons(Button{"a", "A"}, Button{"b", "B"}, Button{"c", "C"}, Button{"d", "D"}), "interactive.action.buttons"},
		{"no buttons", buttons(), "interactive.action.buttons"},
		{"button title 21", buttons(Button{"a", long(21)}), "interactive.action.buttons[0].reply.title"},
		{"button title repeated", buttons(Button{"a", "Sim"}, Button{"b", "sim "}), "interactive.action.buttons[1].reply.title"},
		{"button id repeated", buttons(Button{"a", "Sim"}, Button{"a", "Não"}), "interactive.action.buttons[1].reply.id"},
		{"button id 257", buttons(Button{strings.Repeat("x", 257), "Sim"}), "interactive.action.buttons[0].reply.id"},
		{"button id missing", buttons(Button{"", "Sim"}), "interactive.action.buttons[0].reply.id"},
		{"buttons body 1025", Buttons(citizen, long(1025), Button{"a", "A"}), "interactive.body.text"},

		{"template", Template(citizen, "aviso", "pt_BR"), ""},
		{"template without name", Template(citizen, "", "pt_BR"), "template.name"},
		{"template without language", Template(citizen, "aviso", ""), "template.language.code"},
		{"template empty parameter", Template(citizen, "aviso", "pt_BR", "ok", ""), "template.components[0].parameters[1].text"},

		{"image by link", Image(citizen, "https://example.org/x.jpg", ""), ""},
		{"image without source", Image(citizen, "", ""), "image"},
		{"image with both", func() OutMessage { m := Image(citizen, "1", ""); m.Image.Link = "https://x"; return m }(), "image"},
		{"caption 1025", Video(citizen, "1", long(1025)), "video.caption"},
		{"audio with caption", func() OutMessage { m := Audio(citizen, "1"); m.Audio.Caption = "x"; return m }(), "audio.caption"},
		{"document link not http", Document(citizen, "ftp://x", "a", ""), "document.id"},
		{"link not http", func() OutMessage { m := Image(citizen, "1", ""); m.Image.ID, m.Image.Link = "", "ftp://x"; return m }(), "image.link"},

		{"mark read", MarkRead("wamid.1"), ""},
		{"mark read without id", MarkRead(""), "message_id"},
		{"status other than read", OutMessage{Status: "delivered", MessageID: "wamid.1"}, "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.msg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			if ve.Field != tt.field {
				t.Errorf("Field = %q, want %q (%v)", ve.Field, tt.field, err)
			}
			if !strings.HasPrefix(err.Error(), "whatsapp: invalid message: "+tt.field+": ") {
				t.Errorf("Error() = %q", err)
			}
		})
	}
}

func TestOutMessageLimitNamedInError(t *testing.T) {
	m := List(citizen, "x", "", Section{Title: "A", Rows: rows(11)})
	if err := m.Validate(); err == nil || !strings.Contains(err.Error(), "11 rows in all sections; the limit is 10") {
		t.Errorf("Validate = %v", err)
	}
	if err := Text(citizen, strings.Repeat("a", 5000)).Validate(); err == nil || !strings.Contains(err.Error(), "5000 characters; the limit is 4096") {
		t.Errorf("Validate = %v", err)
	}
}

func TestOutMessageFit(t *testing.T) {
	long := strings.Repeat("palavra ", 20)
	m := List(citizen, strings.Repeat("b", 5000), long,
		Section{Title: long, Rows: []Row{{ID: strings.Repeat("i", 150), Title: long, Description: long + long}}}).
		WithHeader(long).WithFooter(long)
	if m.Validate() == nil {
		t.Fatal("the long list should not validate")
	}
	fit := m.Fit()
	if err := fit.Validate(); err != nil {
		t.Fatalf("Fit().Validate() = %v", err)
	}
	r := fit.Interactive.Action.Sections[0].Rows[0]
	if r.ID != strings.Repeat("i", 150) || !strings.HasSuffix(r.Title, "…") || len([]rune(r.Title)) > MaxRowTitle {
		t.Errorf("row = %+v", r)
	}
	if m.Interactive.Action.Sections[0].Rows[0].Title != long {
		t.Error("Fit changed the original")
	}
	b := Buttons(citizen, strings.Repeat("x", 2000), Button{"1", "Um título muito comprido"}).Fit()
	if err := b.Validate(); err != nil {
		t.Errorf("buttons Fit().Validate() = %v", err)
	}
	if err := List(citizen, "x", "", Section{Rows: rows(11)}).Fit().Validate(); err == nil {
		t.Error("Fit must not drop rows")
	}
}

func TestOutMessageKindAndSummary(t *testing.T) {
	tests := []struct {
		msg     OutMessage
		kind    string
		summary string
	}{
		{Text(citizen, "Olá"), "text", "Olá"},
		{List(citizen, "Escolha", "", Section{Rows: rows(2)}).WithHeader("Menu"), "list", "Menu\nEscolha\n• Opção 0\n• Opção 1"},
		{Buttons(citizen, "Ok?", Button{"s", "Sim"}), "buttons", "Ok?\n• Sim"},
		{Template(citizen, "aviso", "pt_BR", "A", "B"), "template", "[modelo aviso] A | B"},
		{Image(citizen, "1", ""), "image", "[imagem]"},
		{Document(citizen, "1", "boleto.pdf", "Seu boleto"), "document", "[documento] boleto.pdf Seu boleto"},
		{Audio(citizen, "1"), "audio", "[áudio]"},
		{Video(citizen, "1", "Veja"), "video", "[vídeo] Veja"},
		{MarkRead("wamid.1"), "read", "[marcada como lida]"},
	}
	for _, tt := range tests {
		if got := tt.msg.Kind(); got != tt.kind {
			t.Errorf("Kind = %q, want %q", got, tt.kind)
		}
		if got := tt.msg.Summary(); got != tt.summary {
			t.Errorf("Summary = %q, want %q", got, tt.summary)
		}
	}
}
