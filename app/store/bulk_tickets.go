package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strings"

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
	// ContactID is an existing contact; when 0, Contact indexes the contacts
	// passed to the same InsertBulk call.
	ContactID  int64
	Contact    int
	Status     string
	Kind       string
	GroupID    int64
	AssigneeID int64
	// Identity is IdentityNormal ("") or IdentitySigilosa (the demo's
	// denúncias keep their citizen).
	Identity      string
	Subject       string
	CreatedAt     int64
	LastMessageAt int64
	ClosedAt      int64
	Messages      []BulkMessage
	// FirstResponseAt, ResponseDueAt and DueAt are the deadline columns (0:
	// NULL; DueAt 0 takes the legal term of the kind).
	FirstResponseAt, ResponseDueAt, DueAt int64
	// Events are the ticket's recorded changes (status, assign…), in order.
	Events []BulkEvent
	// Score is a satisfaction answer (1–5; 0: none) given at closing.
	Score int
}

// BulkEvent is one recorded change of a BulkTicket (a ticket_events row).
type BulkEvent struct {
	At       int64
	UserID   int64
	Kind     string
	From, To string
}

// BulkBotTalk is what a contact wrote to the bot without ever reaching a
// ticket: inbound messages, already processed, attached to nothing.
type BulkBotTalk struct {
	ContactID int64
	Messages  []BulkMessage
}

// BulkMessage is one message of a BulkTicket; inbound ones are written as
// already processed, outbound ones as delivered.
type BulkMessage struct {
	Out       bool
	AuthorID  int64
	Body      string
	CreatedAt int64
}

