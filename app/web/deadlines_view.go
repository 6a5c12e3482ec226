package web

import (
	"fmt"
	"time"

	"balcao/app/hours"
	"balcao/app/store"
	"balcao/views"
)

// Everything a clerk reads in this file is pt-BR.

// Names of the deadlines.
const (
	labelResponseDue = "Primeira resposta"
	labelDeptDue     = "Resposta da secretaria (prazo interno)"
)

// resolutionLabel names the resolution deadline of a ticket of kind.
func resolutionLabel(kind string) string {
	switch kind {
	case "":
		return "Resolução (meta do grupo)"
	case "informacao":
		return "Resposta (Lei 12.527/2011)"
	}
	return "Resposta conclusiva (Lei 13.460/2017)"
}

// dateLabel is a moment in the city's time as "12/12/2026 17:00".
func dateLabel(ms int64) string {
	return time.UnixMilli(ms).In(hours.SaoPaulo()).Format("02/01/2006 15:04")
}

// spanWords says a length of time roughly: "20 min", "3 h", "1 dia", "5 dias".
func spanWords(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", max(1, int(d.Minutes())))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d dias", int(d.Hours()/24))
}

// deadlineWhen says when a deadline due falls, from now or, for a stopped
// clock, from when it stopped: "vence em 5 dias (12/12/2026 17:00)",
// "atrasado há 2 dias (…)", "faltavam 3 dias quando o prazo foi suspenso".
func deadlineWhen(due, now, pausedAt int64) string {
	if pausedAt != 0 {
		if left := time.Duration(due-pausedAt) * time.Millisecond; left > 0 {
			return "faltavam " + spanWords(left) + " quando o prazo foi suspenso"
		}
		return "já estava atrasado há " + spanWords(time.Duration(pausedAt-due)*time.Millisecond) + " quando o prazo foi suspenso"
	}
	if due >= now {
		return "vence em " + spanWords(time.Duration(due-now)*time.Millisecond) + " (" + dateLabel(due) + ")"
	}
	return "atrasado há " + spanWords(time.Duration(now-due)*time.Millisecond) + " (venceu em " + dateLabel(due) + ")"
}

// deadlinesView is the deadlines block of an open ticket; canAct says the
// viewer may extend them (its holder or a supervisor).
func deadlinesView(d store.TicketDeadlines, now int64, canAct bool) views.DeadlinesView {
	var v views.DeadlinesView
	if d.Status == store.TicketClosed {
		return v
	}
	v.Overdue = d.Overdue(now)
	if d.PausedAt != 0 {
		v.Paused = "Prazo suspenso: aguardando o cidadão desde " + dateLabel(d.PausedAt) + ". Os prazos voltam a correr, acrescidos do tempo de espera, quando ele responder."
	}
	late := func(due int64) bool { return d.PausedAt == 0 && due < now }
	if d.ResponseDueAt != 0 {
		it := views.DeadlineItem{Label: labelResponseDue}
		switch {
		case d.FirstResponseAt > d.ResponseDueAt:
			it.When = "respondido com atraso em " + dateLabel(d.FirstResponseAt)
		case d.FirstResponseAt != 0:
			it.When = "respondido em " + dateLabel(d.FirstResponseAt)
		default:
			it.When, it.Overdue = deadlineWhen(d.ResponseDueAt, now, d.PausedAt), late(d.ResponseDueAt)
		}
		v.Items = append(v.Items, it)
	}
	add := func(label, which, what string, due int64, extended bool) {
		it := views.DeadlineItem{Label: label, When: deadlineWhen(due, now, d.PausedAt), Overdue: late(due), Extended: extended}
		if canAct && d.CanExtend(which) {
			it.Which, it.ExtendLabel = which, fmt.Sprintf("Prorrogar %s por %d dias", what, d.ExtensionDays(which))
		}
		v.Items = append(v.Items, it)
	}
	if d.DueAt != 0 {
		add(resolutionLabel(d.Kind), store.DeadlineResolution, "o prazo de resposta", d.DueAt, d.Extended)
	}
	if d.DeptDueAt != 0 {
		add(labelDeptDue, store.DeadlineDept, "o prazo da secretaria", d.DeptDueAt, d.DeptExtended)
	}
	return v
}
