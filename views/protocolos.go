package views

import (
	"net/url"
	"strconv"
)

// ProtocolosView is the Protocolos page: the filters as typed, the choices of
// each select, one page of results.
type ProtocolosView struct {
	// Filter holds the query string as submitted (field names are the URL's).
	Filter      url.Values
	Kinds       []Choice
	Statuses    []Choice
	Groups      []Choice
	Departments []Choice
	Assignees   []Choice
	Sorts       []Choice
	// Problem is a pt-BR message about the filters (a wrong check digit…); no
	// results are shown with it.
	Problem string
	Rows    []ProtocolRow
	// NextURL is the next page ("" on the last one); FirstURL is page 1 when
	// this is a later page.
	NextURL  string
	FirstURL string
}

// ProtocolRow is one ticket of the results, already in pt-BR.
type ProtocolRow struct {
	URL      string
	Protocol string
	Kind     string
	Status   string
	Subject  string
	Group    string
	Assignee string
	// Contact is the citizen's name or number, or "Manifestante protegido" /
	// "Manifestante anônimo" for a protected ticket.
	Contact string
	// Identity is "Sigilosa" or "Anônima" for a protected ticket.
	Identity   string
	ContactURL string
	Phone      string
	Created    string
	// Closed is when it was closed ("" while open); the Contato page shows it.
	Closed string
	Age    string
	// Overdue marks a ticket past a deadline (store.OverdueSQL).
	Overdue bool
}

// ContatoView is the Contato page.
type ContatoView struct {
	WaID        string
	ProfileName string
	Name        string
	CPF         string
	OptedOut    bool
	Since       string
	Answers     []ContatoAnswer
	Tickets     []ProtocolRow
}

// ContatoAnswer is one thing the citizen told the bot.
type ContatoAnswer struct {
	Label, Value, When string
}

// ContatoURL is the page of contact id.
func ContatoURL(id int64) string { return "/contatos/" + strconv.FormatInt(id, 10) }

func selectedIn(v url.Values, field, value string) bool { return v.Get(field) == value }
