package views

// Option is one choice of a select.
type Option struct{ Value, Label string }

// AgentStatus is the viewer's own status as the status control shows it.
type AgentStatus struct {
	Status, Label, Reason string
}

// TeamMember is one clerk as supervisors see the team.
type TeamMember struct {
	Name        string
	Status      string
	StatusLabel string
	Reason      string
	// Since is when the status was set, formatted.
	Since string
	// Open is how many chats the clerk has in service.
	Open int
}

// ChangeItem is one recorded change of a ticket (status, assignment, forward, note).
type ChangeItem struct {
	Time, Who, Text, Comment string
	// Note: an internal note; Public: a comment the citizen was sent.
	Note, Public bool
}

// agentStatuses are the choices of the status control.
var agentStatuses = []Option{{"online", "Disponível"}, {"pausado", "Pausado"}, {"offline", "Offline"}}
