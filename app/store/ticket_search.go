package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// Orders of the ticket list.
const (
	SortNewest   = "recentes"
	SortOldest   = "antigos"
	SortActivity = "atividade"
)

// KindNone filters the tickets with no kind (plain chats).
const KindNone = "conversa"

// NoAssignee filters the tickets nobody has taken (AssigneeID).
const NoAssignee = -1

// TicketFilter narrows the ticket list. Zero values filter nothing.
type TicketFilter struct {
	// Protocol is a protocol number's digits (already checked by protocol.Parse).
	Protocol string
	// Contact is part of a name (given to the bot or on WhatsApp) or of a number.
	// Anonymous tickets never match it, sigilosa ones only for an ouvidor
	// (SeesProtected).
	Contact string
	// SeesProtected is set for the ouvidor role: a search by the citizen's
	// name or number also finds their sigilosa tickets (shown masked).
	SeesProtected bool
	Kind          string
	Status        string
	GroupID       int64
	DepartmentID  int64
	// AssigneeID is a user, or NoAssignee.
	AssigneeID int64
	// From and To bound created_at (Unix ms, To exclusive).
	From, To int64
	// Text is searched in the messages and the subject, accents ignored.
	Text string
	// Overdue keeps the tickets late (OverdueSQL) at Now (Unix ms; 0: the store's clock).
	Overdue bool
	Now     int64
	// Sort is SortNewest (default), SortOldest or SortActivity.
	Sort string
	// After is the last row of the previous page (nil: first page).
	After *TicketCursor
	Limit int
	// readAllTexts makes a text search read every match (see walkedTexts).
	readAllTexts bool
}

// TicketCursor is where a page of the ticket list ended: the sort key and id
// of its last row.
type TicketCursor struct {
	Key, ID int64
}

// TicketRow is one ticket of the list.
type TicketRow struct {
	ID           int64
	Protocol     string
	Kind         string
	Status       string
	Subject      string
	GroupName    string
	AssigneeName string
	ContactID    int64
	ContactName  string
	ContactWaID  string
	// Identity is the ticket's (IdentityNormal…); a protected ticket's
	// contact fields are blank.
	Identity      string
	CreatedAt     int64
	LastMessageAt int64
	// Overdue: late at the filter's Now (OverdueSQL).
	Overdue bool
}

// identifyingMessageSQL holds for a message m that carried an answer telling
// who the citizen is. Text search skips such messages of protected tickets:
// typing a known CPF or phone must not find the citizen's sigilosa ticket.
const identifyingMessageSQL = `EXISTS (SELECT 1 FROM contact_answers a WHERE a.message_id = m.id AND a.identifying)`

// ftsQuery turns what a clerk typed into an FTS5 query: every word must
// appear in the same message (whole words, accents ignored); FTS5 operators
// typed are plain words. Whole words keep a lookup a seek in the index, where
// a prefix would merge the lists of every word that starts so.
func ftsQuery(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for i, w := range words {
		words[i] = `"` + w + `"`
	}
	return strings.Join(words, " ")
}

// commonTextRows, when set (tests), is where a text search stops reading
// every match; otherwise commonText works it out from the number of tickets.
var commonTextRows = 0

// commonText reports whether q matches so many messages that looking tickets
// up one by one, in the list's order, is cheaper than reading every match.
// Reading costs about 5 µs a match; a lookup about 8 µs a ticket for one
// word and three times that for more, and a page needs 50 × tickets ÷
// matches of them: the two meet at matches² ≈ k × tickets, k = 50 × 8 ÷ 5
// (measured at 1,000,000 tickets).
func (s *Store) commonText(ctx context.Context, q string, words int) (bool, error) {
	limit := commonTextRows
	if limit == 0 {
		var tickets int64
		if err := s.R.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM tickets`).Scan(&tickets); err != nil {
			return false, fmt.Errorf("search tickets: %w", err)
		}
		k := 80.0
		if words > 1 {
			k = 240
		}
		limit = max(1000, int(math.Sqrt(k*float64(tickets))))
	}
	var n int
	err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? LIMIT ?)`,
		q, limit+1).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("search tickets: %w", err)
	}
	return n > limit, nil
}

// walkedTexts is how many tickets passing the other filters a search for a
// common text walks, in the list's order, looking for a page; when they don't
// hold a page (a common word that is rare among those tickets, or absent
// from them) it reads every match instead. Without the bound, a common word
// no ticket of a large department holds walked all of them (20 s at
// 1,000,000 tickets).
var walkedTexts = 3000

