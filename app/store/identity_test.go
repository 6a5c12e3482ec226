package store_test

import (
	"testing"

	"balcao/app/store"
)

// The redactor hides every way the bot and the citizen wrote who they are,
// whole words only.
func TestRedactor(t *testing.T) {
	r := store.NewRedactor(store.Contact{WaID: "5514999990003", ProfileName: "ítalo 🙂", Name: "Maria da Silva", CPF: "529.982.247-25"})
	for _, c := range []struct{ in, want string }{
		{"Olá, Ítalo! 👋 Sou o assistente virtual.", "Olá, ▒! 👋 Sou o assistente virtual."},
		{"Sou Maria da Silva, moro na rua 7", "Sou ▒, moro na rua 7"},
		{"maria maria", "▒ ▒"},
		{"Mariana e Silvana", "Mariana e Silvana"},
		{"CPF 529.982.247-25 ou 52998224725", "CPF ▒ ou ▒"},
		{"ligue 14999990003 ou +5514999990003", "ligue ▒ ou +▒"},
		{"da", "da"},
	} {
		if got := r.Redact(c.in, "▒"); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := store.NewRedactor(store.Contact{WaID: store.AnonymousWaID}).Redact("anonimo", "▒"); got != "anonimo" {
		t.Errorf("the placeholder redacts %q", got)
	}
}
