package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
)

// ReportFact is what reports know of one ticket: its dimensions and the
// times its metrics are computed from (Unix ms; 0: never happened).
type ReportFact struct {
	ID, CreatedAt, ClosedAt int64
	GroupID, AssigneeID     int64
	Kind, Status, Subject   string
	// QueuedAt is the first time the ticket entered a queue (a status change
	// to em_fila, encaminhado or reaberto).
	QueuedAt int64
	// FirstAssignAt is the first time a clerk got the ticket.
	FirstAssignAt int64
	// HeldAt is the last time the ticket was given to its current holder.
	HeldAt                         int64
	FirstResponseAt, ResponseDueAt int64
	DueAt                          int64
	// Reopened is how many times the ticket was reopened.
	Reopened int
	// Score is the satisfaction answer (1–5; 0: none) and who held the
	// ticket, and where, when it was given.
	Score                     int
	ScoreUserID, ScoreGroupID int64
}

// reportDayMs is the length of a report day; reportDayShift puts its
// boundaries at midnight in the city (UTC−3).
const (
	reportDayMs    = 86_400_000
	reportDayShift = 10_800_000
)

// reportDay is the report_days key of a time (as the migration's triggers compute it).
func reportDay(ms int64) int64 { return (ms - reportDayShift) / reportDayMs }

// closedInSQL picks the tickets closed in [?, ?). SQLite 3.53 would
// rather walk every closed ticket by status than the closing times of the
// live panel's index: 180 ms against 0.1 ms for a day at 1M tickets.
const (
	closedInSQL    = `WHERE t.status = 'encerrado' AND t.closed_at >= ? AND t.closed_at < ?`
	closedIndexSQL = `INDEXED BY tickets_closed_idx`
	openedInSQL    = `WHERE t.created_at >= ? AND t.created_at < ?`
)

