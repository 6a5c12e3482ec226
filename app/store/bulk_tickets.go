package store

import (
	"context"
	"database/sql"
	"fmt"

	"balcao/app/protocol"
)

// BulkContact is a contact written by InsertBulk (the data generator).
type BulkContact struct {
	WaID, ProfileName, Name, CPF string
	CreatedAt                    int64
}

// BulkTicket is a ticket with its messages, written by InsertBulk. Its
// protocol number is given from the year of CreatedAt, in slice order.
type BulkTicket struct {
	// Contact indexes the contacts passed to the same InsertBulk call.
	Contact       int
	Status        string
	Kind          string
	GroupID       int64
	AssigneeID    int64
	Anonymous     bool
	Subject       string
	CreatedAt     int64
	LastMessageAt int64
	ClosedAt      int64
	Messages      []BulkMessage
}

// BulkMessage is one message of a BulkTicket; inbound ones are written as
// already processed, outbound ones as delivered.
type BulkMessage struct {
	Out       bool
	AuthorID  int64
	Body      string
	CreatedAt int64
}

// InsertBulk writes contacts and their tickets in one transaction with
// prepared statements: the data generator's fast path (balcao demo
// --tickets), and fixtures of tests. It returns the tickets' ids.
func (s *Store) InsertBulk(ctx context.Context, contacts []BulkContact, tickets []BulkTicket) ([]int64, error) {
	ids := make([]int64, len(tickets))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		contact, err := tx.PrepareContext(ctx, `INSERT INTO contacts (wa_id, profile_name, name, cpf, last_inbound_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`)
		if err != nil {
			return fmt.Errorf("bulk insert: %w", err)
		}
		defer contact.Close()
		ticket, err := tx.PrepareContext(ctx, `INSERT INTO tickets (contact_id, status, assignee_id, last_message_at, created_at, updated_at,
				closed_at, protocol, kind, group_id, anonymous, subject)
			VALUES (?, ?, NULLIF(?, 0), ?, ?, ?, NULLIF(?, 0), ?, NULLIF(?, ''), NULLIF(?, 0), ?, ?) RETURNING id`)
		if err != nil {
			return fmt.Errorf("bulk insert: %w", err)
		}
		defer ticket.Close()
		message, err := tx.PrepareContext(ctx, `INSERT INTO messages (contact_id, ticket_id, direction, type, body, status, author_id,
				wa_timestamp, created_at, processed_at)
			VALUES (?, ?, ?, 'text', ?, ?, NULLIF(?, 0), ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("bulk insert: %w", err)
		}
		defer message.Close()

		contactIDs := make([]int64, len(contacts))
		for i, c := range contacts {
			if err := contact.QueryRowContext(ctx, c.WaID, c.ProfileName, c.Name, c.CPF, c.CreatedAt, c.CreatedAt, c.CreatedAt).
				Scan(&contactIDs[i]); err != nil {
				return fmt.Errorf("bulk insert contact %s: %w", c.WaID, err)
			}
		}
		counters := map[int]int{}
		for i, t := range tickets {
			year := protocolYear(t.CreatedAt)
			seq, ok := counters[year]
			if !ok {
				if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT last FROM protocol_counters WHERE year = ?), 0)`, year).Scan(&seq); err != nil {
					return fmt.Errorf("bulk insert: %w", err)
				}
			}
			seq++
			counters[year] = seq
			n, err := protocol.New(year, seq)
			if err != nil {
				return err
			}
			if t.Contact < 0 || t.Contact >= len(contactIDs) {
				return fmt.Errorf("bulk insert: ticket %d: contact %d of %d", i, t.Contact, len(contactIDs))
			}
			cid := contactIDs[t.Contact]
			if err := ticket.QueryRowContext(ctx, cid, t.Status, t.AssigneeID, t.LastMessageAt, t.CreatedAt, t.LastMessageAt,
				t.ClosedAt, n.Digits(), t.Kind, t.GroupID, t.Anonymous, t.Subject).Scan(&ids[i]); err != nil {
				return fmt.Errorf("bulk insert ticket: %w", err)
			}
			for _, m := range t.Messages {
				dir, status, processed := "in", "received", any(m.CreatedAt)
				if m.Out {
					dir, status, processed = "out", "delivered", nil
				}
				if _, err := message.ExecContext(ctx, cid, ids[i], dir, m.Body, status, m.AuthorID, m.CreatedAt/1000,
					m.CreatedAt, processed); err != nil {
					return fmt.Errorf("bulk insert message: %w", err)
				}
			}
		}
		for year, last := range counters {
			if _, err := tx.ExecContext(ctx, `INSERT INTO protocol_counters (year, last) VALUES (?, ?)
				ON CONFLICT (year) DO UPDATE SET last = max(last, excluded.last)`, year, last); err != nil {
				return fmt.Errorf("bulk insert: %w", err)
			}
		}
		return nil
	})
	return ids, err
}
