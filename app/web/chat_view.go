package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"balcao/app/chat"
	"balcao/app/hours"
	"balcao/app/store"
	"balcao/views"
)

// Everything a clerk reads in this file is pt-BR.

var ticketStatusLabels = map[string]string{
	store.TicketNew:        "Novo",
	store.TicketQueued:     "Na fila",
	store.TicketInService:  "Em atendimento",
	store.TicketForwarded:  "Encaminhado",
	store.TicketWaitingCit: "Aguardando o cidadão",
	store.TicketAnswered:   "Respondido",
	store.TicketClosed:     "Encerrado",
	store.TicketReopened:   "Reaberto",
}

// ticks shows an outbound message's delivery status: symbol, CSS class, title.
var ticks = map[string][3]string{
	"queued":    {"⏱", "queued", "Na fila de envio"},
	"accepted":  {"✓", "sent", "Aceita pelo WhatsApp"},
	"sent":      {"✓", "sent", "Enviada"},
	"delivered": {"✓✓", "delivered", "Entregue"},
	"read":      {"✓✓", "read", "Lida"},
	"played":    {"✓✓", "read", "Reproduzida"},
	"failed":    {"⚠", "failed", "Falhou"},
	"unknown":   {"⚠", "failed", "Envio interrompido"},
}

// labelRobot is the author of outbound messages no clerk wrote.
const labelRobot = "Robô"

const previewRunes = 90

// convItems turns store conversations into list entries.
func convItems(cs []store.Conversation, now time.Time) []views.ConvItem {
	out := make([]views.ConvItem, 0, len(cs))
	for _, c := range cs {
		name, number := personOf(c, false)
		if mask := maskOf(c, false); mask != nil {
			c.Preview = mask.Redact(c.Preview, protectedInline)
			if c.PreviewIdentifying {
				c.Preview = protectedData
			}
		}
		it := views.ConvItem{
			TicketID: c.TicketID, Name: name, Number: number,
			Preview: clipRunes(c.Preview, previewRunes), PreviewOut: c.LastDirection == "out", Unread: c.Unread,
		}
		if c.WaitingSince > 0 {
			it.Waiting = waitingLabel(now.Sub(time.UnixMilli(c.WaitingSince)))
		}
		it.Overdue = c.Deadlines.Overdue(now.UnixMilli())
		out = append(out, it)
	}
	return out
}

// waitingLabel says how long someone waited: "agora", "há 5 min", "há 2 h 10 min", "há 3 dias".
func waitingLabel(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "agora"
	case d < time.Hour:
		return fmt.Sprintf("há %d min", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("há %d h %d min", int(d.Hours()), int(d.Minutes())%60)
	case d < 48*time.Hour:
		return "há 1 dia"
	}
	return fmt.Sprintf("há %d dias", int(d.Hours()/24))
}

// clockLabel is a moment in the city's time: "14:05" today, "03/11 14:05" this
// year, "03/11/2025 14:05" before.
func clockLabel(ms int64, now time.Time) string {
	if ms == 0 {
		return ""
	}
	loc := hours.SaoPaulo()
	t, n := time.UnixMilli(ms).In(loc), now.In(loc)
	switch {
	case t.Year() == n.Year() && t.YearDay() == n.YearDay():
		return t.Format("15:04")
	case t.Year() == n.Year():
		return t.Format("02/01 15:04")
	}
	return t.Format("02/01/2006 15:04")
}

