package bot

import (
	"strconv"
	"strings"
	"time"
)

// The satisfaction survey (CSAT) asked when a ticket closes: whoever closes
// it stores SurveySession and sends SurveyQuestion; the engine reads the
// score and the optional comment, and says what to record as effects.

// SurveyScore records the citizen's 1–5 score of a closed ticket.
type SurveyScore struct {
	TicketID int64
	Score    int
}

// SurveyComment records the citizen's comment on a ticket they scored.
type SurveyComment struct {
	TicketID int64
	Text     string
}

func (SurveyScore) isEffect()   {}
func (SurveyComment) isEffect() {}

// idScore prefixes the id of a score's list row ("csat:4").
const idScore = "csat:"

// scoreTitles name the scores 1 to 5; the rows read "4 - Bom".
var scoreTitles = [...]string{"Muito ruim", "Ruim", "Regular", "Bom", "Ótimo"}

// scoreWords are more ways of typing a score.
var scoreWords = map[string]int{
	"pessimo": 1, "pessima": 1, "horrivel": 1, "muito ruim": 1, "ruim": 2, "regular": 3, "mais ou menos": 3,
	"razoavel": 3, "bom": 4, "boa": 4, "muito bom": 5, "otimo": 5, "otima": 5, "excelente": 5,
}

// SurveySession is the session of a contact asked to score ticketID at at:
// their next message is read as the score, and it lapses with the idle timeout.
func SurveySession(ticketID int64, at time.Time) Session {
	return Session{Mode: ModeSurvey, Survey: ticketID, LastActivity: at.UnixMilli()}
}

// SurveyQuestion asks for the score of the ticket numbered number (as
// displayed), as a list of the five scores.
func SurveyQuestion(number string) Reply {
	opts := make([]Option, len(scoreTitles))
	for i, title := range scoreTitles {
		n := strconv.Itoa(i + 1)
		opts[i] = Option{ID: idScore + n, Title: n + " - " + title}
	}
	r := choose(txtSurveyQuestion(number), opts)
	r.Button = txtSurveyButton
	return r
}

// scoreOf reads a score: a tapped row, a digit, a row's title or a word.
func scoreOf(in *message) (int, bool) {
	if n, ok := cutID(in.replyID, idScore); ok && n >= 1 && n <= 5 {
		return int(n), true
	}
	if !in.textual() {
		return 0, false
	}
	norm := in.norm
	if len(norm) == 1 && norm[0] >= '1' && norm[0] <= '5' {
		return int(norm[0] - '0'), true
	}
	for i, title := range scoreTitles {
		if norm == normalize(strconv.Itoa(i+1)+" "+title) {
			return i + 1, true
		}
	}
	n, ok := scoreWords[norm]
	return n, ok
}

// onSurvey reads an answer to the survey. At the score step anything but a
// score leaves the survey without a word and is read as a new conversation;
// at the comment step so does a command (menu, sair, atendente…).
func (t *turn) onSurvey() {
	in, ticket := t.in, t.s.Survey
	if t.s.Mode == ModeSurvey {
		score, ok := scoreOf(in)
		if !ok || ticket == 0 {
			t.leaveSurvey()
			return
		}
		t.effect(SurveyScore{TicketID: ticket, Score: score})
		t.s = Session{Mode: ModeSurveyComment, Survey: ticket}
		t.reply(choose(txtSurveyComment, []Option{{ID: idSkip, Number: "0", Title: optSkip}}))
		return
	}
	n := in.norm
	switch {
	case !in.textual() || strings.TrimSpace(in.text) == "":
		t.leaveSurvey()
	case in.replyID == idSkip || n == "0" || wordsSkip[n] || wordsThanks[n]:
		t.say(txtSurveyThanks)
		t.end()
	case in.replyID != "" || wordsMenu[n] || wordsExit[n] || wordsOptOut[n] || wordsHuman[n] || wordsBack[n]:
		t.leaveSurvey()
	default:
		t.effect(SurveyComment{TicketID: ticket, Text: in.text})
		t.say(txtSurveyThanks)
		t.end()
	}
}

// leaveSurvey drops the survey and reads the message as the first of a new
// conversation.
func (t *turn) leaveSurvey() {
	t.s = Session{}
	t.start()
}
