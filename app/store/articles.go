package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"balcao/app/words"
)

// Article is one knowledge-base entry: a question citizens ask and its
// Markdown answer.
type Article struct {
	ID int64
	// Public articles are offered by the bot; the others are for clerks only.
	Public   bool
	Theme    string
	Category string
	Question string
	// Answer is Markdown.
	Answer string
	// Keywords are comma-separated words and phrases citizens use for it.
	Keywords string
	// Active articles are searched and shown; inactive ones are kept as drafts.
	Active bool
	// HelpfulYes and HelpfulNo count the answers to "Isso resolveu?".
	HelpfulYes int
	HelpfulNo  int
	CreatedAt  int64
	UpdatedAt  int64
}

// ArticleHit is an article found by SearchArticles, best first.
type ArticleHit struct {
	ID       int64
	Question string
	Theme    string
	Category string
	// Score is higher for a better match (bm25, sign flipped).
	Score float64
}

const articleColumns = `id, public, theme, category, question, answer, keywords, active,
	helpful_yes, helpful_no, created_at, updated_at`

func scanArticle(row interface{ Scan(...any) error }) (Article, error) {
	var a Article
	err := row.Scan(&a.ID, &a.Public, &a.Theme, &a.Category, &a.Question, &a.Answer, &a.Keywords, &a.Active,
		&a.HelpfulYes, &a.HelpfulNo, &a.CreatedAt, &a.UpdatedAt)
	return a, err
}

// CreateArticle inserts a and returns it with its id; the counters start at zero.
func (s *Store) CreateArticle(ctx context.Context, a Article) (Article, error) {
	now := s.Now()
	a.CreatedAt, a.UpdatedAt, a.HelpfulYes, a.HelpfulNo = now, now, 0, 0
	err := s.W.QueryRowContext(ctx, `INSERT INTO articles
		(public, theme, category, question, answer, keywords, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Public, a.Theme, a.Category, a.Question, a.Answer, a.Keywords, a.Active, now, now).Scan(&a.ID)
	if err != nil {
		return a, fmt.Errorf("create article: %w", err)
	}
	return a, nil
}

// UpdateArticle saves the text and flags of a (not its feedback counters).
func (s *Store) UpdateArticle(ctx context.Context, a Article) error {
	res, err := s.W.ExecContext(ctx, `UPDATE articles SET public = ?, theme = ?, category = ?, question = ?,
		answer = ?, keywords = ?, active = ?, updated_at = ? WHERE id = ?`,
		a.Public, a.Theme, a.Category, a.Question, a.Answer, a.Keywords, a.Active, s.Now(), a.ID)
	return affectedOne(res, err, "update article")
}

// ArticleByID returns the article with id.
func (s *Store) ArticleByID(ctx context.Context, id int64) (Article, error) {
	a, err := scanArticle(s.R.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return a, fmt.Errorf("article %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("article %d: %w", id, err)
	}
	return a, nil
}

// ListArticles returns every article, by theme, category and question.
func (s *Store) ListArticles(ctx context.Context) ([]Article, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT `+articleColumns+` FROM articles`)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	defer rows.Close()
	var out []Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("list articles: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	sortByName(out, func(a Article) string { return a.Theme + "\x00" + a.Category + "\x00" + a.Question })
	return out, nil
}

// DeleteArticle removes the article with id. One the bot's menu shows is kept
// and ErrInUse returned.
func (s *Store) DeleteArticle(ctx context.Context, id int64) error {
	res, err := s.W.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("delete article %d: the menu uses it: %w", id, ErrInUse)
	}
	return affectedOne(res, err, "delete article")
}

// RecordArticleFeedback counts one answer to "Isso resolveu?" for article id.
func (s *Store) RecordArticleFeedback(ctx context.Context, id int64, helpful bool) error {
	query := `UPDATE articles SET helpful_no = helpful_no + 1 WHERE id = ?`
	if helpful {
		query = `UPDATE articles SET helpful_yes = helpful_yes + 1 WHERE id = ?`
	}
	res, err := s.W.ExecContext(ctx, query, id)
	return affectedOne(res, err, "article feedback")
}

// Search tuning.
const (
	// maxSearchTerms bounds the MATCH expression built from a long message.
	maxSearchTerms = 8
	// minPrefix is the shortest stem searched as a prefix ("agu*" would match too much).
	minPrefix = 3
)

// bm25 weights of question, answer, keywords, theme and category: the words
// of the question and the curators' keywords say most about an article.
const articleRank = `bm25(articles_fts, 8.0, 1.0, 6.0, 2.0, 2.0)`

// SearchArticles finds up to limit public, active articles for free text
// typed by a citizen, best first (bm25, the question and keywords weighing
// most). Accents and case do not matter, filler words are ignored, and each
// word also matches its plural and gender variants (prefix of a light stem).
// Articles with every word are found; only when there is none, articles with
// at least two of the words (either word, for two) are. Text with no word
// that carries meaning finds nothing.
func (s *Store) SearchArticles(ctx context.Context, text string, limit int) ([]ArticleHit, error) {
	all, some := SearchExpressions(text)
	if all == "" || limit <= 0 {
		return nil, nil
	}
	hits, err := s.searchArticles(ctx, all, limit)
	if err != nil || len(hits) > 0 || some == "" {
		return hits, err
	}
	return s.searchArticles(ctx, some, limit)
}