// InsertContacts writes contacts in one transaction and returns their ids.
func (s *Store) InsertContacts(ctx context.Context, contacts []BulkContact) ([]int64, error) {
	ids := make([]int64, 0, len(contacts))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO contacts (wa_id, profile_name, name, cpf, last_inbound_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`)
		if err != nil {
			return fmt.Errorf("insert contacts: %w", err)
		}
		defer st.Close()
		for _, c := range contacts {
			var id int64
			if err := st.QueryRowContext(ctx, c.WaID, c.ProfileName, c.Name, c.CPF, c.CreatedAt, c.CreatedAt, c.CreatedAt).Scan(&id); err != nil {
				return fmt.Errorf("insert contact %s: %w", c.WaID, err)
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

// CountContacts returns how many contacts there are.
func (s *Store) CountContacts(ctx context.Context) (int, error) {
	var n int
	if err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM contacts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count contacts: %w", err)
	}
	return n, nil
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
				closed_at, protocol, kind, group_id, identity, subject, first_response_at, response_due_at, due_at)
			VALUES (?, ?, NULLIF(?, 0), ?, ?, ?, NULLIF(?, 0), ?, NULLIF(?, ''), NULLIF(?, 0), ?, ?, NULLIF(?, 0), NULLIF(?, 0), NULLIF(?, 0))
			RETURNING id`)
		if err != nil {
			return fmt.Errorf("bulk insert: %w", err)
		}
		defer ticket.Close()
		// Messages go many rows a statement: each statement fires the
		// full-text triggers under a savepoint, and FTS5 writes its pending
		// terms at every savepoint, so fewer statements is much faster.
		full, err := tx.PrepareContext(ctx, bulkMessagesSQL(bulkMessageRows))
		if err != nil {
			return fmt.Errorf("bulk insert: %w", err)
		}
		defer full.Close()
		pending := make([]any, 0, bulkMessageRows*bulkMessageCols)
		flush := func() error {
			if len(pending) == 0 {
				return nil
			}
			var err error
			if len(pending) == cap(pending) {
				_, err = full.ExecContext(ctx, pending...)
			} else {
				_, err = tx.ExecContext(ctx, bulkMessagesSQL(len(pending)/bulkMessageCols), pending...)
			}
			pending = pending[:0]
			if err != nil {
				return fmt.Errorf("bulk insert messages: %w", err)
			}
			return nil
		}

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
			cid := t.ContactID
			if cid == 0 {
				if t.Contact < 0 || t.Contact >= len(contactIDs) {
					return fmt.Errorf("bulk insert: ticket %d: contact %d of %d", i, t.Contact, len(contactIDs))
				}
				cid = contactIDs[t.Contact]
			}
			if err := ticket.QueryRowContext(ctx, cid, t.Status, t.AssigneeID, t.LastMessageAt, t.CreatedAt, t.LastMessageAt,
				t.ClosedAt, n.Digits(), t.Kind, t.GroupID, cmp.Or(t.Identity, IdentityNormal), t.Subject, t.FirstResponseAt, t.ResponseDueAt,
				cmp.Or(t.DueAt, legalDueAt(t.Kind, t.CreatedAt))).Scan(&ids[i]); err != nil {
				return fmt.Errorf("bulk insert ticket: %w", err)
			}
			if err := bulkEvents(ctx, tx, ids[i], t); err != nil {
				return err
			}
			for _, m := range t.Messages {
				dir, status, processed := "in", "received", any(m.CreatedAt)
				if m.Out {
					dir, status, processed = "out", "delivered", nil
				}
				pending = append(pending, cid, ids[i], dir, m.Body, status, m.AuthorID, m.CreatedAt, m.CreatedAt, processed)
				if len(pending) == cap(pending) {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		if err := flush(); err != nil {
			return err
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

// bulkEvents writes the events and the survey answer of ticket id.
func bulkEvents(ctx context.Context, tx *sql.Tx, id int64, t BulkTicket) error {
	if len(t.Events) > 0 {
		var b strings.Builder
		args := make([]any, 0, len(t.Events)*6)
		b.WriteString(`INSERT INTO ticket_events (ticket_id, at, user_id, kind, from_value, to_value) VALUES `)
		for i, e := range t.Events {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`(?, ?, NULLIF(?, 0), ?, ?, ?)`)
			args = append(args, id, e.At, e.UserID, e.Kind, e.From, e.To)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("bulk insert events: %w", err)
		}
	}
	if t.Score > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (ticket_id, score, user_id, group_id, created_at)
			VALUES (?, ?, NULLIF(?, 0), NULLIF(?, 0), ?)`, id, t.Score, t.AssigneeID, t.GroupID, t.ClosedAt); err != nil {
			return fmt.Errorf("bulk insert survey: %w", err)
		}
	}
	return nil
}

// InsertBulkBotTalk writes conversations the bot ended alone, in one transaction.
func (s *Store) InsertBulkBotTalk(ctx context.Context, talks []BulkBotTalk) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO messages (contact_id, direction, type, body, status, wa_timestamp, created_at, processed_at)
			VALUES (?, 'in', 'text', ?, 'received', ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("bulk bot talk: %w", err)
		}
		defer st.Close()
		for _, t := range talks {
			for _, m := range t.Messages {
				if _, err := st.ExecContext(ctx, t.ContactID, m.Body, m.CreatedAt, m.CreatedAt, m.CreatedAt); err != nil {
					return fmt.Errorf("bulk bot talk: %w", err)
				}
			}
		}
		return nil
	})
}

// bulkMessageRows is how many messages one INSERT of InsertBulk writes.
const bulkMessageRows = 200

// bulkMessageCols is the number of values of one message row of bulkMessagesSQL.
const bulkMessageCols = 9

// bulkMessagesSQL inserts n messages.
func bulkMessagesSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO messages (contact_id, ticket_id, direction, type, body, status, author_id, wa_timestamp, created_at, processed_at) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?, ?, ?, 'text', ?, ?, NULLIF(?, 0), ?, ?, ?)`)
	}
	return b.String()
}

// defaultCacheKiB is SQLite's own page cache size (2,000 KiB).
const defaultCacheKiB = 2000

// WriterCache sets the writer connection's page cache to mib MiB (0: back to
// SQLite's default), statement journals in memory while it is set. Bulk
// writes that touch random index pages (messages by contact, the full-text
// index) go faster with a large cache.
func (s *Store) WriterCache(ctx context.Context, mib int) error {
	kib := defaultCacheKiB
	if mib > 0 {
		kib = mib * 1024
	}
	temp := "DEFAULT"
	if mib > 0 {
		temp = "MEMORY"
	}
	if _, err := s.W.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d; PRAGMA temp_store = %s`, kib, temp)); err != nil {
		return fmt.Errorf("writer cache: %w", err)
	}
	return nil
}

// OptimizeSearch merges the full-text indexes into one segment each, as
// FTS5's own merging does over time: a word is then looked up in one place.
// After a bulk load it makes searching several times faster.
func (s *Store) OptimizeSearch(ctx context.Context) error {
	for _, table := range []string{"messages_fts", "tickets_fts", "contacts_fts"} {
		if _, err := s.W.ExecContext(ctx, `INSERT INTO `+table+`(`+table+`) VALUES ('optimize')`); err != nil {
			return fmt.Errorf("optimize %s: %w", table, err)
		}
	}
	return nil
}
