package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"balcao/app/bot"
)

var fuzzTypes = []string{bot.TypeText, bot.TypeInteractive, bot.TypeButton, bot.TypeImage, bot.TypeDocument,
	bot.TypeVideo, bot.TypeAudio, bot.TypeSticker, bot.TypeLocation, bot.TypeReaction, bot.TypeContacts,
	"unsupported", "", "system", "order"}

var fuzzModes = []bot.Mode{bot.ModeNew, bot.ModeMenu, bot.ModeOffers, bot.ModeFeedback, bot.ModeOfferHelp,
	bot.ModeField, bot.ModeLookup, bot.ModeResume, bot.ModeEnded, "nonsense"}

// FuzzDecide drives the engine from any session with any two messages: it
// must never panic, always answer (a removed reaction aside), and keep every
// reply within the Cloud API's limits.
func FuzzDecide(f *testing.F) {
	seeds := []struct {
		mode          uint8
		node          int64
		step          int
		answers       uint8
		typ1, typ2    uint8
		text1, text2  string
		reply1        string
		minutes, fail int
	}{
		{0, 0, 0, 0, 0, 0, "oi", "1", "", 1, 0},
		{1, 1, 0, 0, 0, 1, "segunda via", "Sim", "", 1, 0},
		{5, 12, 1, 1, 3, 0, "", "pular", "", 45, 0},
		{5, 13, 0, 0, 0, 0, "1", "descrição longa " + strings.Repeat("á", 5000), "", 1, 2},
		{6, 25, 0, 0, 0, 0, "2026 000123-4", "0", "", 1, 3},
		{2, 2, 0, 0, 1, 0, "x", "9", "a:3", 1, 0},
		{3, 2, 0, 0, 9, 9, "👍", "", "", 1, 0},
		{7, 12, 2, 2, 8, 0, "", "2", "", 120, 0},
		{1, 1, 0, 0, 1, 1, "", "", "n:999", 1, 0},
		{1, 9, 0, 0, 0, 0, "\x00\xff\xfe", "1️⃣", "opt:-1", 1, 0},
		{4, 1, 0, 0, 0, 0, "atendente", "parar", "human", 1, 5},
	}
	for _, s := range seeds {
		f.Add(s.mode, s.node, s.step, s.answers, s.typ1, s.typ2, s.text1, s.text2, s.reply1, s.minutes, s.fail)
	}
	e, _ := newTestEngine(f, fakeGroups{testGroups[bot.GroupGeneral]: {Open: false, Hours: "seg a sex", Next: "amanhã"}})
	f.Fuzz(func(t *testing.T, mode uint8, node int64, step int, answers, typ1, typ2 uint8, text1, text2, reply1 string, minutes, fail int) {
		s := bot.Session{Node: node, Mode: fuzzModes[int(mode)%len(fuzzModes)], Step: step, Failures: fail,
			Article: node, Offers: []int64{node, 1, 2}, LastActivity: testStart.UnixMilli()}
		for i := range int(answers % 5) {
			s.Answers = append(s.Answers, bot.Answer{Key: "k", Value: strings.Repeat("v", i)})
		}
		now := testStart.Add(time.Duration(minutes%100_000) * time.Minute)
		for i, in := range []bot.Input{fuzzInput(typ1, text1, reply1), fuzzInput(typ2, text2, "")} {
			in.Now = now.Add(time.Duration(i) * time.Second)
			in.ProfileName = text2
			d := e.Decide(context.Background(), s, in)
			checkDecision(t, in, d)
			s = d.Session
		}
	})
}

func fuzzInput(typ uint8, text, reply string) bot.Input {
	in := bot.Input{Type: fuzzTypes[int(typ)%len(fuzzTypes)], Text: text, ReplyID: reply}
	switch in.Type {
	case bot.TypeLocation:
		if typ%2 == 0 {
			in.Location = &bot.Location{Latitude: -20.8, Longitude: -49.3, Address: text}
		}
	case bot.TypeImage, bot.TypeDocument, bot.TypeVideo, bot.TypeSticker, bot.TypeAudio:
		in.MediaID = "m" + reply
	}
	return in
}
