package views

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
