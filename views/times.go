package views

import (
	"fmt"
	"time"
)

// brTime writes t as people in Brazil read it, in the server's time zone.
func brTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("02/01/2006 15:04:05")
}

// ago says how long ago t was, in pt-BR.
func ago(t time.Time) string { return "há " + humanDuration(time.Since(t)) }

// humanDuration writes d roughly, in pt-BR ("menos de 1 s", "3 s", "5 min", "2 h", "4 dias").
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return "menos de 1 s"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d dias", int(d/(24*time.Hour)))
}
