package views

import "strconv"

// ConvItem is one conversation in the Atendimentos lists.
type ConvItem struct {
	TicketID int64
	Name     string
	Number   string
	Preview  string
	// PreviewOut is true when the last message was ours.
	PreviewOut bool
	// Waiting is how long the citizen has waited for an answer ("" when answered).
	Waiting string
	Unread  int
	// Overdue marks a ticket past a deadline (store.OverdueSQL).
	Overdue bool
}

// ConvLists are the two lists of Atendimentos.
type ConvLists struct {
	Waiting, Mine []ConvItem
	// Team is shown to supervisors only (nil for clerks).
	Team []TeamMember
}

// ChatView is an open conversation.
type ChatView struct {
	TicketID     int64
	Name, Number string
	StatusLabel  string
	AssigneeName string
	// Unheld: nobody holds it yet (Assumir is offered).
	Unheld bool
	// CanAct: the viewer holds it, or supervises.
	CanAct bool
	Closed bool
	// ClosedAt is when it was finished, formatted.
	ClosedAt   string
	WindowOpen bool
	// LastInbound is when the citizen last wrote, formatted ("" if never).
	LastInbound string
	// Template is the approved template offered when the window is closed.
	Template  string
	Reference string
	// StateKey changes whenever the actions area must be redrawn.
	StateKey string
	Messages []ChatMsg
	// Error and Notice are shown above the reply box after an action.
	Error, Notice string
	// Text is the draft kept after a refused send.
	Text string
	// Status is the ticket's status code; NextStatuses the ones the viewer may set.
	Status       string
	NextStatuses []Option
	// Groups are where the ticket may be forwarded; Agents who a supervisor may give it to.
	Groups, Agents []Option
	// HolderID is who holds the ticket now ("0": nobody), the basis of a transfer.
	HolderID string
	// Priority is the ticket's priority and Priorities the choices (none: may not change it).
	Priority   string
	Priorities []Option
	// Changes is the recorded history of the ticket.
	Changes []ChangeItem
	// Deadlines are the ticket's deadlines (SLA) and the extension forms.
	Deadlines DeadlinesView
	// QuickReplies are the respostas prontas for the ticket, filled in (Value) under their title (Label).
	QuickReplies []Option
	// Identity is "Sigilosa" or "Anônima" for a protected ticket ("" otherwise).
	Identity string
	// CanReveal offers an ouvidor "Ver identidade"; Revealed says this page
	// view shows the citizen (audited), so it must not refresh into a masked one.
	CanReveal, Revealed bool
	// NeedsResolution: the ticket has a kind, so closing it needs a resolution.
	NeedsResolution bool
	// Resolution is the draft kept after a refused close, ResolutionError why.
	Resolution, ResolutionError string
	// FinalResolution is the resolution the ticket was closed with.
	FinalResolution string
	// SurveyScore ("1"–"5", "" for none) and SurveyComment are the citizen's satisfaction answer.
	SurveyScore, SurveyComment string
}

// ChatMsg is one message of a conversation.
type ChatMsg struct {
	ID       int64
	Out      bool
	Author   string
	Time     string
	Body     string
	Kind     string
	MediaURL string
	Filename string
	// MapURL is an OpenStreetMap link for a shared location.
	MapURL string
	// Pending: media announced by WhatsApp but not downloaded yet.
	Pending bool
	// Tick, TickClass and TickTitle show the delivery status of an outbound message.
	Tick, TickClass, TickTitle string
	ErrorText                  string
	CanResend                  bool
	// Note: an internal note of the team, never sent to the citizen.
	Note bool
	// Protected: an answer that identifies the citizen of a protected ticket,
	// shown as "dado protegido".
	Protected bool
}

func (c ChatView) url(suffix string) string {
	return "/atendimentos/" + strconv.FormatInt(c.TicketID, 10) + suffix
}

func (c ChatView) event() string { return "sse:ticket-" + strconv.FormatInt(c.TicketID, 10) }

func convURL(id int64) string { return "/atendimentos/" + strconv.FormatInt(id, 10) }

func resendURL(c ChatView, m ChatMsg) string {
	return c.url("/mensagens/" + strconv.FormatInt(m.ID, 10) + "/reenviar")
}

// MayClose reports whether the status change offers closing the ticket
// (then it asks for the resolution too).
func (c ChatView) MayClose() bool {
	for _, o := range c.NextStatuses {
		if o.Value == "encerrado" {
			return true
		}
	}
	return false
}
