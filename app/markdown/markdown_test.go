package markdown_test

import (
	"strings"
	"testing"

	"balcao/app/markdown"
)

func TestWhatsApp(t *testing.T) {
	cases := []struct {
		name, md, want string
	}{
		{"bold", "**negrito** e __também__", "*negrito* e *também*"},
		{"italic", "*itálico* e _também_", "_itálico_ e _também_"},
		{"bold italic", "***os dois***", "_*os dois*_"},
		{"strike", "~~riscado~~", "~riscado~"},
		{"code span", "use `código`", "use ```código```"},
		{"spaces stay outside markers", "** espaço ** e a**b**c", "** espaço ** e a*b*c"},
		{"emphasis across lines", "**linha um\nlinha dois**", "*linha um*\n*linha dois*"},
		{"heading", "# Água e esgoto\n\nTexto", "*Água e esgoto*\n\nTexto"},
		{"heading level 3", "### Prazos", "*Prazos*"},
		{"paragraphs", "Um.\n\n\n\nDois.", "Um.\n\nDois."},
		{"soft break kept", "linha um\nlinha dois", "linha um\nlinha dois"},
		{"hard break", "um  \ndois\\\ntrês", "um\ndois\ntrês"},
		{"bullets", "- um\n- dois\n* três", "• um\n• dois\n\n• três"},
		{"ordered from 3", "3. três\n4. quatro", "3. três\n4. quatro"},
		{"nested list", "- a\n  - b\n  - c\n- d", "• a\n  • b\n  • c\n• d"},
		{"loose list", "1. um\n\n   mais\n2. dois", "1. um\n\n   mais\n\n2. dois"},
		{"task list", "- [x] feito\n- [ ] falta", "• ☑ feito\n• ☐ falta"},
		{"link", "[Portal](https://vv.sp.gov.br/servicos)", "Portal (https://vv.sp.gov.br/servicos)"},
		{"link named by its url", "[https://vv.sp.gov.br](https://vv.sp.gov.br)", "https://vv.sp.gov.br"},
		{"link named by its host", "[vv.sp.gov.br](https://vv.sp.gov.br)", "https://vv.sp.gov.br"},
		{"autolink", "<https://vv.sp.gov.br>", "https://vv.sp.gov.br"},
		{"bare url (linkify)", "veja www.vv.sp.gov.br hoje", "veja www.vv.sp.gov.br hoje"},
		{"mail link", "[fale conosco](mailto:ouvidoria@vv.sp.gov.br)", "fale conosco (ouvidoria@vv.sp.gov.br)"},
		{"image", "![mapa](https://x/m.png)", "mapa (https://x/m.png)"},
		{"bold link", "**[Portal](https://x)**", "*Portal (https://x)*"},
		{"inline html dropped", "a <b>b</b> <script>alert(1)</script> c", "a b alert(1) c"},
		{"html block dropped", "antes\n\n<div>\n<p>x</p>\n</div>\n\ndepois", "antes\n\ndepois"},
		{"entities and escapes", "R&amp;D &#233; \\*sem\\* &lt;tag&gt;", "R&D é *sem* <tag>"},
		{"quote", "> citação\n> dois", "> citação\n> dois"},
		{"rule", "a\n\n---\n\nb", "a\n\n———\n\nb"},
		{"fenced code", "```\nx := 1\n```", "```\nx := 1\n```"},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", "*a* | *b*\n1 | 2"},
		{"empty", "", ""},
		{"only spaces", "  \n\n  ", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := markdown.WhatsApp(c.md); got != c.want {
				t.Errorf("WhatsApp(%q)\n got %q\nwant %q", c.md, got, c.want)
			}
		})
	}
}

func TestPlain(t *testing.T) {
	cases := []struct{ md, want string }{
		{"Envie a **localização** ou o _endereço_", "Envie a localização ou o endereço"},
		{"# Título\n\n- `um`\n- ~~dois~~", "Título\n\n• um\n• dois"},
		{"[site](https://x)", "site (https://x)"},
	}
	for _, c := range cases {
		if got := markdown.Plain(c.md); got != c.want {
			t.Errorf("Plain(%q) = %q, want %q", c.md, got, c.want)
		}
	}
}

func TestHTML(t *testing.T) {
	cases := []struct {
		name, md    string
		contains    []string
		notContains []string
	}{
		{"formatting", "**a** *b* ~~c~~ `d`", []string{"<strong>a</strong>", "<em>b</em>", "<del>c</del>", "<code>d</code>"}, nil},
		{"external link", "[Portal](https://vv.sp.gov.br)",
			[]string{`href="https://vv.sp.gov.br"`, `rel="nofollow noopener"`, `target="_blank"`}, nil},
		{"relative link is nofollow, same tab", "[ajuda](/ajuda)", []string{`href="/ajuda"`, `rel="nofollow"`}, []string{"_blank"}},
		{"script removed", "oi <script>alert(1)</script>", nil, []string{"<script", "alert(1)</script>"}},
		{"javascript url removed", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"event handler removed", `<img src="x" onerror="alert(1)">`, nil, []string{"onerror"}},
		{"raw html not passed", "<iframe src=\"https://evil\"></iframe>", nil, []string{"<iframe"}},
		{"hard wraps as on WhatsApp", "um\ndois", []string{"um<br>"}, nil},
		{"table", "| a |\n|---|\n| 1 |", []string{"<table>", "<td>1</td>"}, nil},
		{"list", "- um\n- dois", []string{"<ul>", "<li>um</li>"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := markdown.HTML(c.md)
			for _, s := range c.contains {
				if !strings.Contains(got, s) {
					t.Errorf("HTML(%q) = %q, missing %q", c.md, got, s)
				}
			}
			for _, s := range c.notContains {
				if strings.Contains(got, s) {
					t.Errorf("HTML(%q) = %q, has %q", c.md, got, s)
				}
			}
		})
	}
}

func FuzzWhatsApp(f *testing.F) {
	for _, s := range []string{"**a**", "- [x] b\n  1. c", "| a |\n|-|\n| b |", "> *x*\n\n```\ny\n```", "<b>&amp;</b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = markdown.WhatsApp(s)
		_ = markdown.HTML(s)
	})
}
