package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// NoticeTarget is what telling a ticket's citizen of a change needs: who
// they are on WhatsApp and the names the news is told with.
type NoticeTarget struct {
	TicketID int64
	Protocol string
	Kind     string
	Identity string
	// ContactID is 0 when the ticket keeps no contact.
	ContactID     int64
	WaID          string
	LastInboundAt int64
	OptedOut      bool
	// AssigneeID and AssigneeName are who holds the ticket now.
	AssigneeID   int64
	AssigneeName string
	// GroupID, GroupName and DepartmentName are where the ticket sits now.
	GroupID        int64
	GroupName      string
	DepartmentName string
}

// NoticeTargetTx reads the citizen and names of a ticket inside the
// caller's transaction (it sees the change being made).
func (s *Store) NoticeTargetTx(ctx context.Context, tx *sql.Tx, ticketID int64) (NoticeTarget, error) {
	n := NoticeTarget{TicketID: ticketID}
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(t.protocol, ''), COALESCE(t.kind, ''), t.identity,
			COALESCE(c.id, 0), COALESCE(c.wa_id, ''), COALESCE(c.last_inbound_at, 0), COALESCE(c.opted_out, 0),
			COALESCE(t.assignee_id, 0), COALESCE(u.name, ''), COALESCE(t.group_id, 0), COALESCE(g.name, ''), COALESCE(d.name, '')
		FROM tickets t
		LEFT JOIN contacts c ON c.id = t.contact_id
		LEFT JOIN users u ON u.id = t.assignee_id
		LEFT JOIN service_groups g ON g.id = t.group_id
		LEFT JOIN departments d ON d.id = g.department_id
		WHERE t.id = ?`, ticketID).Scan(&n.Protocol, &n.Kind, &n.Identity, &n.ContactID, &n.WaID, &n.LastInboundAt,
		&n.OptedOut, &n.AssigneeID, &n.AssigneeName, &n.GroupID, &n.GroupName, &n.DepartmentName)
	if errors.Is(err, sql.ErrNoRows) {
		return n, fmt.Errorf("notice of ticket %d: %w", ticketID, ErrNotFound)
	}
	if err != nil {
		return n, fmt.Errorf("notice of ticket %d: %w", ticketID, err)
	}
	return n, nil
}

// TicketOutcome is how a ticket ended: its kind (a resolution is required
// when it has one), the resolution text and the citizen's survey answer.
type TicketOutcome struct {
	Kind       string
	Resolution string
	// Survey is the satisfaction answer (nil: none yet).
	Survey *SurveyAnswer
}

// TicketOutcome reads a ticket's kind, resolution and survey answer.
func (s *Store) TicketOutcome(ctx context.Context, ticketID int64) (TicketOutcome, error) {
	var o TicketOutcome
	var a SurveyAnswer
	var score sql.NullInt64
	err := s.R.QueryRowContext(ctx, `SELECT COALESCE(t.kind, ''), t.resolution, a.score, COALESCE(a.comment, ''),
			COALESCE(a.user_id, 0), COALESCE(a.group_id, 0), COALESCE(a.created_at, 0)
		FROM tickets t LEFT JOIN survey_answers a ON a.ticket_id = t.id WHERE t.id = ?`, ticketID).
		Scan(&o.Kind, &o.Resolution, &score, &a.Comment, &a.UserID, &a.GroupID, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("ticket %d: %w", ticketID, ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("ticket %d outcome: %w", ticketID, err)
	}
	if score.Valid {
		a.TicketID, a.Score = ticketID, int(score.Int64)
		o.Survey = &a
	}
	return o, nil
}
