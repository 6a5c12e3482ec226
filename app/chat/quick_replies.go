package chat

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"balcao/app/store"
)

// Errors of quick replies; the web side turns them into pt-BR messages.
var (
	// ErrQuickReplyTitle: the title is empty or longer than 80 characters.
	ErrQuickReplyTitle = errors.New("chat: quick reply title missing or too long")
	// ErrPlaceholder: the text names a variable other than {nome} and {protocolo}.
	ErrPlaceholder = errors.New("chat: unknown variable in quick reply")
)

// Placeholders are the variables a quick reply may use.
var Placeholders = []string{"{nome}", "{protocolo}"}

var placeholderRE = regexp.MustCompile(`\{[^{}\s]*\}`)

// citizenWord stands for the citizen's name when the bot never learnt it.
const citizenWord = "munícipe"

// ExpandQuickReply fills a quick reply's variables for the conversation:
// {nome} is the citizen's name (the one given to the bot, else the WhatsApp
// profile name), {protocolo} the ticket's protocol number as read aloud. On
// a protected ticket {nome} is "munícipe": the filled-in text is in the page,
// and the clerk must not learn the name from it.
func ExpandQuickReply(body string, c store.Conversation) string {
	name := ""
	if !store.Protected(c.Identity) {
		name = strings.TrimSpace(c.Contact.Name)
		if name == "" {
			name = strings.TrimSpace(c.Contact.ProfileName)
		}
	}
	if name == "" {
		name = citizenWord
	}
	return strings.NewReplacer("{nome}", name, "{protocolo}", Reference(c)).Replace(body)
}

// SaveQuickReply checks and saves a quick reply (ID 0: a new one) and returns its id.
func (s *Service) SaveQuickReply(ctx context.Context, a Actor, q store.QuickReply) (int64, error) {
	if !a.Supervises() {
		return 0, ErrNotAllowed
	}
	q.Title, q.Body = strings.TrimSpace(q.Title), strings.TrimSpace(q.Body)
	if q.Title == "" || utf8.RuneCountInString(q.Title) > 80 {
		return 0, ErrQuickReplyTitle
	}
	if q.Body == "" {
		return 0, ErrEmpty
	}
	if utf8.RuneCountInString(q.Body) > 4096 {
		return 0, ErrTooLong
	}
	for _, v := range placeholderRE.FindAllString(q.Body, -1) {
		if v != "{nome}" && v != "{protocolo}" {
			return 0, ErrPlaceholder
		}
	}
	return s.Store.SaveQuickReply(ctx, q)
}

// QuickRepliesFor lists the quick replies usable on a conversation, filled in for it.
func (s *Service) QuickRepliesFor(ctx context.Context, c store.Conversation) ([]store.QuickReply, error) {
	list, err := s.Store.QuickRepliesFor(ctx, c.GroupID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Body = ExpandQuickReply(list[i].Body, c)
	}
	return list, nil
}