// reportFactsSQL computes the facts directly from the tickets, their events
// and survey answers; the first %s is an index hint for t, the second the
// WHERE clause on t.
const reportFactsSQL = `SELECT t.id, t.created_at, COALESCE(t.closed_at, 0), COALESCE(t.group_id, 0), COALESCE(t.assignee_id, 0),
		COALESCE(t.kind, ''), t.status, t.subject,
		COALESCE((SELECT min(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'status'
			AND e.to_value IN ('em_fila', 'encaminhado', 'reaberto')), 0),
		COALESCE((SELECT min(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'assign' AND e.to_value <> ''), 0),
		COALESCE((SELECT max(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'assign'
			AND t.assignee_id IS NOT NULL AND e.to_value = CAST(t.assignee_id AS TEXT)), 0),
		COALESCE(t.first_response_at, 0), COALESCE(t.response_due_at, 0), COALESCE(t.due_at, 0),
		(SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'status' AND e.to_value = 'reaberto'),
		COALESCE(a.score, 0), COALESCE(a.user_id, 0), COALESCE(a.group_id, 0)
	FROM tickets t %s LEFT JOIN survey_answers a ON a.ticket_id = t.id %s ORDER BY t.id`

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryReportFacts(ctx context.Context, q queryer, hint, where string, args ...any) ([]ReportFact, error) {
	rows, err := q.QueryContext(ctx, fmt.Sprintf(reportFactsSQL, hint, where), args...)
	if err != nil {
		return nil, fmt.Errorf("report facts: %w", err)
	}
	defer rows.Close()
	var out []ReportFact
	for rows.Next() {
		var f ReportFact
		if err := rows.Scan(&f.ID, &f.CreatedAt, &f.ClosedAt, &f.GroupID, &f.AssigneeID, &f.Kind, &f.Status, &f.Subject,
			&f.QueuedAt, &f.FirstAssignAt, &f.HeldAt, &f.FirstResponseAt, &f.ResponseDueAt, &f.DueAt, &f.Reopened,
			&f.Score, &f.ScoreUserID, &f.ScoreGroupID); err != nil {
			return nil, fmt.Errorf("report facts: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report facts: %w", err)
	}
	return out, nil
}

// ReportPeriod is what reports read of a period.
type ReportPeriod struct {
	// Opened are the facts of the tickets opened in the period, Closed of
	// those closed in it.
	Opened, Closed []ReportFact
	// BotOnly counts the conversations the bot ended alone: a contact on a
	// report day (midnight to midnight, UTC−3) with inbound messages none of
	// which reached a ticket, and no ticket of theirs opened that day.
	BotOnly int
}

// DirectReportFacts computes the period [from, to) directly from the
// tickets, events, answers and messages. Reports read ReportFacts instead;
// this is its reference (tests compare them). The bot's conversations are
// counted over whole report days.
func (s *Store) DirectReportFacts(ctx context.Context, from, to int64) (ReportPeriod, error) {
	var p ReportPeriod
	var err error
	if p.Opened, err = queryReportFacts(ctx, s.R, "", openedInSQL, from, to); err != nil {
		return p, err
	}
	if p.Closed, err = queryReportFacts(ctx, s.R, closedIndexSQL, closedInSQL, from, to); err != nil {
		return p, err
	}
	for d := reportDay(from); d <= reportDay(to-1); d++ {
		n, err := botOnly(ctx, s.R, d)
		if err != nil {
			return p, err
		}
		p.BotOnly += n
	}
	return p, nil
}

// ReportFacts returns the period [from, to) from the daily rows, after
// rebuilding the days changed since they were built: always what
// DirectReportFacts would say, at a fraction of its cost over long periods.
func (s *Store) ReportFacts(ctx context.Context, from, to int64) (ReportPeriod, error) {
	var p ReportPeriod
	var err error
	p.BotOnly, err = s.ScanReportFacts(ctx, from, to,
		func(f *ReportFact) { p.Opened = append(p.Opened, *f) },
		func(f *ReportFact) { p.Closed = append(p.Closed, *f) })
	return p, err
}

// ScanReportFacts is ReportFacts without keeping the facts: opened (and
// closed, unless nil) see each fact of the period in turn, through a
// pointer valid only during the call. It returns the bot's conversations.
// Reports over years read hundreds of thousands of facts this way without
// allocating them.
func (s *Store) ScanReportFacts(ctx context.Context, from, to int64, opened, closed func(*ReportFact)) (int, error) {
	if _, err := s.RefreshReportDays(ctx); err != nil {
		return 0, err
	}
	// A day more on each side: days of summer time (before 2019) began an
	// hour earlier than the row's boundary.
	first, last := reportDay(from), reportDay(to-1)
	cols := `day, opened, x'', bot_only`
	if closed != nil {
		cols = `day, opened, closed, bot_only`
	}
	rows, err := s.R.QueryContext(ctx, `SELECT `+cols+` FROM report_days WHERE day BETWEEN ? AND ? ORDER BY day`, first-1, last+1)
	if err != nil {
		return 0, fmt.Errorf("report facts: %w", err)
	}
	defer rows.Close()
	var o, c sql.RawBytes
	var day int64
	var bot, total int
	for rows.Next() {
		if err := rows.Scan(&day, &o, &c, &bot); err != nil {
			return 0, fmt.Errorf("report facts: %w", err)
		}
		if err := decodeFacts(o, func(f *ReportFact) {
			if f.CreatedAt >= from && f.CreatedAt < to {
				opened(f)
			}
		}); err != nil {
			return 0, err
		}
		if closed != nil {
			if err := decodeFacts(c, func(f *ReportFact) {
				if f.ClosedAt >= from && f.ClosedAt < to {
					closed(f)
				}
			}); err != nil {
				return 0, err
			}
		}
		if day >= first && day <= last {
			total += bot
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("report facts: %w", err)
	}
	return total, nil
}

// botOnly counts a report day's conversations the bot ended alone.
func botOnly(ctx context.Context, q queryer, day int64) (int, error) {
	lo := day*reportDayMs + reportDayShift
	// The hint: SQLite 3.53 reads every message without a ticket through
	// messages_ticket_idx rather than the day's through the partial index
	// (190 ms against 1 ms at 10M messages).
	rows, err := q.QueryContext(ctx, `SELECT count(*) FROM (SELECT DISTINCT contact_id FROM messages INDEXED BY messages_bot_only_idx
			WHERE ticket_id IS NULL AND direction = 'in' AND created_at >= ?1 AND created_at < ?2) AS c
		WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.contact_id = c.contact_id AND t.created_at >= ?1 AND t.created_at < ?2)`,
		lo, lo+reportDayMs)
	if err != nil {
		return 0, fmt.Errorf("bot-only conversations: %w", err)
	}
	defer rows.Close()
	var n int
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("bot-only conversations: %w", err)
		}
	}
	return n, rows.Err()
}

// reportRefreshBatch is how many days one rebuilding transaction covers:
// the writer is never held for long.
const reportRefreshBatch = 20

// RefreshReportDays rebuilds the days marked as changed, a few per
// transaction; each day's row is written and unmarked in the transaction
// that read the tickets, so a change made meanwhile marks it again. It
// returns how many days it rebuilt.
func (s *Store) RefreshReportDays(ctx context.Context) (int, error) {
	// Most of the time nothing changed: a reader says so without taking the writer.
	var dirty bool
	if err := s.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM report_dirty)`).Scan(&dirty); err != nil {
		return 0, fmt.Errorf("refresh report days: %w", err)
	}
	if !dirty {
		return 0, nil
	}
	total := 0
	for {
		n := 0
		err := s.tx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT day FROM report_dirty ORDER BY day LIMIT ?`, reportRefreshBatch)
			if err != nil {
				return err
			}
			var days []int64
			for rows.Next() {
				var d int64
				if err := rows.Scan(&d); err != nil {
					rows.Close()
					return err
				}
				days = append(days, d)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, d := range days {
				if err := buildReportDay(ctx, tx, d, s.Now()); err != nil {
					return err
				}
			}
			n = len(days)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("refresh report days: %w", err)
		}
		total += n
		if n < reportRefreshBatch {
			return total, nil
		}
	}
}

