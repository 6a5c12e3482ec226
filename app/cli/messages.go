package cli

import (
	"fmt"
	"io"
)

// The commands IT staff run on the server (check, backup, restore) speak
// Portuguese first and English second: the people who keep balcao alive
// are in Brazil, the searches they make about an error are often in English.

// bilingualError is an error for a person, in both languages.
type bilingualError struct {
	pt, en string
	err    error // the technical cause, if any
}

func (e *bilingualError) Error() string {
	s := e.pt + "\n       " + e.en
	if e.err != nil {
		s += "\n       (" + e.err.Error() + ")"
	}
	return s
}

func (e *bilingualError) Unwrap() error { return e.err }

// errBoth builds a bilingualError; cause may be nil.
func errBoth(pt, en string, cause error) error { return &bilingualError{pt: pt, en: en, err: cause} }

// Levels of a line of `balcao check`.
const (
	levelOK    = "[ OK ]"
	levelWarn  = "[AVISO/WARN]"
	levelError = "[ERRO/ERROR]"
)

// say writes one finding in both languages, the English line indented under
// the Portuguese one.
func say(w io.Writer, level, pt, en string) {
	fmt.Fprintf(w, "%-12s %s\n", level, pt)
	fmt.Fprintf(w, "%-12s %s\n", "", en)
}

// errDataInUse says that another balcao process holds the data folder.
func errDataInUse(dir string) error {
	return errBoth(
		"outro processo do balcão está usando a pasta de dados "+dir+": pare-o antes (systemctl stop balcao).",
		"another balcao process is using the data folder "+dir+": stop it first (systemctl stop balcao).", nil)
}
