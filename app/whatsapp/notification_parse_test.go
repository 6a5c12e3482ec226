package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseFixture(t *testing.T, name string) *Notification {
	t.Helper()
	n, err := Parse(fixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	if len(n.Warnings) > 0 {
		t.Errorf("Parse(%s) warnings: %v", name, n.Warnings)
	}
	return n
}

func onlyMessage(t *testing.T, n *Notification) InboundMessage {
	t.Helper()
	if len(n.Messages) != 1 {
		t.Fatalf("got %d messages, want 1", len(n.Messages))
	}
	return n.Messages[0]
}

func TestParseMessageTypes(t *testing.T) {
	tests := []struct {
		file    string
		typ     string
		text    string
		replyID string
		check   func(t *testing.T, m InboundMessage)
	}{
		{file: "text.json", typ: TypeText, text: "Bom dia, quero a segunda via da conta de água"},
		{
			file: "interactive_list_reply.json", typ: TypeInteractive, text: "Segunda via", replyID: "agua_2via",
			check: func(t *testing.T, m InboundMessage) {
				want := InteractiveReply{Type: InteractiveListReply, ID: "agua_2via", Title: "Segunda via", Description: "Conta de água"}
				if m.Interactive == nil || *m.Interactive != want {
					t.Errorf("Interactive = %+v, want %+v", m.Interactive, want)
				}
				if m.Context == nil || m.Context.ID != "wamid.OUT.LIST.1" || m.Context.From != "5517999990000" {
					t.Errorf("Context = %+v", m.Context)
				}
			},
		},
		{
			file: "interactive_button_reply.json", typ: TypeInteractive, text: "Sim", replyID: "sim",
			check: func(t *testing.T, m InboundMessage) {
				if m.Interactive.Type != InteractiveButtonReply {
					t.Errorf("Interactive.Type = %q", m.Interactive.Type)
				}
			},
		},
		{
			file: "button.json", typ: TypeButton, text: "Falar com atendente", replyID: "falar_atendente",
			check: func(t *testing.T, m InboundMessage) {
				if m.Context == nil || m.Context.ID != "wamid.OUT.TPL.1" {
					t.Errorf("Context = %+v", m.Context)
				}
			},
		},
		{
			file: "image.json", typ: TypeImage, text: "Buraco na Rua 7",
			check: func(t *testing.T, m InboundMessage) {
				want := Media{ID: "1003383421387256", MimeType: "image/jpeg", SHA256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
					Caption: "Buraco na Rua 7", URL: "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256"}
				if m.Media == nil || *m.Media != want {
					t.Errorf("Media = %+v, want %+v", m.Media, want)
				}
			},
		},
		{file: "video.json", typ: TypeVideo, text: "[vídeo]"},
		{
			file: "audio.json", typ: TypeAudio, text: "[mensagem de voz]",
			check: func(t *testing.T, m InboundMessage) {
				if !m.Media.Voice || m.Media.MimeType != "audio/ogg; codecs=opus" {
					t.Errorf("Media = %+v", m.Media)
				}
			},
		},
		{file: "sticker.json", typ: TypeSticker, text: "[figurinha]"},
		{
			file: "document.json", typ: TypeDocument, text: "Comprovante",
			check: func(t *testing.T, m InboundMessage) {
				if m.Media.Filename != "comprovante-residencia.pdf" {
					t.Errorf("Filename = %q", m.Media.Filename)
				}
			},
		},
		{
			file: "location.json", typ: TypeLocation, text: "[localização] Praça da Matriz — Rua Bernardino de Campos, 1, Centro",
			check: func(t *testing.T, m InboundMessage) {
				if m.Location.Latitude != -20.8113 || m.Location.Longitude != -49.3758 || m.Location.URL == "" {
					t.Errorf("Location = %+v", m.Location)
				}
			},
		},
		{
			file: "location_strings.json", typ: TypeLocation, text: "[localização] -20.811300, -49.375800",
			check: func(t *testing.T, m InboundMessage) {
				if m.Location.Latitude != -20.8113 || m.Location.Longitude != -49.3758 {
					t.Errorf("Location = %+v", m.Location)
				}
			},
		},
		{
			file: "reaction.json", typ: TypeReaction, text: "[reação 👍]",
			check: func(t *testing.T, m InboundMessage) {
				if m.Reaction.MessageID != "wamid.OUT.TEXT.1" || m.Reaction.Removed {
					t.Errorf("Reaction = %+v", m.Reaction)
				}
			},
		},
		{
			file: "reaction_removed.json", typ: TypeReaction, text: "[reação removida]",
			check: func(t *testing.T, m InboundMessage) {
				if !m.Reaction.Removed || m.Reaction.Emoji != "" {
					t.Errorf("Reaction = %+v", m.Reaction)
				}
			},
		},
		{
			file: "contacts.json", typ: TypeContacts, text: "[contato] João Pereira +55 17 98888-1111",
			check: func(t *testing.T, m InboundMessage) {
				var cards []map[string]any
				if err := json.Unmarshal(m.SharedContacts, &cards); err != nil || len(cards) != 1 {
					t.Errorf("SharedContacts = %s (%v)", m.SharedContacts, err)
				}
			},
		},
		{
			file: "unsupported.json", typ: TypeUnsupported, text: "[mensagem não suportada: edit]",
			check: func(t *testing.T, m InboundMessage) {
				if m.UnsupportedType != "edit" || len(m.Errors) != 1 || m.Errors[0].Code != 131051 ||
					m.Errors[0].Details != "Message type is currently not supported." {
					t.Errorf("UnsupportedType = %q, Errors = %+v", m.UnsupportedType, m.Errors)
				}
			},
		},
		{
			file: "unknown_type.json", typ: "poll_vote", text: "[mensagem do tipo poll_vote]",
			check: func(t *testing.T, m InboundMessage) {
				if !strings.Contains(string(m.Raw), `"poll_vote"`) || !strings.Contains(string(m.Raw), "brand_new_field") {
					t.Errorf("Raw lost the unknown content: %s", m.Raw)
				}
			},
		},
		{
			file: "referral.json", typ: TypeText, text: "Vi o anúncio do IPTU",
			check: func(t *testing.T, m InboundMessage) {
				r := m.Referral
				if r == nil || r.SourceType != "ad" || r.Headline != "IPTU 2026 com desconto" || r.CTWAClickID != "ARAkLk-CLID" || len(r.Raw) == 0 {
					t.Errorf("Referral = %+v", r)
				}
			},
		},
		{
			file: "forwarded.json", typ: TypeText, text: "Corrente: água vai faltar amanhã",
			check: func(t *testing.T, m InboundMessage) {
				if m.Context == nil || !m.Context.Forwarded || !m.Context.FrequentlyForwarded || m.Context.ID != "" {
					t.Errorf("Context = %+v", m.Context)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			n := parseFixture(t, tt.file)
			m := onlyMessage(t, n)
			if m.Type != tt.typ {
				t.Errorf("Type = %q, want %q", m.Type, tt.typ)
			}
			if got := m.Text(); got != tt.text {
				t.Errorf("Text() = %q, want %q", got, tt.text)
			}
			if got := m.ReplyID(); got != tt.replyID {
				t.Errorf("ReplyID() = %q, want %q", got, tt.replyID)
			}
			if m.From != "5517988887777" || m.ProfileName != "Maria da Silva" || !strings.HasPrefix(m.ID, "wamid.") {
				t.Errorf("From/ProfileName/ID = %q/%q/%q", m.From, m.ProfileName, m.ID)
			}
			if m.Timestamp.IsZero() || m.Timestamp.Location() != time.UTC {
				t.Errorf("Timestamp = %v", m.Timestamp)
			}
			wantMeta := Metadata{WABAID: "102290129340398", PhoneNumberID: "106540352242922", DisplayPhoneNumber: "5517999990000"}
			if m.Metadata != wantMeta {
				t.Errorf("Metadata = %+v", m.Metadata)
			}
			if !json.Valid(m.Raw) || !strings.Contains(string(m.Raw), m.ID) {
				t.Errorf("Raw = %s", m.Raw)
			}
			if len(n.Contacts) != 1 || n.Contacts[0].WaID != "5517988887777" {
				t.Errorf("Contacts = %+v", n.Contacts)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestParseStatuses(t *testing.T) {
	tests := []struct {
		file   string
		status string
		rank   int
		check  func(t *testing.T, s StatusUpdate)
	}{
		{
			file: "status_sent.json", status: StatusSent, rank: 2,
			check: func(t *testing.T, s StatusUpdate) {
				c := s.Conversation
				if c == nil || c.ID != "CONVERSATION_ID" || c.OriginType != "service" || c.ExpiresAt.Unix() != 1751229280 {
					t.Errorf("Conversation = %+v", c)
				}
				if p := s.Pricing; p == nil || !p.Billable || p.Category != "service" || p.PricingModel != "PMP" || p.Type != "free_customer_service" {
					t.Errorf("Pricing = %+v", p)
				}
				if s.CallbackData != "outbox:42" {
					t.Errorf("CallbackData = %q", s.CallbackData)
				}
			},
		},
		{
			file: "status_delivered.json", status: StatusDelivered, rank: 3,
			check: func(t *testing.T, s StatusUpdate) {
				if s.Conversation.ExpiresAt.Unix() != 1751229280 || !s.Pricing.Billable {
					t.Errorf("string expiration/billable not decoded: %+v %+v", s.Conversation, s.Pricing)
				}
			},
		},
		{file: "status_read.json", status: StatusRead, rank: 4},
		{file: "status_played.json", status: StatusPlayed, rank: 4},
		{
			file: "status_failed.json", status: StatusFailed, rank: 5,
			check: func(t *testing.T, s StatusUpdate) {
				e := s.Err()
				if e == nil || e.Code != 131047 || e.Title != "Re-engagement message" || !strings.HasPrefix(e.Details, "Message failed to send") || e.Href == "" {
					t.Fatalf("Err() = %+v", e)
				}
				if Classify(e) != Window {
					t.Errorf("Classify = %v, want Window", Classify(e))
				}
			},
		},
		{
			file: "status_unknown.json", status: StatusUnknown, rank: 0,
			check: func(t *testing.T, s StatusUpdate) {
				if s.RecipientID != "5517988887777" {
					t.Errorf("RecipientID = %q, want the + stripped", s.RecipientID)
				}
				if !strings.Contains(string(s.Raw), `"deleted"`) {
					t.Errorf("Raw lost the original status: %s", s.Raw)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			n := parseFixture(t, tt.file)
			if len(n.Statuses) != 1 || len(n.Messages) != 0 {
				t.Fatalf("got %d statuses and %d messages", len(n.Statuses), len(n.Messages))
			}
			s := n.Statuses[0]
			if s.Status != tt.status || StatusRank(s.Status) != tt.rank {
				t.Errorf("Status = %q (rank %d), want %q (rank %d)", s.Status, StatusRank(s.Status), tt.status, tt.rank)
			}
			if s.ID == "" || s.Timestamp.IsZero() || s.RecipientID == "" || s.Metadata.PhoneNumberID != "106540352242922" {
				t.Errorf("StatusUpdate = %+v", s)
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestParseValueErrors(t *testing.T) {
	n := parseFixture(t, "value_errors.json")
	if len(n.Errors) != 2 || len(n.Messages)+len(n.Statuses) != 0 {
		t.Fatalf("Errors = %+v", n.Errors)
	}
	if e := n.Errors[0]; e.Code != 131000 || e.Details != "Top-level details string" {
		t.Errorf("Errors[0] = %+v (details at top level)", e)
	}
	if e := n.Errors[1]; e.Code != 130429 || e.Details != "Cloud API message throughput has been reached." {
		t.Errorf("Errors[1] = %+v (code as string, details in error_data)", e)
	}
}

func TestParseBatch(t *testing.T) {
	n := parseFixture(t, "batch.json")
	type msg struct{ id, from, name, text string }
	var got []msg
	for _, m := range n.Messages {
		got = append(got, msg{m.ID, m.From, m.ProfileName, m.Text()})
	}
	want := []msg{
		{"wamid.B1", "5517988887777", "Maria", "um"},
		{"wamid.B2", "5517977776666", "José", "Não"},
		{"wamid.B3", "5517988887777", "Maria", "[figurinha]"},
		{"wamid.B4", "5511955554444", "Ana", "[localização] -23.550000, -46.630000"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("messages:\n got %v\nwant %v", got, want)
	}
	if ts := n.Messages[0].Timestamp; !ts.Equal(time.Unix(1751142800, 0)) {
		t.Errorf("numeric timestamp = %v", ts)
	}
	if !n.Messages[2].Media.Animated {
		t.Errorf("sticker not animated: %+v", n.Messages[2].Media)
	}
	if m := n.Messages[3].Metadata; m.WABAID != "102290129340399" || m.PhoneNumberID != "106540352242923" {
		t.Errorf("second entry metadata = %+v", m)
	}
	var statuses []string
	for _, s := range n.Statuses {
		statuses = append(statuses, s.ID+":"+s.Status)
	}
	if strings.Join(statuses, " ") != "wamid.S1:delivered wamid.S1:sent wamid.S2:failed" {
		t.Errorf("statuses = %v", statuses)
	}
	if StatusAdvances(n.Statuses[0].Status, n.Statuses[1].Status) {
		t.Error("a late sent must not move a delivered message backwards")
	}
	if len(n.Errors) != 1 || n.Errors[0].Code != 131000 {
		t.Errorf("Errors = %+v", n.Errors)
	}
	if len(n.Contacts) != 3 {
		t.Errorf("Contacts = %+v", n.Contacts)
	}
	if len(n.Other) != 1 || n.Other[0].Field != "message_template_status_update" || !strings.Contains(string(n.Other[0].Value), "PAUSED") {
		t.Errorf("Other = %+v", n.Other)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want error
	}{
		{"truncated JSON", fixture(t, "malformed.json"), ErrMalformed},
		{"wrong object", fixture(t, "wrong_object.json"), ErrWrongObject},
		{"array", []byte(`[{"object":"whatsapp_business_account"}]`), ErrMalformed},
		{"empty body", nil, ErrMalformed},
		{"plain text", []byte("hello"), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse(tt.body)
			if !errors.Is(err, tt.want) || n != nil {
				t.Errorf("Parse = %v, %v; want %v", n, err, tt.want)
			}
		})
	}
}

func TestParseTolerance(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		messages int
		warnings int
		check    func(t *testing.T, n *Notification)
	}{
		{name: "empty object", body: `{}`},
		{name: "no entries", body: `{"object":"whatsapp_business_account","entry":[]}`},
		{
			name: "entry as a lone object", messages: 1,
			body: `{"object":"whatsapp_business_account","entry":{"id":"1","changes":[{"field":"messages","value":{"messages":[{"id":"wamid.1","from":"+55 17","type":"text","text":{"body":"oi"},"timestamp":"1751142800000"}]}}]}}`,
			check: func(t *testing.T, n *Notification) {
				m := n.Messages[0]
				if m.From != "55 17" || !m.Timestamp.Equal(time.UnixMilli(1751142800000)) {
					t.Errorf("From %q, Timestamp %v", m.From, m.Timestamp)
				}
			},
		},
		{
			name: "item not an object", messages: 1, warnings: 1,
			body: `{"entry":[{"changes":[{"value":{"messages":["junk",{"id":"wamid.2","type":"text","text":{"body":"ok"}}]}}]}]}`,
		},
		{
			name: "field of the wrong kind", messages: 1, warnings: 1,
			body: `{"entry":[{"changes":[{"value":{"messages":[{"id":"wamid.3","from":"5517","type":"text","text":"not an object"}]}}]}]}`,
			check: func(t *testing.T, n *Notification) {
				if m := n.Messages[0]; m.ID != "wamid.3" || m.From != "5517" || m.Text() != "" {
					t.Errorf("message = %+v", m)
				}
			},
		},
		{
			name: "no type", messages: 1,
			body: `{"entry":[{"changes":[{"value":{"messages":[{"id":"wamid.4"}]}}]}]}`,
			check: func(t *testing.T, n *Notification) {
				if m := n.Messages[0]; m.Type != TypeUnknown || m.Text() != "[mensagem não suportada pelo WhatsApp]" {
					t.Errorf("Type %q Text %q", m.Type, m.Text())
				}
			},
		},
		{
			name: "interactive without kind", messages: 1,
			body: `{"entry":[{"changes":[{"value":{"messages":[{"id":"wamid.5","type":"interactive","interactive":{"button_reply":{"id":"b1","title":"Um"}}}]}}]}]}`,
			check: func(t *testing.T, n *Notification) {
				if r := n.Messages[0].Interactive; r == nil || r.Type != InteractiveButtonReply || r.ID != "b1" {
					t.Errorf("Interactive = %+v", r)
				}
			},
		},
		{
			name: "numbers as numbers", messages: 1,
			body: `{"entry":[{"id":102290129340398,"changes":[{"value":{"metadata":{"phone_number_id":106540352242922},"contacts":[{"wa_id":5517988887777,"profile":{"name":"Rui"}}],"messages":[{"id":"wamid.6","from":5517988887777,"type":"text","text":{"body":12},"timestamp":1751142800}]}}]}]}`,
			check: func(t *testing.T, n *Notification) {
				m := n.Messages[0]
				if m.From != "5517988887777" || m.ProfileName != "Rui" || m.Body != "12" || m.Metadata.PhoneNumberID != "106540352242922" {
					t.Errorf("message = %+v", m)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(n.Messages) != tt.messages || len(n.Warnings) != tt.warnings {
				t.Fatalf("%d messages, warnings %q; want %d and %d", len(n.Messages), n.Warnings, tt.messages, tt.warnings)
			}
			if tt.check != nil {
				tt.check(t, n)
			}
		})
	}
}

func TestParseThousandItems(t *testing.T) {
	var msgs, contacts []string
	for i := range 1000 {
		wa := fmt.Sprintf("55179%08d", i)
		msgs = append(msgs, fmt.Sprintf(`{"from":"+%s","id":"wamid.%d","timestamp":"1751142800","type":"text","text":{"body":"m%d"}}`, wa, i, i))
		contacts = append([]string{fmt.Sprintf(`{"wa_id":%q,"profile":{"name":"C%d"}}`, wa, i)}, contacts...) // reversed order
	}
	body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"contacts":[` +
		strings.Join(contacts, ",") + `],"messages":[` + strings.Join(msgs, ",") + `]}}]}]}`
	n, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Messages) != 1000 {
		t.Fatalf("%d messages", len(n.Messages))
	}
	for i, m := range n.Messages {
		if m.ProfileName != fmt.Sprintf("C%d", i) || m.Body != fmt.Sprintf("m%d", i) {
			t.Fatalf("message %d = %s %q %q", i, m.From, m.ProfileName, m.Body)
		}
	}
}

func TestStatusRank(t *testing.T) {
	order := []string{StatusUnknown, StatusQueued, StatusSent, StatusDelivered, StatusRead, StatusFailed}
	for i := 1; i < len(order); i++ {
		if !StatusAdvances(order[i-1], order[i]) || StatusAdvances(order[i], order[i-1]) {
			t.Errorf("%s → %s should advance and not back", order[i-1], order[i])
		}
	}
	if StatusRank(StatusPlayed) != StatusRank(StatusRead) || StatusRank("READ") != StatusRank(StatusRead) {
		t.Error("played and READ rank as read")
	}
	if StatusAdvances(StatusRead, StatusRead) || StatusAdvances(StatusFailed, StatusRead) || !StatusAdvances(StatusSent, StatusRead) {
		t.Error("duplicates are no-ops, failed is final, delivered may be skipped")
	}
}

func FuzzParse(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			f.Add(fixture(f, e.Name()))
		}
	}
	f.Add([]byte(`{"entry":{"changes":{"value":{"messages":{"type":"reaction","reaction":{}}}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := Parse(body)
		if err != nil {
			return
		}
		for i := range n.Messages {
			m := &n.Messages[i]
			_, _ = m.Text(), m.ReplyID()
		}
		for i := range n.Statuses {
			_ = StatusRank(n.Statuses[i].Status)
			_ = n.Statuses[i].Err()
		}
	})
}

func BenchmarkParse(b *testing.B) {
	var msgs []string
	for i := range 1000 {
		msgs = append(msgs, fmt.Sprintf(`{"from":"55179%08d","id":"wamid.%d","timestamp":"1751142800","type":"text","text":{"body":"mensagem %d"}}`, i, i, i))
	}
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[` + strings.Join(msgs, ",") + `]}}]}]}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "msg/s")
}
