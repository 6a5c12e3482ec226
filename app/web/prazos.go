package web

import (
	"net/http"
	"time"

	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/views"
)

// Everything a clerk reads in this file is pt-BR.

// prazosLimit caps the rows of the Prazos page; the counts cover them all.
const prazosLimit = 200

// dueSoon is how far ahead the Prazos page looks.
const dueSoon = 48 * time.Hour

// deadlineName names the deadline a row of Prazos is about, as the ticket screen does.
func deadlineName(which, kind string) string {
	switch which {
	case store.DeadlineResponse:
		return labelResponseDue
	case store.DeadlineDept:
		return labelDeptDue
	}
	return resolutionLabel(kind)
}

// prazos lists, for supervisors, the overdue tickets and those due in the
// next 48 hours, most overdue first.
func (s *Server) prazos(w http.ResponseWriter, r *http.Request) error {
	now := time.Now()
	sum, err := s.store.DeadlineTickets(r.Context(), now.UnixMilli(), now.Add(dueSoon).UnixMilli(), prazosLimit)
	if err != nil {
		return err
	}
	v := views.DeadlinesPageView{Overdue: sum.Overdue, DueSoon: sum.DueSoon, Shown: len(sum.Tickets)}
	for _, t := range sum.Tickets {
		v.Rows = append(v.Rows, views.DeadlineRow{TicketID: t.ID, Protocol: protocol.Display(t.Protocol), Kind: kindName(t.Kind),
			Status: ticketStatusLabels[t.Status], Group: t.Group, Department: t.Department, Holder: t.Holder,
			Deadline: deadlineName(t.Which, t.Kind), When: deadlineWhen(t.DueAt, now.UnixMilli(), 0), Overdue: t.DueAt < now.UnixMilli()})
	}
	return views.DeadlinesPage(s.page(r, "Prazos", "prazos"), v).Render(r.Context(), w)
}
