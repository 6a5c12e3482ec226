package servertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// Inbound is a citizen's message for a hand-made webhook.
type Inbound struct {
	WAMID, From, Name string
	// At is WhatsApp's timestamp (now when zero).
	At time.Time
	// Type and Object form the message item: "text" and {"body": …}, "image" and {"id": …}…
	Type   string
	Object any
}

// TextMessage is a citizen's text.
func TextMessage(wamid, from, name, body string) Inbound {
	return Inbound{WAMID: wamid, From: from, Name: name, Type: "text", Object: map[string]string{"body": body}}
}

// MessageWebhook is the signed-to-be body Meta posts for in.
func MessageWebhook(in Inbound) []byte {
	at := in.At
	if at.IsZero() {
		at = time.Now()
	}
	msg := map[string]any{"from": in.From, "id": in.WAMID, "timestamp": strconv.FormatInt(at.Unix(), 10), "type": in.Type, in.Type: in.Object}
	return envelope(map[string]any{
		"messaging_product": "whatsapp",
		"metadata":          map[string]string{"display_phone_number": "5517999990000", "phone_number_id": "106540352242922"},
		"contacts":          []any{map[string]any{"profile": map[string]string{"name": in.Name}, "wa_id": in.From}},
		"messages":          []any{msg},
	})
}

// StatusWebhook is the body Meta posts when a message balcao sent changes status.
func StatusWebhook(wamid, status, recipient string) []byte {
	return envelope(map[string]any{
		"messaging_product": "whatsapp",
		"metadata":          map[string]string{"display_phone_number": "5517999990000", "phone_number_id": "106540352242922"},
		"statuses": []any{map[string]any{"id": wamid, "status": status, "recipient_id": recipient,
			"timestamp": strconv.FormatInt(time.Now().Unix(), 10)}},
	})
}

func envelope(value map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{
		map[string]any{"id": "102290129340398", "changes": []any{map[string]any{"field": "messages", "value": value}}},
	}})
	if err != nil {
		panic(fmt.Sprint("servertest: ", err))
	}
	return b
}