func buildReportDay(ctx context.Context, tx *sql.Tx, day, now int64) error {
	lo := day*reportDayMs + reportDayShift
	hi := lo + reportDayMs
	opened, err := queryReportFacts(ctx, tx, "", openedInSQL, lo, hi)
	if err != nil {
		return err
	}
	closed, err := queryReportFacts(ctx, tx, closedIndexSQL, closedInSQL, lo, hi)
	if err != nil {
		return err
	}
	bot, err := botOnly(ctx, tx, day)
	if err != nil {
		return err
	}
	if len(opened) == 0 && len(closed) == 0 && bot == 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM report_days WHERE day = ?`, day)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO report_days (day, opened, closed, bot_only, built_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (day) DO UPDATE SET opened = excluded.opened, closed = excluded.closed, bot_only = excluded.bot_only,
				built_at = excluded.built_at`,
			day, encodeFacts(opened), encodeFacts(closed), bot, now)
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM report_dirty WHERE day = ?`, day)
	return err
}

// A day's facts are packed as: the number of strings, the strings
// (length-prefixed), the number of facts, then each fact as varints. Times
// other than CreatedAt are relative to it, shifted by one so that 0 stays
// "never". Strings (kinds, statuses, subjects) repeat a lot: each is
// stored once and referred to by its index.

func encodeFacts(facts []ReportFact) []byte {
	index := map[string]uint64{}
	var strs []string
	ref := func(s string) uint64 {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = uint64(len(strs))
		strs = append(strs, s)
		return index[s]
	}
	var body []byte
	var prevID int64
	for _, f := range facts {
		body = binary.AppendVarint(body, f.ID-prevID)
		prevID = f.ID
		body = binary.AppendVarint(body, f.CreatedAt)
		for _, t := range []int64{f.ClosedAt, f.QueuedAt, f.FirstAssignAt, f.HeldAt, f.FirstResponseAt, f.ResponseDueAt, f.DueAt} {
			body = appendRelTime(body, t, f.CreatedAt)
		}
		for _, v := range []int64{f.GroupID, f.AssigneeID, int64(f.Reopened), int64(f.Score), f.ScoreUserID, f.ScoreGroupID} {
			body = binary.AppendVarint(body, v)
		}
		body = binary.AppendUvarint(body, ref(f.Kind))
		body = binary.AppendUvarint(body, ref(f.Status))
		body = binary.AppendUvarint(body, ref(f.Subject))
	}
	out := binary.AppendUvarint(nil, uint64(len(strs)))
	for _, s := range strs {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	out = binary.AppendUvarint(out, uint64(len(facts)))
	return append(out, body...)
}

func appendRelTime(b []byte, t, base int64) []byte {
	if t == 0 {
		return binary.AppendUvarint(b, 0)
	}
	d := t - base
	// zigzag, then +1 so that 0 means "never"
	return binary.AppendUvarint(b, uint64((d<<1)^(d>>63))+1)
}

var errBadFacts = errors.New("report day: malformed facts")

// factReader reads the varints of a packed day.
type factReader struct {
	b   []byte
	err error
}

func (r *factReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errBadFacts, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *factReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errBadFacts, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *factReader) relTime(base int64) int64 {
	u := r.uvarint()
	if u == 0 {
		return 0
	}
	u--
	return base + (int64(u>>1) ^ -int64(u&1))
}

// decodeFacts calls fn with each fact of b, in one reused ReportFact.
func decodeFacts(b []byte, fn func(*ReportFact)) error {
	if len(b) == 0 {
		return nil
	}
	r := &factReader{b: b}
	strs := make([]string, r.uvarint())
	for i := range strs {
		n := r.uvarint()
		if r.err != nil || n > uint64(len(r.b)) {
			return errBadFacts
		}
		strs[i], r.b = string(r.b[:n]), r.b[n:]
	}
	// The fact is reused: a string is written only when it changes, which
	// spares most writes of pointers (and their GC barriers) in long scans.
	last := [3]uint64{^uint64(0), ^uint64(0), ^uint64(0)}
	str := func(k int, dst *string) {
		i := r.uvarint()
		if i == last[k] {
			return
		}
		if i >= uint64(len(strs)) {
			r.err = errBadFacts
			return
		}
		last[k], *dst = i, strs[i]
	}
	count := r.uvarint()
	var id int64
	var f ReportFact
	for range count {
		id += r.varint()
		f.ID = id
		f.CreatedAt = r.varint()
		f.ClosedAt = r.relTime(f.CreatedAt)
		f.QueuedAt = r.relTime(f.CreatedAt)
		f.FirstAssignAt = r.relTime(f.CreatedAt)
		f.HeldAt = r.relTime(f.CreatedAt)
		f.FirstResponseAt = r.relTime(f.CreatedAt)
		f.ResponseDueAt = r.relTime(f.CreatedAt)
		f.DueAt = r.relTime(f.CreatedAt)
		f.GroupID = r.varint()
		f.AssigneeID = r.varint()
		f.Reopened = int(r.varint())
		f.Score = int(r.varint())
		f.ScoreUserID = r.varint()
		f.ScoreGroupID = r.varint()
		str(0, &f.Kind)
		str(1, &f.Status)
		str(2, &f.Subject)
		if r.err != nil {
			return r.err
		}
		fn(&f)
	}
	return nil
}