func (s *Store) searchArticles(ctx context.Context, match string, limit int) ([]ArticleHit, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT a.id, a.question, a.theme, a.category, `+articleRank+` AS rank
		FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
		WHERE articles_fts MATCH ? AND a.public = 1 AND a.active = 1
		ORDER BY rank LIMIT ?`, match, limit)
	if err != nil {
		return nil, fmt.Errorf("search articles: %w", err)
	}
	defer rows.Close()
	var found []ArticleHit
	for rows.Next() {
		var h ArticleHit
		if err := rows.Scan(&h.ID, &h.Question, &h.Theme, &h.Category, &h.Score); err != nil {
			return nil, fmt.Errorf("search articles: %w", err)
		}
		h.Score = -h.Score
		found = append(found, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search articles: %w", err)
	}
	return found, nil
}

// SearchExpressions builds FTS5 MATCH expressions from free text: all asks for
// every term, some for at least two of them (either one when there are two).
// Terms are words.Terms stemmed with words.Stem and quoted, so nothing the
// citizen types is read as FTS syntax; stems of minPrefix letters or more are
// prefix queries. Both are empty when the text has no meaningful word; some is
// empty when there is a single term.
func SearchExpressions(text string) (all, some string) {
	terms := SearchTerms(text)
	if len(terms) == 0 {
		return "", ""
	}
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + t + `"`
		if len(t) >= minPrefix {
			quoted[i] += "*"
		}
	}
	all = strings.Join(quoted, " AND ")
	switch {
	case len(quoted) == 2:
		some = quoted[0] + " OR " + quoted[1]
	case len(quoted) > 2:
		var pairs []string
		for i := range quoted {
			for j := i + 1; j < len(quoted); j++ {
				pairs = append(pairs, "("+quoted[i]+" AND "+quoted[j]+")")
			}
		}
		some = strings.Join(pairs, " OR ")
	}
	return all, some
}

// SearchTerms are the stems SearchArticles looks for in text, at most
// maxSearchTerms of them.
func SearchTerms(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range words.Terms(text) {
		st := words.Stem(t)
		if seen[st] {
			continue
		}
		seen[st] = true
		out = append(out, st)
		if len(out) == maxSearchTerms {
			break
		}
	}
	return out
}

// ImportResult counts what ImportArticles did.
type ImportResult struct {
	Created, Updated, Deleted int
}

// ImportArticles makes list the content of the knowledge base, in one
// transaction. An article is matched to an existing one by its question
// (ignoring case, accents and spacing): a match is updated (its feedback
// counters kept), anything else is created. With replace, existing articles
// absent from list are deleted; if the menu uses one of them nothing changes
// and ErrInUse is returned naming it. The caller validates list first (kb.ReadJSON
// and kb.ReadMarkdown do); a row the schema refuses fails the whole import.
func (s *Store) ImportArticles(ctx context.Context, list []Article, replace bool) (ImportResult, error) {
	var r ImportResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		existing, err := articleQuestions(ctx, tx)
		if err != nil {
			return err
		}
		byKey := map[string]int64{}
		for _, q := range existing {
			if _, dup := byKey[questionKey(q.question)]; !dup {
				byKey[questionKey(q.question)] = q.id
			}
		}
		now := s.Now()
		kept := map[int64]bool{}
		for i, a := range list {
			if id, ok := byKey[questionKey(a.Question)]; ok && !kept[id] {
				_, err := tx.ExecContext(ctx, `UPDATE articles SET public = ?, theme = ?, category = ?, question = ?,
					answer = ?, keywords = ?, active = ?, updated_at = ? WHERE id = ?`,
					a.Public, a.Theme, a.Category, a.Question, a.Answer, a.Keywords, a.Active, now, id)
				if err != nil {
					return fmt.Errorf("import article %d (%q): %w", i+1, a.Question, err)
				}
				kept[id] = true
				r.Updated++
				continue
			}
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO articles
				(public, theme, category, question, answer, keywords, active, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				a.Public, a.Theme, a.Category, a.Question, a.Answer, a.Keywords, a.Active, now, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("import article %d (%q): %w", i+1, a.Question, err)
			}
			kept[id] = true
			r.Created++
		}
		if !replace {
			return optimizeArticleIndex(ctx, tx)
		}
		for _, q := range existing {
			if kept[q.id] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, q.id); err != nil {
				if isForeignKeyViolation(err) {
					return fmt.Errorf("import: article %q is used by the menu and is not in the file: %w", q.question, ErrInUse)
				}
				return fmt.Errorf("import: delete article %d: %w", q.id, err)
			}
			r.Deleted++
		}
		return optimizeArticleIndex(ctx, tx)
	})
	if err != nil {
		return ImportResult{}, err
	}
	return r, nil
}

// OptimizeArticleSearch merges the search index into one segment, which
// makes searches several times faster after many single edits (bulk imports
// do it themselves). It takes milliseconds for thousands of articles.
func (s *Store) OptimizeArticleSearch(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return optimizeArticleIndex(ctx, tx) })
}

func optimizeArticleIndex(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("optimize article index: %w", err)
	}
	return nil
}

// storedQuestion is an existing article as ImportArticles matches it.
type storedQuestion struct {
	id       int64
	question string
}

// articleQuestions returns every article's id and question, oldest first.
func articleQuestions(ctx context.Context, tx *sql.Tx) ([]storedQuestion, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, question FROM articles ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("import: read articles: %w", err)
	}
	defer rows.Close()
	var out []storedQuestion
	for rows.Next() {
		var q storedQuestion
		if err := rows.Scan(&q.id, &q.question); err != nil {
			return nil, fmt.Errorf("import: read articles: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// questionKey is how ImportArticles recognises the same question.
func questionKey(q string) string { return strings.Join(strings.Fields(words.Fold(q)), " ") }
