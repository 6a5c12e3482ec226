package ingest

import (
	"balcao/app/store"
	"balcao/app/whatsapp"
)

// Delivery converts a parsed notification into the rows the store writes.
func Delivery(body []byte, n *whatsapp.Notification) store.WebhookDelivery {
	d := store.WebhookDelivery{Body: body}
	for _, c := range n.Contacts {
		d.Contacts = append(d.Contacts, store.InboundContact{WaID: c.WaID, ProfileName: c.ProfileName})
	}
	for _, m := range n.Messages {
		if m.ID == "" || m.From == "" {
			continue // nothing to key or attribute it by; the raw body keeps it for audit
		}
		var ts int64
		if !m.Timestamp.IsZero() {
			ts = m.Timestamp.UnixMilli()
		}
		d.Messages = append(d.Messages, store.InboundMessage{
			WAMID: m.ID, WaID: m.From, ProfileName: m.ProfileName, Type: m.Type,
			Body: m.Text(), Payload: string(m.Raw), WATimestamp: ts,
		})
	}
	for _, s := range n.Statuses {
		if s.ID == "" {
			continue
		}
		u := store.StatusUpdate{WAMID: s.ID, Status: s.Status}
		if !s.Timestamp.IsZero() {
			u.At = s.Timestamp.UnixMilli()
		}
		if e := s.Err(); e != nil {
			u.ErrorCode, u.ErrorText = e.Code, whatsapp.Describe(e.Code)
			if u.ErrorText == "" {
				u.ErrorText = e.Title
			}
		}
		d.Statuses = append(d.Statuses, u)
	}
	return d
}
