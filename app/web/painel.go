package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"balcao/app/hours"
	"balcao/app/live"
	"balcao/app/store"
	"balcao/views"
)

// painelEvent is the one event the Painel do supervisor listens to: any
// change of the queues, the clerks or a conversation becomes one "painel".
const painelEvent = "painel"

// painel shows the Painel do supervisor (supervisors, admins, the ouvidoria).
func (s *Server) painel(w http.ResponseWriter, r *http.Request) error {
	if !actor(r).Supervises() {
		return errForbidden
	}
	v, err := s.painelView(r.Context())
	if err != nil {
		return err
	}
	return views.PainelPage(s.page(r, "Painel do supervisor", "painel"), v).Render(r.Context(), w)
}

// painelData is the live part of the panel, fetched on every event and every 15 s.
func (s *Server) painelData(w http.ResponseWriter, r *http.Request) error {
	if !actor(r).Supervises() {
		return errForbidden
	}
	v, err := s.painelView(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return views.PainelFragment(v).Render(r.Context(), w)
}

// painelEvery is the shortest time between two "painel" events of one page:
// under heavy traffic (a message a second in every chat) an open panel
// refreshes once a second, not once a message.
const painelEvery = time.Second

// painelEvents streams "painel" whenever a queue, a clerk or a conversation
// changes. Changes are coalesced, and an event that comes less than
// painelEvery after the previous one waits for the rest of that second —
// it is delayed, never dropped, so the last change always shows.
func (s *Server) painelEvents(w http.ResponseWriter, r *http.Request) error {
	if !actor(r).Supervises() {
		return errForbidden
	}
	sub := s.live.Subscribe(func(name string) bool {
		return name == live.EventQueue || strings.HasPrefix(name, "ticket-")
	})
	defer sub.Close()
	go s.keepSeen(r.Context(), currentUser(r).ID)
	var last time.Time
	return s.stream(w, r, sub.Ready(), func() []string {
		if wait := time.Until(last.Add(painelEvery)); wait > 0 {
			select {
			case <-time.After(wait):
			case <-r.Context().Done():
				return nil
			}
		}
		if len(sub.Take()) == 0 {
			return nil // already told with the previous event
		}
		last = time.Now()
		return []string{painelEvent}
	})
}

// painelView reads the panel and puts every figure in words.
func (s *Server) painelView(ctx context.Context) (views.PainelView, error) {
	now := time.UnixMilli(s.store.Now()).In(hours.SaoPaulo())
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	p, err := s.store.LivePanel(ctx, midnight.UnixMilli())
	if err != nil {
		return views.PainelView{}, err
	}
	at := time.UnixMilli(p.At)
	v := views.PainelView{UpdatedAt: at.In(hours.SaoPaulo()).Format("15:04:05")}
	// Names in the order of a Portuguese dictionary ("Água" before "Iluminação").
	names := collate.New(language.BrazilianPortuguese, collate.IgnoreCase)
	slices.SortStableFunc(p.Clerks, func(a, b store.ClerkLive) int { return names.CompareString(a.Name, b.Name) })
	slices.SortStableFunc(p.Groups, func(a, b store.GroupLive) int {
		if (a.ID == 0) != (b.ID == 0) { // the chats without a group last
			return cmp.Compare(b.ID, a.ID)
		}
		return names.CompareString(a.Name, b.Name)
	})
	for _, c := range p.Clerks {
		pc := views.PainelClerk{Name: c.Name, Status: c.Status, StatusLabel: agentStatusLabels[c.Status],
			InService: c.InService, Pending: c.Pending, ClosedToday: c.ClosedToday, TMA: "—", SinceLast: "—"}
		if c.Status == store.StatusPaused {
			pc.Reason, pc.PausedFor = c.PauseReason, panelDuration(p.At-c.StatusAt)
		}
		if c.Handled > 0 {
			pc.TMA = panelDuration(c.HandlingMs / int64(c.Handled))
		}
		if c.LastMessageAt > 0 {
			pc.SinceLast = panelDuration(p.At - c.LastMessageAt)
		}
		v.Clerks = append(v.Clerks, pc)
	}
	for _, g := range p.Groups {
		pg := views.PainelGroup{Name: g.Name, Waiting: g.Waiting, LongestWait: "—", Online: g.Online,
			InService: g.InService, Overdue: g.Overdue}
		if g.ID == 0 {
			pg.Name = "Sem grupo"
		}
		if g.WaitingSince > 0 {
			pg.LongestWait = panelDuration(p.At - g.WaitingSince)
		}
		v.Groups = append(v.Groups, pg)
	}
	return v, nil
}

// panelDuration writes a span of ms as the panel shows it: "menos de 1 min",
// "12 min", "1 h 05 min", "3 d 04 h" (minutes cut, not rounded).
func panelDuration(ms int64) string {
	d := time.Duration(max(ms, 0)) * time.Millisecond
	switch {
	case d < time.Minute:
		return "menos de 1 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h %02d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%d d %02d h", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}
