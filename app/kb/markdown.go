package kb

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"balcao/app/store"
)

// The Markdown file is the articles one after the other, each a front
// matter block between "---" lines followed by its answer:
//
//	---
//	pergunta: "Como tirar a segunda via da conta de água?"
//	tema: "Água e esgoto"
//	categoria: "Segunda via"
//	palavras-chave: "2 via, boleto"
//	publico: sim
//	ativo: sim
//	---
//	Você pode emitir a segunda via…
//
// Text values are JSON strings (valid YAML too). So that only front matter
// fences are "---", a line of three or more dashes inside an answer gets one
// more dash when written and loses one when read ("---" ↔ "----").

// Front matter keys.
const (
	keyQuestion = "pergunta"
	keyTheme    = "tema"
	keyCategory = "categoria"
	keyKeywords = "palavras-chave"
	keyPublic   = "publico"
	keyActive   = "ativo"
	keyYes      = "util-sim" // exported counters, ignored on import
	keyNo       = "util-nao"
)

var knownKeys = map[string]bool{keyQuestion: true, keyTheme: true, keyCategory: true, keyKeywords: true,
	keyPublic: true, keyActive: true, keyYes: true, keyNo: true}

const fence = "---"

// WriteMarkdown writes list as one Markdown file with front matter per article.
func WriteMarkdown(w io.Writer, list []store.Article, now time.Time) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, txtMarkdownHeader+"\n", FormatName, Version, now.UTC().Format(time.RFC3339))
	for _, a := range list {
		bw.WriteString("\n" + fence + "\n")
		for _, kv := range [][2]string{{keyQuestion, a.Question}, {keyTheme, a.Theme}, {keyCategory, a.Category}, {keyKeywords, a.Keywords}} {
			bw.WriteString(kv[0] + ": " + quote(kv[1]) + "\n")
		}
		fmt.Fprintf(bw, "%s: %s\n%s: %s\n", keyPublic, yesNo(a.Public), keyActive, yesNo(a.Active))
		fmt.Fprintf(bw, "%s: %d\n%s: %d\n", keyYes, a.HelpfulYes, keyNo, a.HelpfulNo)
		bw.WriteString(fence + "\n")
		for _, line := range strings.Split(strings.TrimSpace(a.Answer), "\n") {
			if isDashes(line, 3) {
				line += "-"
			}
			bw.WriteString(line + "\n")
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write knowledge base: %w", err)
	}
	return nil
}

// quote is s as a JSON string, without escaping <, > and &.
func quote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}

func yesNo(b bool) string {
	if b {
		return "sim"
	}
	return "nao"
}

// ReadMarkdown reads and validates a file written by WriteMarkdown (or by
// hand in the same shape). A "---" line starts an article only when the line
// after it is a known "chave: valor"; otherwise it is part of the answer.
func ReadMarkdown(r io.Reader) ([]store.Article, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var list []store.Article
	var problems []string
	var answer []string
	cur := -1
	flush := func() {
		if cur >= 0 {
			list[cur].Answer = strings.Join(answer, "\n")
		}
		answer = nil
	}
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != fence || !startsFrontMatter(lines, i+1) {
			if line := lines[i]; cur >= 0 {
				if isDashes(line, 4) {
					line = line[1:]
				}
				answer = append(answer, line)
			}
			continue
		}
		flush()
		a := store.Article{Public: true, Active: true}
		i++
		for ; i < len(lines) && strings.TrimSpace(lines[i]) != fence; i++ {
			if strings.TrimSpace(lines[i]) == "" {
				continue
			}
			if msg := setField(&a, lines[i]); msg != "" {
				problems = append(problems, fmt.Sprintf(txtLineN, i+1)+": "+msg)
			}
		}
		if i == len(lines) {
			problems = append(problems, fmt.Sprintf(txtUnclosed, len(list)+1))
		}
		list = append(list, a)
		cur = len(list) - 1
	}
	flush()
	if len(list) == 0 && len(problems) == 0 {
		problems = append(problems, txtNoArticles)
	}
	if len(problems) > 0 {
		return nil, &InvalidError{Problems: problems}
	}
	return clean(list)
}

// isDashes reports whether line is only dashes, at least n of them.
func isDashes(line string, n int) bool {
	return len(line) >= n && strings.Trim(line, "-") == ""
}

// startsFrontMatter reports whether the first non-blank line from i is a
// known "chave: valor".
func startsFrontMatter(lines []string, i int) bool {
	for ; i < len(lines); i++ {
		if s := strings.TrimSpace(lines[i]); s != "" {
			key, _, ok := strings.Cut(s, ":")
			return ok && knownKeys[strings.TrimSpace(key)]
		}
	}
	return false
}

// setField reads one "chave: valor" line into a; it returns a pt-BR problem.
func setField(a *store.Article, line string) string {
	key, raw, ok := strings.Cut(line, ":")
	if !ok {
		return txtWantKeyValue
	}
	key, raw = strings.TrimSpace(key), strings.TrimSpace(raw)
	value := raw
	if strings.HasPrefix(raw, `"`) {
		if err := json.Unmarshal([]byte(raw), &value); err != nil {
			return fmt.Sprintf(txtBadQuoted, key)
		}
	}
	switch key {
	case keyQuestion:
		a.Question = value
	case keyTheme:
		a.Theme = value
	case keyCategory:
		a.Category = value
	case keyKeywords:
		a.Keywords = value
	case keyPublic, keyActive:
		var b bool
		switch strings.ToLower(value) {
		case "sim", "s", "true", "yes":
			b = true
		case "nao", "não", "n", "false", "no":
		default:
			return fmt.Sprintf(txtBadBool, key)
		}
		if key == keyPublic {
			a.Public = b
		} else {
			a.Active = b
		}
	case keyYes, keyNo:
	default:
		return fmt.Sprintf(txtUnknownKey, key)
	}
	return ""
}
