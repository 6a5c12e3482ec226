package bot

import (
	"strconv"
	"strings"
	"unicode"

	"balcao/app/words"
)

// maxQueryTerms bounds the words of one message the matcher looks at.
const maxQueryTerms = 8

// menuIndex finds menu options by the words a citizen types.
type menuIndex struct {
	vocab []string
	stems []string
	// post lists, for each vocabulary term, the nodes whose title or keywords use it.
	post map[string][]*Node
}

func newMenuIndex(m *Menu) *menuIndex {
	ix := &menuIndex{post: map[string][]*Node{}}
	if m == nil {
		return ix
	}
	for _, n := range m.nodes {
		if n.Parent == nil {
			continue // the root is never chosen by words
		}
		for _, phrase := range n.terms {
			for _, t := range phrase {
				list := ix.post[t]
				if len(list) == 0 {
					ix.vocab = append(ix.vocab, t)
					ix.stems = append(ix.stems, words.Stem(t))
				}
				if len(list) == 0 || list[len(list)-1] != n {
					ix.post[t] = append(list, n)
				}
			}
		}
	}
	return ix
}

// termMatches reports whether the citizen's word q stands for the menu's
// word v: the same word, the same stem, one a prefix of the other (four
// letters or more), or one typo apart (five letters or more).
func termMatches(q, qStem, v, vStem string) bool {
	switch {
	case q == v, qStem == vStem:
		return true
	case len(q) >= 4 && len(v) >= 4 && (strings.HasPrefix(v, q) || strings.HasPrefix(q, v)):
		return true
	case len(q) >= 5 && len(v) >= 5 && q[0] == v[0]:
		return words.Distance(q, v, 1) <= 1
	}
	return false
}

// candidate is a node some words of the message point to.
type candidate struct {
	node *Node
	// matched is a bit per query term that one of the node's words matches.
	matched, inTitle uint
	phrase           bool
	titleCover       float64
	// preferred marks an option of the menu on screen.
	preferred bool
}

func bits(x uint) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// find returns the node of the menu that the terms q point to, or nil when
// none is convincing or two are equally good; full reports that every term
// matched. Options of the menu prefer (the one on screen) win ties.
func (ix *menuIndex) find(q []string, prefer *Node) (n *Node, full bool) {
	if len(q) == 0 || ix == nil {
		return nil, false
	}
	if len(q) > maxQueryTerms {
		q = q[:maxQueryTerms]
	}
	// For each query term, the vocabulary terms it matches.
	hit := map[string]uint{}
	for i, t := range q {
		ts := words.Stem(t)
		for j, v := range ix.vocab {
			if termMatches(t, ts, v, ix.stems[j]) {
				hit[v] |= 1 << i
			}
		}
	}
	if len(hit) == 0 {
		return nil, false
	}
	cands := map[*Node]*candidate{}
	for v, mask := range hit {
		for _, n := range ix.post[v] {
			c := cands[n]
			if c == nil {
				c = &candidate{node: n, preferred: prefer != nil && n.Parent == prefer}
				cands[n] = c
			}
			c.matched |= mask
		}
	}
	var best, second *candidate
	for _, c := range cands {
		c.score(hit)
		if !c.accepted(len(q)) {
			continue
		}
		switch {
		case best == nil || c.better(best):
			best, second = c, best
		case second == nil || c.better(second):
			second = c
		}
	}
	if best == nil || (second != nil && !best.better(second)) {
		return nil, false
	}
	return best.node, bits(best.matched) == len(q)
}

// score fills the title and phrase facts of c.
func (c *candidate) score(hit map[string]uint) {
	for pi, phrase := range c.node.terms {
		all := true
		covered := 0
		for _, t := range phrase {
			if mask, ok := hit[t]; ok {
				covered++
				if pi == 0 {
					c.inTitle |= mask
				}
			} else {
				all = false
			}
		}
		if all {
			c.phrase = true
		}
		if pi == 0 && len(phrase) > 0 {
			c.titleCover = float64(covered) / float64(len(phrase))
		}
	}
}

// accepted: every word of the message found, or most of them with a whole
// title or keyword phrase among them.
func (c *candidate) accepted(terms int) bool {
	m := bits(c.matched)
	cover := float64(m) / float64(terms)
	return cover == 1 || (m >= 2 && (c.phrase || cover >= 0.6))
}

