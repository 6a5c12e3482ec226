package api_test

import (
	"net/http"
	"testing"
	"time"

	"balcao/app/api"
)

// A ticket read through the API carries its deadlines as the panel sees
// them: the legal term of a reclamação, and "overdue" once it has passed.
func TestTicketDeadlines(t *testing.T) {
	r := newRig(t)
	var got api.Ticket
	r.do("GET", "/api/v1/tickets/"+r.open, r.token, "", http.StatusOK, &got)
	d := got.Deadlines
	if d.DueAt == nil || d.DueAt.Sub(got.CreatedAt) != 30*24*time.Hour || d.Overdue || d.Extended || d.PausedSince != nil {
		t.Fatalf("deadlines of a new reclamação: %+v, want due 30 days after %v, not late", d, got.CreatedAt)
	}
	past := time.Now().Add(-time.Hour).UnixMilli()
	if _, err := r.st.W.Exec(`UPDATE tickets SET due_at = ? WHERE protocol = ?`, past, r.open); err != nil {
		t.Fatal(err)
	}
	got = api.Ticket{}
	r.do("GET", "/api/v1/tickets/"+r.open, r.token, "", http.StatusOK, &got)
	if !got.Deadlines.Overdue || got.Deadlines.DueAt.UnixMilli() != past {
		t.Errorf("past its term: %+v, want overdue", got.Deadlines)
	}
	// The list carries them too.
	var list struct {
		Tickets []api.Ticket `json:"tickets"`
	}
	r.do("GET", "/api/v1/tickets?protocol="+r.open, r.token, "", http.StatusOK, &list)
	if len(list.Tickets) != 1 || !list.Tickets[0].Deadlines.Overdue {
		t.Errorf("list: %+v", list.Tickets)
	}
}
