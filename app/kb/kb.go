// Package kb reads and writes the whole knowledge base as one file, JSON or
// Markdown, so that a city can keep it under review, move it between
// installations or start from another city's. Reading validates everything
// and reports every problem in pt-BR at once; the store then imports the
// articles in one transaction (store.ImportArticles).
package kb

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"balcao/app/store"
	"balcao/app/words"
)

// FormatName and Version identify the JSON file.
const (
	FormatName = "balcao-kb"
	Version    = 1
)

// Limits of an article (characters).
const (
	MaxQuestion = 300
	MaxAnswer   = 20000
	MaxLabel    = 100 // theme, category
	MaxKeywords = 1000
	// MaxFile bounds a file read (bytes).
	MaxFile = 16 << 20
)

// File is the JSON form of the knowledge base.
type File struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	ExportedAt string    `json:"exported_at,omitempty"`
	Articles   []Article `json:"articles"`
}

// Article is one article in a file. Feedback counters are exported for the
// reader's information and ignored on import.
type Article struct {
	Question   string `json:"question"`
	Answer     string `json:"answer"`
	Theme      string `json:"theme,omitempty"`
	Category   string `json:"category,omitempty"`
	Keywords   string `json:"keywords,omitempty"`
	Public     bool   `json:"public"`
	Active     bool   `json:"active"`
	HelpfulYes int    `json:"helpful_yes,omitempty"`
	HelpfulNo  int    `json:"helpful_no,omitempty"`
}

// InvalidError lists what is wrong with a file, in pt-BR, for the panel.
type InvalidError struct{ Problems []string }

func (e *InvalidError) Error() string {
	return "arquivo da base de conhecimento inválido: " + strings.Join(e.Problems, "; ")
}

// ErrInvalid is matched (errors.Is) by every *InvalidError.
var ErrInvalid = errors.New("invalid knowledge base file")

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Export is list as a File.
func Export(list []store.Article, now time.Time) File {
	f := File{Format: FormatName, Version: Version, ExportedAt: now.UTC().Format(time.RFC3339), Articles: []Article{}}
	for _, a := range list {
		f.Articles = append(f.Articles, Article{Question: a.Question, Answer: a.Answer, Theme: a.Theme,
			Category: a.Category, Keywords: a.Keywords, Public: a.Public, Active: a.Active,
			HelpfulYes: a.HelpfulYes, HelpfulNo: a.HelpfulNo})
	}
	return f
}

// WriteJSON writes list as an indented JSON file.
func WriteJSON(w io.Writer, list []store.Article, now time.Time) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Export(list, now)); err != nil {
		return fmt.Errorf("write knowledge base: %w", err)
	}
	return nil
}

// ReadJSON reads and validates a file written by WriteJSON (or by hand).
func ReadJSON(r io.Reader) ([]store.Article, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, &InvalidError{Problems: []string{fmt.Sprintf(txtNotJSON, err)}}
	}
	if f.Format != FormatName {
		return nil, &InvalidError{Problems: []string{fmt.Sprintf(txtWrongFormat, FormatName)}}
	}
	if f.Version != Version {
		return nil, &InvalidError{Problems: []string{fmt.Sprintf(txtWrongVersion, f.Version, Version)}}
	}
	list := make([]store.Article, len(f.Articles))
	for i, a := range f.Articles {
		list[i] = store.Article{Question: a.Question, Answer: a.Answer, Theme: a.Theme, Category: a.Category,
			Keywords: a.Keywords, Public: a.Public, Active: a.Active}
	}
	return clean(list)
}

func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFile+1))
	if err != nil {
		return nil, fmt.Errorf("read knowledge base: %w", err)
	}
	if len(data) > MaxFile {
		return nil, &InvalidError{Problems: []string{fmt.Sprintf(txtTooBig, MaxFile>>20)}}
	}
	if !utf8.Valid(data) {
		return nil, &InvalidError{Problems: []string{txtNotUTF8}}
	}
	return data, nil
}

// clean trims list and checks it: every article has a question and an
// answer within the limits, and no question appears twice.
func clean(list []store.Article) ([]store.Article, error) {
	var problems []string
	add := func(i int, q, format string, args ...any) {
		name := fmt.Sprintf(txtArticleN, i+1)
		if q != "" {
			name += " (" + truncate(q, 60) + ")"
		}
		problems = append(problems, name+": "+fmt.Sprintf(format, args...))
	}
	seen := map[string]int{}
	for i := range list {
		a := &list[i]
		a.Question = strings.Join(strings.Fields(a.Question), " ")
		a.Answer = strings.TrimSpace(strings.ReplaceAll(a.Answer, "\r\n", "\n"))
		a.Theme, a.Category, a.Keywords = strings.TrimSpace(a.Theme), strings.TrimSpace(a.Category), strings.TrimSpace(a.Keywords)
		switch n := utf8.RuneCountInString(a.Question); {
		case n == 0:
			add(i, "", txtNoQuestion)
		case n > MaxQuestion:
			add(i, a.Question, txtLongQuestion, MaxQuestion)
		}
		switch n := utf8.RuneCountInString(a.Answer); {
		case n == 0:
			add(i, a.Question, txtNoAnswer)
		case n > MaxAnswer:
			add(i, a.Question, txtLongAnswer, MaxAnswer)
		}
		if utf8.RuneCountInString(a.Theme) > MaxLabel || utf8.RuneCountInString(a.Category) > MaxLabel {
			add(i, a.Question, txtLongLabel, MaxLabel)
		}
		if utf8.RuneCountInString(a.Keywords) > MaxKeywords {
			add(i, a.Question, txtLongKeywords, MaxKeywords)
		}
		if a.Question == "" {
			continue
		}
		key := strings.Join(words.Tokens(a.Question), " ")
		if j, dup := seen[key]; dup {
			add(i, a.Question, txtDuplicate, j+1)
		} else {
			seen[key] = i
		}
	}
	if len(problems) > 0 {
		return nil, &InvalidError{Problems: problems}
	}
	return list, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
