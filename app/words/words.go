// Package words reads Brazilian Portuguese the way citizens type it on a
// phone: without accents, in any case, with filler words ("quero", "minha").
// The bot matches options with it and the store builds knowledge-base
// searches with it, so both agree on what a word is.
package words

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// folds maps accented Latin letters to their base letter (after lower-casing).
var folds = map[rune]rune{
	'á': 'a', 'à': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a', 'ª': 'a',
	'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
	'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i',
	'ó': 'o', 'ò': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'º': 'o',
	'ú': 'u', 'ù': 'u', 'û': 'u', 'ü': 'u',
	'ç': 'c', 'ñ': 'n', 'ý': 'y', 'ÿ': 'y',
}

// Fold lower-cases s and removes accents and combining marks: "Água" → "agua".
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if f, ok := folds[r]; ok {
			r = f
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Tokens splits s into folded words: runs of letters and digits. Everything
// else (punctuation, emoji, FTS syntax) separates words.
func Tokens(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// stopWords are folded words that say nothing about the subject of a message.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`
		a o e as os um uma uns umas de da do das dos em no na nos nas ao aos à às
		para pra pro pras pros por pelo pela pelos pelas com sem sobre ate
		que quero queria quer gostaria preciso precisava precisando desejo poderia
		minha meu minhas meus sua seu suas seus nossa nosso eu me mim voce vc voces
		se como qual quais onde quando porque pq por quem isso esse essa este esta isto
		aqui ai la ja nao sim mais muito muita bem so tambem entao mas ou
		oi ola opa ei bom boa dia tarde noite tudo td favor obrigado obrigada
		ter tem tenho tinha fazer faco fiz pode posso consigo saber sei ser foi sou estou
		ta esta estao estava vai vou
	`) {
		stopWords[Fold(w)] = true
	}
}

// IsStopWord reports whether the folded word t carries no subject.
func IsStopWord(t string) bool { return stopWords[t] }

// Terms returns the words of s that carry meaning: folded, without stop words,
// without one-letter words (except digits), each once, in order.
func Terms(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range Tokens(s) {
		if stopWords[t] || seen[t] || (len(t) == 1 && !unicode.IsDigit(rune(t[0]))) {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// Stem cuts a folded word to a stem that its plural and gender variants share,
// for prefix searches: "ligacoes" and "ligacao" → "ligac", "lampadas" →
// "lampad", "queimado" → "queimad". It is deliberately light: a stem that is
// too short would match unrelated words.
func Stem(t string) string {
	n := len(t)
	switch {
	case n > 5 && (strings.HasSuffix(t, "oes") || strings.HasSuffix(t, "aes")):
		t = t[:n-3]
	case n > 5 && strings.HasSuffix(t, "cao"):
		t = t[:n-2]
	case n > 4 && (strings.HasSuffix(t, "ais") || strings.HasSuffix(t, "eis") || strings.HasSuffix(t, "ois")):
		t = t[:n-2]
	case n > 3 && strings.HasSuffix(t, "s") && !strings.HasSuffix(t, "ss"):
		t = t[:n-1]
	}
	if n = len(t); n >= 6 && strings.ContainsRune("aeo", rune(t[n-1])) {
		t = t[:n-1]
	}
	return t
}

// Distance is the Levenshtein distance between a and b (bytes of folded
// words), or limit+1 as soon as it is known to exceed limit.
func Distance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