func clipRunes(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// chatView builds the conversation as the viewer sees it, a protected
// citizen masked.
func (s *Server) chatView(ctx context.Context, a chat.Actor, c store.Conversation, msgs []store.ChatMessage) (views.ChatView, error) {
	return s.buildChatView(ctx, a, c, msgs, false)
}

// buildChatView is chatView; revealed shows a sigilosa ticket's citizen
// (after an ouvidor's audited reveal).
func (s *Server) buildChatView(ctx context.Context, a chat.Actor, c store.Conversation, msgs []store.ChatMessage, revealed bool) (views.ChatView, error) {
	now := time.Now()
	name, number := personOf(c, revealed)
	v := views.ChatView{
		TicketID: c.TicketID, Name: name, Number: number,
		Identity: identityLabels[c.Identity], Revealed: revealed,
		CanReveal:   a.SeesIdentities() && c.Identity == store.IdentitySigilosa && !revealed,
		StatusLabel: ticketStatusLabels[c.Status], AssigneeName: c.AssigneeName,
		Unheld: c.AssigneeID == 0, CanAct: a.Holds(c), Closed: c.Status == store.TicketClosed,
		ClosedAt: clockLabel(c.ClosedAt, now), WindowOpen: s.chat.WindowOpen(c.Contact),
		LastInbound: clockLabel(c.Contact.LastInboundAt, now), Template: s.chat.Template,
		Reference: chat.Reference(c),
	}
	out, err := s.store.TicketOutcome(ctx, c.TicketID)
	if err != nil {
		return v, err
	}
	v.NeedsResolution, v.FinalResolution = out.Kind != "", out.Resolution
	if a := out.Survey; a != nil {
		v.SurveyScore, v.SurveyComment = strconv.Itoa(a.Score), a.Comment
	}
	v.Deadlines = deadlinesView(c.Deadlines, now.UnixMilli(), v.CanAct)
	v.StateKey = fmt.Sprintf("%d-%s-%t-%d-%d-%t", c.AssigneeID, c.Status, v.WindowOpen, c.Deadlines.DueAt, c.Deadlines.DeptDueAt, v.Deadlines.Overdue)
	changes, err := s.store.TicketChanges(ctx, c.TicketID)
	if err != nil {
		return v, err
	}
	v.Messages = withNotes(c, msgs, changes, now, name, maskOf(c, revealed))
	return v, s.withWorkflow(ctx, a, c, changes, &v)
}

// chatMsg is one message as the panel shows it; citizen names the author of
// inbound messages, and mask (nil: none) hides the citizen of a protected
// ticket: the answers that identify them whole, their name or number in any
// other text (the bot greets people by name).
func chatMsg(c store.Conversation, m store.ChatMessage, now time.Time, citizen string, mask *store.Redactor) views.ChatMsg {
	at := m.CreatedAt
	if m.Direction == "in" && m.WATimestamp > 0 {
		at = m.WATimestamp
	}
	v := views.ChatMsg{ID: m.ID, Out: m.Direction == "out", Time: clockLabel(at, now), Body: m.Body, Kind: m.Type}
	switch {
	case !v.Out:
		v.Author = citizen
	case m.AuthorName != "":
		v.Author = m.AuthorName
	default:
		v.Author = labelRobot
	}
	if mask != nil {
		if m.Identifying {
			v.Body, v.Kind, v.Protected = protectedData, "text", true
			return v
		}
		v.Body = mask.Redact(v.Body, protectedInline)
	}
	info := payloadDetails(m.Type, m.Payload)
	switch m.Type {
	case "image", "sticker", "document", "audio", "video":
		if m.Type == "sticker" {
			v.Kind = "image"
		}
		if m.MediaID > 0 {
			v.MediaURL = "/midia/" + strconv.FormatInt(m.MediaID, 10)
			v.Filename = info.filename
			if v.Filename == "" {
				v.Filename = map[string]string{"document": "Documento", "audio": "Áudio", "video": "Vídeo"}[m.Type]
			}
		} else if m.MediaError != "" {
			v.ErrorText = m.MediaError
		} else if !v.Out {
			v.Pending = true
		}
	case "location":
		if info.hasLocation {
			v.MapURL = fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f",
				info.lat, info.lng, info.lat, info.lng)
		}
	}
	if v.Out {
		t, ok := ticks[m.Status]
		if !ok {
			t = ticks["queued"]
		}
		v.Tick, v.TickClass, v.TickTitle = t[0], t[1], t[2]
		if m.Status == "failed" || m.Status == "unknown" {
			v.ErrorText = m.ErrorText
			if v.ErrorText == "" {
				v.ErrorText = "Não foi possível enviar."
			}
			v.CanResend = m.TicketID == c.TicketID
		}
	}
	return v
}

type payloadInfo struct {
	filename    string
	lat, lng    float64
	hasLocation bool
}

// payloadDetails reads what the panel shows from a stored message payload
// (the raw inbound item or our OutMessage): a file name or a place. It is
// tolerant like the webhook parser: numbers may come as strings.
func payloadDetails(typ, payload string) payloadInfo {
	var info payloadInfo
	var raw map[string]json.RawMessage
	if payload == "" || json.Unmarshal([]byte(payload), &raw) != nil {
		return info
	}
	obj := raw[typ]
	if typ == "location" {
		var l struct{ Latitude, Longitude json.RawMessage }
		if json.Unmarshal(obj, &l) != nil {
			return info
		}
		lat, err1 := strconv.ParseFloat(strings.Trim(string(l.Latitude), `"`), 64)
		lng, err2 := strconv.ParseFloat(strings.Trim(string(l.Longitude), `"`), 64)
		if err1 == nil && err2 == nil && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180 {
			info.lat, info.lng, info.hasLocation = lat, lng, true
		}
		return info
	}
	var f struct {
		Filename string `json:"filename"`
	}
	if json.Unmarshal(obj, &f) == nil {
		info.filename = f.Filename
	}
	return info
}
