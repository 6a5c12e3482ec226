package markdown

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// WhatsApp markers (https://faq.whatsapp.com/539178204879377).
const (
	waBold   = "*"
	waItalic = "_"
	waStrike = "~"
	waMono   = "```"
	waBullet = "• "
	waRule   = "———"
	waQuote  = "> "
)

// WhatsApp converts md to the text WhatsApp shows with its own formatting:
// **bold** → *bold*, *italic* → _italic_, ~~strike~~ → ~strike~, `code` →
// ```code```, headings → *heading*, lists → "• item" / "1. item", links →
// "text (url)" (the bare url when the text is the url), images → "alt (url)",
// tables → one line per row with cells separated by " | ". Paragraphs are
// separated by a blank line; raw HTML is dropped.
func WhatsApp(src string) string { return render(src, false) }

// Plain converts md to text without any formatting markers, laid out as
// WhatsApp does it (lists, links as "text (url)"), for labels and previews.
func Plain(src string) string { return render(src, true) }

func render(src string, plain bool) string {
	source := []byte(src)
	doc := md.Parser().Parse(text.NewReader(source))
	w := waWriter{src: source, plain: plain}
	out := strings.Join(w.blocks(doc), "\n\n")
	return strings.TrimSpace(collapseBlankLines(out))
}

// waWriter renders one document; src is the Markdown the AST points into.
// plain drops the formatting markers.
type waWriter struct {
	src   []byte
	plain bool
}

// wrap is wrap with no marker in plain mode.
func (w waWriter) wrap(s, marker string) string {
	if w.plain {
		return s
	}
	return wrap(s, marker)
}

// blocks renders the block children of parent, one string per block.
func (w waWriter) blocks(parent ast.Node) []string {
	var out []string
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		if s := w.block(n); strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func (w waWriter) block(n ast.Node) string {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		return w.inlines(n)
	case *ast.Heading:
		return w.wrap(w.inlines(n), waBold)
	case *ast.ThematicBreak:
		return waRule
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		if w.plain {
			return strings.TrimRight(w.lines(n), "\n")
		}
		return waMono + "\n" + strings.TrimRight(w.lines(n), "\n") + "\n" + waMono
	case *ast.Blockquote:
		return prefixLines(strings.Join(w.blocks(n), "\n\n"), waQuote, waQuote)
	case *ast.List:
		return w.list(n)
	case *ast.HTMLBlock:
		return ""
	case *east.Table:
		return w.table(n)
	}
	return strings.Join(w.blocks(n), "\n\n")
}

// lines is the raw text of a code block.
func (w waWriter) lines(n ast.Node) string {
	var b strings.Builder
	segs := n.Lines()
	for i := range segs.Len() {
		seg := segs.At(i)
		b.Write(seg.Value(w.src))
	}
	return b.String()
}

func (w waWriter) list(l *ast.List) string {
	sep := "\n"
	if !l.IsTight {
		sep = "\n\n"
	}
	var items []string
	number := l.Start
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		marker := waBullet
		if l.IsOrdered() {
			marker = strconv.Itoa(number) + ". "
			number++
		}
		body := strings.Join(w.blocks(item), sep)
		indent := strings.Repeat(" ", utf8.RuneCountInString(marker))
		items = append(items, prefixLines(body, marker, indent))
	}
	return strings.Join(items, sep)
}

func (w waWriter) table(t *east.Table) string {
	var rows []string
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		_, header := r.(*east.TableHeader)
		var cells []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			cell := strings.TrimSpace(w.inlines(c))
			if header {
				cell = w.wrap(cell, waBold)
			}
			cells = append(cells, cell)
		}
		rows = append(rows, strings.Join(cells, " | "))
	}
	return strings.Join(rows, "\n")
}

// inlines renders the inline children of n.
func (w waWriter) inlines(n ast.Node) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		w.inline(&b, c)
	}
	return b.String()
}

func (w waWriter) inline(b *strings.Builder, n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		b.WriteString(w.textValue(n.Value(w.src), n.IsRaw()))
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte('\n')
		}
	case *ast.String:
		b.WriteString(w.textValue(n.Value, n.IsRaw() || n.IsCode()))
	case *ast.Emphasis:
		marker := waItalic
		if n.Level >= 2 {
			marker = waBold
		}
		b.WriteString(w.wrap(w.inlines(n), marker))
	case *east.Strikethrough:
		b.WriteString(w.wrap(w.inlines(n), waStrike))
	case *ast.CodeSpan:
		code := strings.TrimSpace(strings.ReplaceAll(w.rawInlines(n), "\n", " "))
		if code != "" && w.plain {
			b.WriteString(code)
		} else if code != "" {
			b.WriteString(waMono + code + waMono)
		}
	case *ast.Link:
		b.WriteString(linkText(strings.TrimSpace(w.inlines(n)), string(n.Destination)))
	case *ast.AutoLink:
		b.WriteString(string(n.Label(w.src)))
	case *ast.Image:
		b.WriteString(linkText(strings.TrimSpace(w.inlines(n)), string(n.Destination)))
	case *ast.RawHTML:
		// dropped: WhatsApp would show the tags as text
	case *east.TaskCheckBox:
		if n.IsChecked {
			b.WriteString("☑ ")
		} else {
			b.WriteString("☐ ")
		}
	default:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			w.inline(b, c)
		}
	}
}

// rawInlines is the source text of a code span, without unescaping.
func (w waWriter) rawInlines(n ast.Node) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Value(w.src))
		case *ast.String:
			b.Write(c.Value)
		}
	}
	return b.String()
}

// textValue resolves backslash escapes and character references, as an HTML
// renderer would, unless the text is raw.
func (w waWriter) textValue(v []byte, raw bool) string {
	if raw {
		return string(v)
	}
	return string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v))))
}

// linkText shows a link as "text (url)", or just the url when the text says
// the same (or says nothing).
func linkText(label, dest string) string {
	bare := strings.TrimPrefix(dest, "mailto:")
	switch {
	case dest == "":
		return label
	case label == "", label == dest, label == bare,
		strings.TrimPrefix(strings.TrimPrefix(dest, "https://"), "http://") == label:
		return bare
	}
	return label + " (" + bare + ")"
}

// wrap surrounds s with marker line by line, keeping whitespace outside the
// markers: WhatsApp only formats "*word*", never "* word *", and never across
// a line break.
func wrap(s, marker string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		core := strings.TrimFunc(line, unicode.IsSpace)
		if core == "" {
			continue
		}
		start := len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
		lines[i] = line[:start] + marker + core + marker + line[start+len(core):]
	}
	return strings.Join(lines, "\n")
}

// prefixLines puts first before the first line of s and rest before the others
// (blank lines stay blank).
func prefixLines(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		p := rest
		if i == 0 {
			p = first
		}
		if line == "" && i > 0 {
			lines[i] = strings.TrimRight(p, " ")
			continue
		}
		lines[i] = p + line
	}
	return strings.Join(lines, "\n")
}

// collapseBlankLines leaves at most one blank line between paragraphs and no
// trailing spaces.
func collapseBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, line := range lines {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			if blank++; blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
