package words_test

import (
	"slices"
	"testing"

	"balcao/app/words"
)

func TestFold(t *testing.T) {
	cases := map[string]string{
		"Água":               "agua",
		"RELIGAÇÃO":          "religacao",
		"Iluminação Pública": "iluminacao publica",
		"já ñ":               "ja n",
		"plain":              "plain",
		"a\u0301gua":         "agua", // combining acute accent
		"2ª via":             "2a via",
	}
	for in, want := range cases {
		if got := words.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTerms(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Quero a 2ª via da minha conta de água!!", []string{"2a", "via", "conta", "agua"}},
		{"segunda-via", []string{"segunda", "via"}},
		{"oi, bom dia", nil},
		{`"lâmpada" OR queimada* NEAR(x)`, []string{"lampada", "or", "queimada", "near", "x"}[:4]},
		{"😀👍", nil},
		{"a b c 1", []string{"1"}},
		{"via via VIA", []string{"via"}},
	}
	for _, c := range cases {
		if got := words.Terms(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Terms(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestStem(t *testing.T) {
	cases := map[string]string{
		"ligacoes":  "ligac",
		"ligacao":   "ligac",
		"religacao": "religac",
		"lampadas":  "lampad",
		"lampada":   "lampad",
		"queimado":  "queimad",
		"agua":      "agua",
		"aguas":     "agua",
		"papeis":    "pape",
		"animais":   "anima",
		"rua":       "rua",
		"ruas":      "rua",
		"vazamento": "vazament",
		"via":       "via",
		"processo":  "process",
	}
	for in, want := range cases {
		if got := words.Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDistance(t *testing.T) {
	cases := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"segunda", "segunda", 1, 0},
		{"sugunda", "segunda", 1, 1},
		{"segnda", "segunda", 1, 1},
		{"segundaa", "segunda", 1, 1},
		{"sgnda", "segunda", 1, 2},
		{"abc", "xyz", 5, 3},
		{"", "abc", 5, 3},
	}
	for _, c := range cases {
		if got := words.Distance(c.a, c.b, c.limit); got != c.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}