func (c *candidate) better(o *candidate) bool {
	if a, b := bits(c.matched), bits(o.matched); a != b {
		return a > b
	}
	if c.phrase != o.phrase {
		return c.phrase
	}
	if a, b := bits(c.inTitle), bits(o.inTitle); a != b {
		return a > b
	}
	if c.titleCover != o.titleCover {
		return c.titleCover > o.titleCover
	}
	if c.preferred != o.preferred {
		return c.preferred
	}
	return c.node.depth < o.node.depth
}

// parseNumber reads a message that is just an option number: "2", "2.",
// "2)", "opção 2", "2️⃣". It reports false for anything else.
func parseNumber(folded string) (int, bool) {
	s := strings.TrimSpace(folded)
	for _, p := range []string{"opcao", "opc", "numero", "num", "n."} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\uFE0F', '\u20E3', '.', ')', '-', '#', ' ', 'º', '°', ':':
			return -1
		}
		return r
	}, s)
	if s == "" || len(s) > 2 {
		return 0, false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) || r > unicode.MaxASCII {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// Word lists the engine recognises in any step (folded, whole message).
var (
	wordsMenu = set("menu", "menu principal", "inicio", "comecar", "recomecar", "voltar ao menu",
		"voltar ao inicio", "cancelar", "principal")
	wordsBack  = set("voltar", "volta", "anterior", "retornar")
	wordsExit  = set("sair", "encerrar", "finalizar", "tchau", "fim", "ate logo", "ate mais")
	wordsHuman = set("atendente", "falar com atendente", "falar com um atendente", "humano",
		"atendimento humano", "falar com uma pessoa", "quero um atendente", "quero falar com atendente",
		"quero falar com um atendente", "pessoa")
	wordsOptOut = set("parar", "pare", "stop", "sair da lista", "descadastrar", "nao quero mais receber",
		"nao quero receber mensagens", "nao quero mais mensagens", "cancelar inscricao", "remover da lista",
		"parar de receber", "parar mensagens", "parar de receber mensagens", "nao receber mais", "nao quero receber")
	wordsGreeting = set("oi", "ola", "opa", "oie", "bom dia", "boa tarde", "boa noite", "oi bom dia",
		"oi boa tarde", "oi boa noite", "ola bom dia", "ola boa tarde", "ola boa noite", "e ai", "eai", "alo",
		"hello", "hi", "oi tudo bem", "ola tudo bem", "tudo bem", "oii", "oiii")
	wordsThanks = set("obrigado", "obrigada", "obg", "brigado", "brigada", "valeu", "vlw", "muito obrigado",
		"muito obrigada", "agradeco", "obrigado pela ajuda", "obrigada pela ajuda")
	wordsYes  = set("sim", "s", "ss", "isso", "claro", "resolveu", "ajudou", "ok", "certo", "pode", "quero", "yes", "continuar", "continuo")
	wordsNo   = set("nao", "n", "nao resolveu", "nao ajudou", "negativo", "no")
	wordsSkip = set("pular", "pula", "nao tenho", "sem foto", "nao", "n", "nenhum", "nenhuma", "sem")
	// humanTerms, anywhere in a message outside a free-text field, ask for a person.
	humanTerms = set("atendente", "atendentes", "humano")
)

func set(list ...string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, w := range list {
		m[w] = true
	}
	return m
}

// normalize folds a message for the word lists: lower case, no accents,
// punctuation and emoji as spaces, single spaces.
func normalize(s string) string {
	return strings.Join(words.Tokens(s), " ")
}

// yesNo reads a yes or a no in a message (words or emoji): +1, -1, or 0.
func yesNo(norm, raw string) int {
	switch {
	case wordsYes[norm]:
		return 1
	case wordsNo[norm]:
		return -1
	}
	first, _, _ := strings.Cut(norm, " ")
	switch first {
	case "sim":
		return 1
	case "nao":
		return -1
	}
	if norm == "" {
		for _, e := range []string{"👍", "👌", "❤", "🙏", "✅", "😊", "🙂", "😀", "👏"} {
			if strings.Contains(raw, e) {
				return 1
			}
		}
		for _, e := range []string{"👎", "❌", "😞", "😡", "😠", "☹", "🙁"} {
			if strings.Contains(raw, e) {
				return -1
			}
		}
	}
	return 0
}