// walkBound is the (key, id) of the walkedTexts-th ticket, in the list's
// order, that passes filters (and comes after the cursor); ok is false when
// fewer tickets pass them.
func (s *Store) walkBound(ctx context.Context, filters []string, args []any, after *TicketCursor, key, dir, cmp, indexed string) (TicketCursor, bool, error) {
	filters, args = slices.Clone(filters), slices.Clone(args)
	if after != nil {
		filters = append(filters, `(`+key+`, t.id) `+cmp+` (?, ?)`)
		args = append(args, after.Key, after.ID)
	}
	cond := ""
	if len(filters) > 0 {
		cond = "WHERE " + strings.Join(filters, " AND ")
	}
	var b TicketCursor
	err := s.R.QueryRowContext(ctx, `SELECT `+key+`, t.id FROM tickets t `+indexed+` `+cond+`
		ORDER BY `+key+` `+dir+`, t.id `+dir+` LIMIT 1 OFFSET ?`, append(args, walkedTexts-1)...).Scan(&b.Key, &b.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return b, false, nil
	}
	if err != nil {
		return b, false, fmt.Errorf("search tickets: %w", err)
	}
	return b, true, nil
}

// commonFilterRows is how many tickets the filters must match for the list
// to be read in its order rather than through a filter's index.
var commonFilterRows = 5000

