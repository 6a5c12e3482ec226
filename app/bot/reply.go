package bot

import (
	"strings"
	"unicode/utf8"
)

// Form is how a reply is sent.
type Form string

// Forms of a reply.
const (
	// FormText: send Reply.Plain() as a text message (options numbered in it).
	FormText Form = "text"
	// FormButtons: reply buttons, one per option (Reply.Text is the body).
	FormButtons Form = "buttons"
	// FormList: an interactive list, one row per option (Reply.Text is the
	// body, Reply.Button the label that opens it).
	FormList Form = "list"
)

// Cloud API limits the engine keeps to (characters, i.e. runes).
const (
	maxText        = 4096
	maxButtons     = 3
	maxButtonTitle = 20
	maxButtonsBody = 1024
	maxRows        = 10
	maxRowTitle    = 24
	maxRowDesc     = 72
	maxListBody    = 4096
	maxListButton  = 20
	maxID          = 200
)

// Reply is one message to the citizen. The engine chooses Form so that the
// interactive forms always fit the Cloud API's limits; otherwise it is
// FormText and the options are numbered in the text.
type Reply struct {
	// Text is the message in WhatsApp formatting (the body of an interactive
	// message); it may hold ProtocolPlaceholder until Decision.SetProtocol.
	Text    string
	Options []Option
	Form    Form
	// Button labels the button that opens a list.
	Button string
}

// Option is one choice offered. The citizen may tap it (ID comes back),
// type its Number, or type its words.
type Option struct {
	ID     string
	Number string
	Title  string
	// Description is a list row's second line (lists only).
	Description string
}

// Plain is the reply as text: Text, then one line per option ("*1* - Água e
// esgoto"). It is what FormText sends and what the history shows.
func (r Reply) Plain() string {
	if len(r.Options) == 0 {
		return r.Text
	}
	var b strings.Builder
	b.WriteString(r.Text)
	if r.Text != "" {
		b.WriteString("\n\n")
	}
	for i, o := range r.Options {
		if i > 0 {
			b.WriteByte('\n')
		}
		if o.Number != "" {
			b.WriteString("*" + o.Number + "* - ")
		}
		b.WriteString(o.Title)
	}
	return b.String()
}

// text is a plain reply.
func text(s string) Reply { return Reply{Text: s, Form: FormText} }

// choose is a reply offering opts: reply buttons when they fit, else a list
// when it fits, else numbered text.
func choose(body string, opts []Option) Reply {
	r := Reply{Text: body, Options: opts, Form: FormText}
	if len(opts) == 0 || strings.TrimSpace(body) == "" {
		return r
	}
	switch {
	case fitsButtons(body, opts):
		r.Form = FormButtons
	case fitsList(body, opts):
		r.Form = FormList
		r.Button = txtListButton
	}
	if r.Form == FormText && runes(r.Plain()) > maxText {
		r.Text = truncate(body, maxText-runes(r.Plain())+runes(body))
	}
	return r
}

func fitsButtons(body string, opts []Option) bool {
	if len(opts) > maxButtons || runes(body) > maxButtonsBody {
		return false
	}
	seen := map[string]bool{}
	for _, o := range opts {
		if o.Title == "" || runes(o.Title) > maxButtonTitle || len(o.ID) > maxID || seen[o.Title] {
			return false
		}
		seen[o.Title] = true
	}
	return true
}

func fitsList(body string, opts []Option) bool {
	if len(opts) > maxRows || runes(body) > maxListBody {
		return false
	}
	for _, o := range opts {
		if o.Title == "" || runes(o.Title) > maxRowTitle || runes(o.Description) > maxRowDesc || o.ID == "" || len(o.ID) > maxID {
			return false
		}
	}
	return true
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// truncate cuts s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if runes(s) <= n {
		return s
	}
	if n <= 1 {
		return ""
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// splitText cuts s into texts of at most maxText runes, at paragraph, line or
// word boundaries when it can.
func splitText(s string) []string {
	var out []string
	for runes(s) > maxText {
		r := []rune(s)
		head := string(r[:maxText])
		cut := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(head, sep); i > len(head)/2 {
				cut = i
				break
			}
		}
		if cut < 0 {
			cut = len(head)
		}
		out = append(out, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// compact merges a plain text reply into the reply after it when the result
// still fits, so the citizen gets fewer, fuller messages.
func compact(replies []Reply) []Reply {
	out := replies[:0:0]
	for i := 0; i < len(replies); i++ {
		r := replies[i]
		for i+1 < len(replies) && r.Form == FormText && len(r.Options) == 0 {
			next := replies[i+1]
			merged := next
			merged.Text = joinText(r.Text, next.Text)
			if !fitsForm(merged) {
				break
			}
			r = merged
			i++
		}
		out = append(out, r)
	}
	return out
}

// fitsForm reports whether r is within the limits of its form.
func fitsForm(r Reply) bool {
	switch r.Form {
	case FormButtons:
		return fitsButtons(r.Text, r.Options)
	case FormList:
		return fitsList(r.Text, r.Options)
	}
	return runes(r.Plain()) <= maxText
}

// joinText joins non-empty paragraphs with a blank line.
func joinText(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n\n")
}
