package whatsapp

import "strings"

// Delivery statuses of an outgoing message. StatusQueued is balcao's own
// (accepted into the outbox, not yet by Meta); the others come from statuses[].
const (
	StatusQueued    = "queued"    // StatusQueued: stored in balcao's outbox, not yet accepted by Meta.
	StatusSent      = "sent"      // StatusSent: Meta sent it to the citizen's phone.
	StatusDelivered = "delivered" // StatusDelivered: it reached the phone (may be skipped).
	StatusRead      = "read"      // StatusRead: the citizen opened it (blue ticks).
	StatusPlayed    = "played"    // StatusPlayed: the citizen played a voice message; ranks as read.
	StatusFailed    = "failed"    // StatusFailed: it will not be delivered; final.
	StatusUnknown   = "unknown"   // StatusUnknown: a status this package does not know.
)

// normalizeStatus lowercases a status and maps anything unrecognised to StatusUnknown.
func normalizeStatus(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case StatusQueued, StatusSent, StatusDelivered, StatusRead, StatusPlayed, StatusFailed:
		return s
	}
	return StatusUnknown
}

// StatusRank orders delivery statuses so a late webhook never moves a message
// backwards: unknown 0 < queued 1 < sent 2 < delivered 3 < read = played 4 <
// failed 5. Failed ranks highest because it is final.
func StatusRank(status string) int {
	switch normalizeStatus(status) {
	case StatusQueued:
		return 1
	case StatusSent:
		return 2
	case StatusDelivered:
		return 3
	case StatusRead, StatusPlayed:
		return 4
	case StatusFailed:
		return 5
	}
	return 0
}

// StatusAdvances reports whether a message whose status is current should take
// next: only a strictly higher rank wins, so duplicates and out-of-order
// arrivals are no-ops and nothing moves a failed message.
func StatusAdvances(current, next string) bool {
	return StatusRank(next) > StatusRank(current)
}
