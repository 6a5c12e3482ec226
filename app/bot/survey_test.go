package bot_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"balcao/app/bot"
)

// TestSurvey drives the satisfaction survey of ticket 7 from the question
// on: each step is an input, the effects wanted and a piece of the reply.
func TestSurvey(t *testing.T) {
	type step struct {
		in      bot.Input
		effects []string
		says    string
	}
	score := []string{"SurveyScore"}
	comment := []string{"SurveyComment", "EndConversation"}
	end := []string{"EndConversation"}
	tests := []struct {
		name  string
		later time.Duration // between the question and the first answer
		steps []step
		score int
		text  string
	}{
		{name: "digit then comment", steps: []step{
			{txt("4"), score, "Quer deixar um comentário?"},
			{txt("Rua limpa, obrigado"), comment, "Obrigado pela sua avaliação"},
		}, score: 4, text: "Rua limpa, obrigado"},
		{name: "tap then 0", steps: []step{
			{tap("5 - Ótimo"), score, "envie *0* para pular"},
			{txt("0"), end, "Obrigado pela sua avaliação"},
		}, score: 5},
		{name: "word then the skip button", steps: []step{
			{txt("Ruim"), score, "comentário"},
			{tap("Pular"), end, "Obrigado"},
		}, score: 2},
		{name: "the row's title typed", steps: []step{{txt("1 - muito ruim"), score, "comentário"}}, score: 1},
		{name: "a comment naming the clerk is a comment", steps: []step{
			{txt("3"), score, "comentário"},
			{txt("o atendente demorou mas resolveu"), comment, "Obrigado"},
		}, score: 3, text: "o atendente demorou mas resolveu"},
		{name: "asking for a clerk at the comment step", steps: []step{
			{txt("2"), score, "comentário"},
			{txt("atendente"), []string{"OpenTicket", "HandToHuman", "EndConversation"}, ""},
		}, score: 2},
		{name: "menu leaves the survey", steps: []step{{txt("menu"), nil, "Água e esgoto"}}},
		{name: "a new question leaves the survey", steps: []step{{txt("segunda via da conta de água"), nil, ""}}},
		{name: "a score out of range is not one", steps: []step{{txt("7"), nil, ""}}},
		{name: "a photo leaves the survey", steps: []step{{photo(""), nil, ""}}},
		{name: "the survey lapses with the idle timeout", later: bot.DefaultIdleTimeout + time.Minute,
			steps: []step{{txt("4"), nil, ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newTestEngine(t, nil)
			c := newConvo(t, e)
			c.s = bot.SurveySession(7, c.now)
			c.last = bot.Decision{Replies: []bot.Reply{bot.SurveyQuestion("2026 000007-1")}}
			c.now = c.now.Add(tc.later)
			var gotScore int
			var gotText string
			for i, st := range tc.steps {
				d := c.send(st.in)
				if names := effectNames(d); !slices.Equal(names, st.effects) {
					t.Fatalf("step %d: effects %v, want %v\n%s", i, names, st.effects, transcript(d))
				}
				if !strings.Contains(transcript(d), st.says) {
					t.Errorf("step %d: reply lacks %q:\n%s", i, st.says, transcript(d))
				}
				for _, fx := range d.Effects {
					switch fx := fx.(type) {
					case bot.SurveyScore:
						if fx.TicketID != 7 {
							t.Errorf("score of ticket %d", fx.TicketID)
						}
						gotScore = fx.Score
					case bot.SurveyComment:
						if fx.TicketID != 7 {
							t.Errorf("comment of ticket %d", fx.TicketID)
						}
						gotText = fx.Text
					}
				}
				if st.effects == nil && (d.Session.Mode == bot.ModeSurvey || d.Session.Mode == bot.ModeSurveyComment) {
					t.Errorf("step %d: still in the survey (%s)", i, d.Session.Mode)
				}
			}
			if gotScore != tc.score || gotText != tc.text {
				t.Errorf("recorded score %d comment %q, want %d %q", gotScore, gotText, tc.score, tc.text)
			}
		})
	}
}

// The question is a list of the five scores that fits WhatsApp's limits.
func TestSurveyQuestion(t *testing.T) {
	r := bot.SurveyQuestion("2026 000123-4")
	if r.Form != bot.FormList || len(r.Options) != 5 || !strings.Contains(r.Text, "protocolo 2026 000123-4") {
		t.Fatalf("question %+v", r)
	}
	for _, o := range r.Options {
		if len([]rune(o.Title)) > 24 || o.ID == "" {
			t.Errorf("row %+v does not fit a list", o)
		}
	}
}
