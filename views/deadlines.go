package views

import (
	"strconv"
	"strings"
)

// DeadlineItem is one deadline of a ticket as the ticket screen shows it.
type DeadlineItem struct {
	// Label names the deadline ("Resolução (Lei 13.460/2017)"…).
	Label string
	// When says it in words: "vence em 5 dias (12/12/2026 17:00)", "atrasado há 2 dias (…)".
	When    string
	Overdue bool
	// Extended says the deadline was extended already.
	Extended bool
	// Which is the form value of an extension the viewer may ask for ("" when none).
	Which string
	// ExtendLabel says by how much ("Prorrogar por 30 dias").
	ExtendLabel string
}

// DeadlinesView is the deadlines block of the ticket screen.
type DeadlinesView struct {
	Items []DeadlineItem
	// Paused says the clock is stopped ("" when it runs).
	Paused  string
	Overdue bool
	// Which, Error and Justification are the extension form sent back with its error.
	Which, Error, Justification string
}

// DeadlineRow is one ticket of the Prazos page.
type DeadlineRow struct {
	TicketID   int64
	Protocol   string
	Kind       string
	Status     string
	Group      string
	Department string
	Holder     string
	// Deadline names which deadline, When says it in words.
	Deadline, When string
	Overdue        bool
}

// DeadlinesPageView is the Prazos page of supervisors.
type DeadlinesPageView struct {
	Rows []DeadlineRow
	// Overdue and DueSoon count all the tickets, Shown how many rows are listed.
	Overdue, DueSoon, Shown int
}

// targetsSummary says a group's targets (business minutes) for the groups
// list: "1ª resposta 0,5 h · resolução 16 h", or "sem metas".
func targetsSummary(first, resolution int) string {
	hoursText := func(min int) string {
		return strings.ReplaceAll(strconv.FormatFloat(float64(min)/60, 'f', -1, 64), ".", ",") + " h"
	}
	var parts []string
	if first > 0 {
		parts = append(parts, "1ª resposta "+hoursText(first))
	}
	if resolution > 0 {
		parts = append(parts, "resolução "+hoursText(resolution))
	}
	if len(parts) == 0 {
		return "sem metas"
	}
	return strings.Join(parts, " · ")
}

// plural is "1 atrasado", "2 atrasados".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
