package whatsapp

import "testing"

func TestParseMessageReadsStoredItems(t *testing.T) {
	cases := []struct {
		name, raw, typ, text, reply string
	}{
		{"text", `{"from":"5517999990001","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"oi"}}`, TypeText, "oi", ""},
		{"list reply", `{"from":"5517999990001","id":"wamid.2","timestamp":"1","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"n:4","title":"Segunda via"}}}`,
			TypeInteractive, "Segunda via", "n:4"},
		{"image", `{"from":"5517999990001","id":"wamid.3","timestamp":"1","type":"image","image":{"id":"m1","mime_type":"image/jpeg","caption":"poste"}}`, TypeImage, "poste", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseMessage([]byte(c.raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.Type != c.typ || m.Text() != c.text || m.ReplyID() != c.reply {
				t.Errorf("got type %q text %q reply %q", m.Type, m.Text(), m.ReplyID())
			}
		})
	}
	if _, err := ParseMessage([]byte(`not json`)); err == nil {
		t.Error("bad JSON accepted")
	}
}
