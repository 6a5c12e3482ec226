package views

import (
	"context"
	"strings"
	"testing"
)

// TestWAText: the phone shows WhatsApp's marks as formatting, and what the
// sender wrote never becomes HTML.
func TestWAText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Envie a *localização* agora", "Envie a <strong>localização</strong> agora"},
		{"_Para cancelar, envie *menu*._", "<em>Para cancelar, envie <strong>menu</strong>.</em>"},
		{"~antigo~ novo", "<s>antigo</s> novo"},
		{"nome_do_arquivo.pdf", "nome_do_arquivo.pdf"},
		{"<script>alert(1)</script> *<b>x</b>*", "&lt;script&gt;alert(1)&lt;/script&gt; <strong>&lt;b&gt;x&lt;/b&gt;</strong>"},
		{"2 * 3 * 4", "2 * 3 * 4"},
	}
	for _, c := range cases {
		var b strings.Builder
		if err := waText(c.in).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("waText(%q) = %q, want %q", c.in, b.String(), c.want)
		}
	}
}
