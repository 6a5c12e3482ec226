package views

// PainelView is the Painel do supervisor, every figure already in words.
type PainelView struct {
	// UpdatedAt is the São Paulo time the figures were read ("14:05:09").
	UpdatedAt string
	Clerks    []PainelClerk
	Groups    []PainelGroup
}

// PainelClerk is one clerk's line.
type PainelClerk struct {
	Name string
	// Status is online, pausado or offline; StatusLabel its pt-BR word.
	Status, StatusLabel string
	// Reason and PausedFor ("12 min") are set while paused.
	Reason, PausedFor string
	InService         int
	Pending           int
	ClosedToday       int
	// TMA is the average handling time of today's closed tickets, "—" without one.
	TMA string
	// SinceLast is the time since the latest message of the clerk's open chats, "—" without one.
	SinceLast string
}

// PainelGroup is one group's line.
type PainelGroup struct {
	Name    string
	Waiting int
	// LongestWait is how long the longest-waiting ticket has waited, "—" when none waits.
	LongestWait string
	Online      int
	InService   int
	Overdue     int
}
