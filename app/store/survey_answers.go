package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// ChangeSurvey is the kind of the ticket event that records a survey score.
const ChangeSurvey = "survey"

// SurveyAnswer is a citizen's satisfaction answer about a closed ticket.
type SurveyAnswer struct {
	TicketID int64
	Score    int
	Comment  string
	// UserID and GroupID are who held the ticket and where, when it closed.
	UserID, GroupID int64
	CreatedAt       int64
}

// RecordSurveyScoreTx stores the score of a ticket's survey with the
// ticket's holder and group, and records it in the ticket's history. A
// ticket has one answer: a second score changes nothing (recorded false).
func (s *Store) RecordSurveyScoreTx(ctx context.Context, tx *sql.Tx, ticketID int64, score int) (recorded bool, err error) {
	now := s.Now()
	res, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (ticket_id, score, user_id, group_id, created_at)
		SELECT id, ?, assignee_id, group_id, ? FROM tickets WHERE id = ?
		ON CONFLICT (ticket_id) DO NOTHING`, score, now, ticketID)
	if err != nil {
		return false, fmt.Errorf("survey of ticket %d: %w", ticketID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, addChange(ctx, tx, TicketChange{TicketID: ticketID, At: now, Kind: ChangeSurvey, To: strconv.Itoa(score)})
}

// RecordSurveyCommentTx keeps the citizen's comment with the survey answer
// of a ticket; an answer that already has one keeps it.
func (s *Store) RecordSurveyCommentTx(ctx context.Context, tx *sql.Tx, ticketID int64, comment string) error {
	_, err := tx.ExecContext(ctx, `UPDATE survey_answers SET comment = ? WHERE ticket_id = ? AND comment = ''`, comment, ticketID)
	if err != nil {
		return fmt.Errorf("survey comment of ticket %d: %w", ticketID, err)
	}
	return nil
}