// onlyDigits reports whether s is digits (with phone punctuation) and returns them.
func onlyDigits(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '+' || r == '.':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// SearchTickets returns one page of the tickets that pass f, in f's order,
// and the cursor of the next page (nil on the last one). Pages are read by
// keyset, (sort key, id), so page N costs what page 1 does.
func (s *Store) SearchTickets(ctx context.Context, f TicketFilter) ([]TicketRow, *TicketCursor, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.Protocol != "" {
		add(`t.protocol = ?`, f.Protocol)
	}
	if c := strings.TrimSpace(f.Contact); c != "" {
		// Which protected identity a search by the citizen may find: none
		// ("normal" twice) or, for an ouvidor, sigilosa; never anonima.
		visible := visibleIdentity(f.SeesProtected)
		if d, ok := onlyDigits(c); ok {
			// The number as typed, with or without the country code: a range
			// of the wa_id index (GLOB compares as the index does).
			add(`t.identity IN ('normal', ?) AND t.contact_id IN (SELECT id FROM contacts WHERE wa_id GLOB ? OR wa_id GLOB ?)`, visible, d+"*", "55"+d+"*")
		} else if q := ftsQuery(c); q != "" {
			add(`t.identity IN ('normal', ?) AND t.contact_id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)`, visible, q)
		}
	}
	switch f.Kind {
	case "":
	case KindNone:
		add(`t.kind IS NULL`)
	default:
		add(`t.kind = ?`, f.Kind)
	}
	if f.Status != "" {
		add(`t.status = ?`, f.Status)
	}
	if f.GroupID != 0 {
		add(`t.group_id = ?`, f.GroupID)
	}
	if f.DepartmentID != 0 {
		add(`t.group_id IN (SELECT id FROM service_groups WHERE department_id = ?)`, f.DepartmentID)
	}
	switch {
	case f.AssigneeID == NoAssignee:
		add(`t.assignee_id IS NULL`)
	case f.AssigneeID != 0:
		add(`t.assignee_id = ?`, f.AssigneeID)
	}
	if f.Now == 0 {
		f.Now = s.Now()
	}
	if f.Overdue {
		add(overdueFilterSQL(f.Now))
	}
	if f.From != 0 {
		add(`t.created_at >= ?`, f.From)
	}
	if f.To != 0 {
		add(`t.created_at < ?`, f.To)
	}
	key, dir, cmp, index := "t.created_at", "DESC", "<", "tickets_created_idx"
	switch f.Sort {
	case SortOldest:
		dir, cmp = "ASC", ">"
	case SortActivity:
		key, index = "t.last_message_at", "tickets_activity_idx"
	}
	filters, filterArgs := slices.Clone(where), slices.Clone(args)
	fewTexts, walk, walked := false, false, false
	if q := ftsQuery(f.Text); q != "" {
		common := false
		if !f.readAllTexts {
			var err error
			if common, err = s.commonText(ctx, q, strings.Count(q, `"`)/2); err != nil {
				return nil, nil, err
			}
		}
		if common {
			walk = true
			// Many matches: walk the tickets in the list's order, stopping
			// at a page. Each ticket is one seek in the word's index: its
			// matches between the ticket's first and last message ids (a
			// rowid range FTS5 reads directly), each checked to be the
			// ticket's — seven times cheaper than a lookup per message.
			add(`(EXISTS (SELECT 1 FROM messages_fts f CROSS JOIN messages m ON m.id = f.rowid WHERE f.messages_fts MATCH ?
					AND f.rowid BETWEEN (SELECT min(id) FROM messages WHERE ticket_id = t.id) AND (SELECT max(id) FROM messages WHERE ticket_id = t.id)
					AND m.ticket_id = t.id AND NOT (t.identity <> 'normal' AND `+identifyingMessageSQL+`))
				OR EXISTS (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH ? AND tickets_fts.rowid = t.id))`, q, q)
		} else {
			// Few matches: take them all from the index.
			fewTexts = true
			add(`t.id IN (SELECT m.ticket_id FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid WHERE messages_fts MATCH ?
					AND NOT (`+identifyingMessageSQL+` AND EXISTS (SELECT 1 FROM tickets pt WHERE pt.id = m.ticket_id AND pt.identity <> 'normal'))
				UNION SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)`, q, q)
		}
	}
	// Without statistics SQLite takes a filter's index and sorts all it
	// finds: right for a rare value, a full sort for a common one. When the
	// filters match many tickets, walk the list's order instead: a page is
	// then found within a few thousand rows.
	indexed := ""
	if len(filters) > 0 && !fewTexts && (f.Sort != SortActivity || (f.From == 0 && f.To == 0)) {
		var n int
		err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM tickets t WHERE `+strings.Join(filters, " AND ")+` LIMIT ?)`,
			append(slices.Clone(filterArgs), commonFilterRows)...).Scan(&n)
		if err != nil {
			return nil, nil, fmt.Errorf("search tickets: %w", err)
		}
		if n >= commonFilterRows {
			indexed = "INDEXED BY " + index
		}
	}
	if walk {
		bound, ok, err := s.walkBound(ctx, filters, filterArgs, f.After, key, dir, cmp, indexed)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			walked = true
			within := ">="
			if dir == "ASC" {
				within = "<="
			}
			add(`(`+key+`, t.id) `+within+` (?, ?)`, bound.Key, bound.ID)
		}
	}
	if f.After != nil {
		add(`(`+key+`, t.id) `+cmp+` (?, ?)`, f.After.Key, f.After.ID)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	query := `SELECT t.id, COALESCE(t.protocol, ''), COALESCE(t.kind, ''), t.status, t.subject,
			COALESCE(g.name, ''), COALESCE(u.name, ''), t.contact_id, c.name, c.profile_name, c.wa_id,
			t.identity, t.created_at, t.last_message_at, COALESCE(` + OverdueSQL(f.Now) + `, 0)
		FROM tickets t ` + indexed + `
		JOIN contacts c ON c.id = t.contact_id
		LEFT JOIN service_groups g ON g.id = t.group_id
		LEFT JOIN users u ON u.id = t.assignee_id
		` + cond + `
		ORDER BY ` + key + ` ` + dir + `, t.id ` + dir + `
		LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := s.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("search tickets: %w", err)
	}
	defer rows.Close()
	var out []TicketRow
	for rows.Next() {
		var t TicketRow
		var name, profile string
		if err := rows.Scan(&t.ID, &t.Protocol, &t.Kind, &t.Status, &t.Subject, &t.GroupName, &t.AssigneeName,
			&t.ContactID, &name, &profile, &t.ContactWaID, &t.Identity, &t.CreatedAt, &t.LastMessageAt, &t.Overdue); err != nil {
			return nil, nil, fmt.Errorf("search tickets: %w", err)
		}
		t.ContactName = Contact{Name: name, ProfileName: profile, WaID: t.ContactWaID}.DisplayName()
		if Protected(t.Identity) {
			t.ContactID, t.ContactName, t.ContactWaID = 0, "", ""
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("search tickets: %w", err)
	}
	if len(out) <= f.Limit {
		if walked {
			// The walk ended at its bound without a full page: the rest
			// may lie beyond it.
			f.readAllTexts = true
			return s.SearchTickets(ctx, f)
		}
		return out, nil, nil
	}
	out = out[:f.Limit]
	last := out[len(out)-1]
	next := &TicketCursor{Key: last.CreatedAt, ID: last.ID}
	if f.Sort == SortActivity {
		next.Key = last.LastMessageAt
	}
	return out, next, nil
}
