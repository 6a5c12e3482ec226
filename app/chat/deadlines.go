package chat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"balcao/app/live"
	"balcao/app/store"
)

// Errors of extensions; the web side turns them into pt-BR messages.
var (
	// ErrNoJustification: an extension needs a written justification.
	ErrNoJustification = errors.New("chat: justification missing")
	// ErrJustificationTooLong: over MaxComment characters.
	ErrJustificationTooLong = errors.New("chat: justification too long")
)

// DefaultComplementDays is how long a ticket waits for information asked of
// the citizen before it is archived when Service.ComplementDays is not set
// (Decreto 9.492/2018 art. 18).
const DefaultComplementDays = 20

// ExtendDeadline extends, once and with a written justification, the
// ticket's legal term (which = store.DeadlineResolution: 30 days for the
// ouvidoria, 10 for an information request) or its department's term
// (store.DeadlineDept: 20 days). Its holder or a supervisor may. The
// citizen is told of the legal term's extension, with its justification.
func (s *Service) ExtendDeadline(ctx context.Context, a Actor, ticketID int64, which, justification string) error {
	justification = strings.TrimSpace(justification)
	if which != store.DeadlineResolution && which != store.DeadlineDept {
		return store.ErrNoExtension
	}
	if justification == "" {
		return ErrNoJustification
	}
	if utf8.RuneCountInString(justification) > MaxComment {
		return ErrJustificationTooLong
	}
	if _, err := s.holding(ctx, a, ticketID); err != nil {
		return err
	}
	var tell func(tx *sql.Tx, due int64) error
	if which == store.DeadlineResolution && s.Notify != nil {
		// The legal term's extension is the citizen's news; the department's is internal.
		tell = func(tx *sql.Tx, due int64) error {
			return s.Notify.TellExtension(ctx, tx, ticketID, due, justification)
		}
	}
	if _, err := s.Store.ExtendDeadline(ctx, ticketID, a.ID, which, justification, tell); err != nil {
		return err
	}
	s.wake()
	s.Live.Publish(live.EventQueue, live.TicketEvent(ticketID))
	return nil
}

// complementDays is the configured wait for a complementação.
func (s *Service) complementDays() int {
	if s.ComplementDays > 0 {
		return s.ComplementDays
	}
	return DefaultComplementDays
}

// ArchiveResolution is the resolution of a ticket archived because the
// citizen did not send the information asked within days.
func ArchiveResolution(days int) string {
	return fmt.Sprintf("Arquivado: o cidadão não enviou as informações pedidas em %d dias.", days)
}

// archiveAbandoned closes, as the system, the tickets that waited for the
// citizen longer than the configured days, each in its own transaction.
func (s *Service) archiveAbandoned(ctx context.Context) {
	days := s.complementDays()
	before := s.now().Add(-time.Duration(days) * 24 * time.Hour).UnixMilli()
	ids, err := s.Store.StaleWaitingTickets(ctx, before, 500)
	if err != nil {
		s.logError("archiving abandoned complementações", err)
		return
	}
	for _, id := range ids {
		archived, err := s.Store.ArchiveWaitingTicket(ctx, id, before, ArchiveResolution(days))
		if err != nil {
			s.logError("archiving an abandoned complementação", err)
			continue
		}
		if archived {
			s.Live.Publish(live.EventQueue, live.TicketEvent(id))
		}
	}
}
