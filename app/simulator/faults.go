package simulator

import (
	"net/http"
	"time"

	"balcao/app/whatsapp"
)

// FaultKind names a failure the simulator can play.
type FaultKind string

// Fault kinds. The first three answer send requests (messages and
// mark-as-read) in place of Meta; the next two accept a message and spoil what
// follows; the last one affects media downloads.
const (
	// FaultServerError answers 500 with a body that is not a Graph error (no code).
	FaultServerError FaultKind = "server_error"
	// FaultAPIError answers a Graph error body with Fault.Code (130429, 131047,
	// 131056, 190, 368, 131026…), its usual HTTP status and message.
	FaultAPIError FaultKind = "api_error"
	// FaultTimeout never answers: the request hangs until the client gives up.
	FaultTimeout FaultKind = "timeout"
	// FaultDropStatuses accepts messages but never posts their status webhooks.
	FaultDropStatuses FaultKind = "drop_statuses"
	// FaultFailedStatus accepts messages, then posts a "failed" status with Fault.Code.
	FaultFailedStatus FaultKind = "failed_status"
	// FaultMediaExpired answers 404 to media downloads, like an expired URL.
	FaultMediaExpired FaultKind = "media_expired"
)

// Fault is a failure switched on at runtime for tests and demos. Send faults
// are played before the token and the body are checked, as a failing Meta
// would; each request they answer uses up one of Count.
type Fault struct {
	Kind FaultKind
	// Code is the Graph error code for FaultAPIError and FaultFailedStatus.
	Code int
	// HTTPStatus overrides the status FaultAPIError answers with.
	HTTPStatus int
	// Message and Details override Meta's usual texts for Code.
	Message string
	Details string
	// Count is how many more requests the fault applies to; zero means until ClearFault.
	Count int
	// To limits a send or status fault to messages for this citizen (wa_id);
	// empty means everyone. A media fault with To set never applies.
	To string
}

// SetFault switches f on, replacing any earlier fault.
func (s *Simulator) SetFault(f Fault) {
	f.To = normalize(f.To)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = &f
	s.changedLocked()
	s.log.Info("fault set", "kind", f.Kind, "code", f.Code, "count", f.Count, "to", f.To)
}

// ClearFault switches the current fault off.
func (s *Simulator) ClearFault() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = nil
	s.changedLocked()
}

// CurrentFault returns the active fault (Count is what remains) and whether there is one.
func (s *Simulator) CurrentFault() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fault == nil {
		return Fault{}, false
	}
	return *s.fault, true
}

// takeFault consumes one use of the active fault if it is one of kinds and
// applies to recipient to.
func (s *Simulator) takeFault(to string, kinds ...FaultKind) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fault
	if f == nil || (f.To != "" && f.To != to) {
		return Fault{}, false
	}
	for _, k := range kinds {
		if f.Kind != k {
			continue
		}
		taken := *f
		if f.Count > 0 {
			if f.Count--; f.Count == 0 {
				s.fault = nil
			}
			s.changedLocked()
		}
		return taken, true
	}
	return Fault{}, false
}

// knownErrors holds Meta's title and details for the codes faults usually play.
var knownErrors = map[int]struct {
	status           int
	message, details string
}{
	4:      {400, "Application request limit reached", "Too many API calls."},
	100:    {400, "Invalid parameter", "Parameter value is not valid."},
	190:    {401, "Error validating access token: Session has expired.", ""},
	368:    {403, "Temporarily blocked for policies violations", "The account is restricted for violating WhatsApp Business policies."},
	80007:  {400, "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."},
	130429: {400, "Rate limit hit", "Cloud API message throughput has been reached."},
	131000: {500, "Something went wrong", "Message failed to send due to an unknown error."},
	131026: {400, "Message undeliverable", "Unable to deliver message: the recipient is not a WhatsApp user or uses an old app."},
	131047: {400, "Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
	131049: {400, "This message was not delivered to maintain healthy ecosystem engagement.", "Meta chose not to deliver this message."},
	131050: {400, "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.", ""},
	131051: {400, "Unsupported message type", "Message type is not currently supported."},
	131052: {400, "Media download error", "Unable to download the media sent by the user."},
	131053: {400, "Media upload error", "Unable to upload the media used in the message."},
	131056: {400, "(Business Account, Consumer Account) pair rate limit hit", "Too many messages sent from this phone number to the same phone number in a short period of time."},
	131057: {503, "Account in maintenance mode", "Business Account is in maintenance mode."},
	132000: {400, "Number of parameters does not match the expected number of params", ""},
	132001: {404, "Template name does not exist in the translation", ""},
	132015: {400, "Template is Paused", "Template is paused due to low quality."},
	132016: {400, "Template is disabled", "Template has been paused too many times and is now permanently disabled."},
}

// faultError returns the Graph error and HTTP status f answers with.
func faultError(f Fault) (int, graphErr) {
	k, ok := knownErrors[f.Code]
	if !ok {
		k.status, k.message = http.StatusBadRequest, "Error"
	}
	status := k.status
	if f.HTTPStatus != 0 {
		status = f.HTTPStatus
	}
	e := graphErr{Code: f.Code, Message: k.message, Details: k.details}
	if f.Message != "" {
		e.Message = f.Message
	}
	if f.Details != "" {
		e.Details = f.Details
	}
	return status, e
}

// apiError is the webhook form of a Graph error (statuses[].errors[]).
func apiError(e graphErr) whatsapp.APIError {
	return whatsapp.APIError{Code: e.Code, Title: e.Message, Message: e.Message, Details: e.Details}
}

// counters are the figures tests read.
type counters struct {
	sends     int
	sendTimes map[string][]time.Time
	sent      []SentMessage
	attempts  int
	delivered int
	gaveUp    int
	rejected  int
}

// SentMessage is a message the simulator accepted.
type SentMessage struct {
	ID      string
	To      string
	At      time.Time
	Message whatsapp.OutMessage
}

// WebhookStats counts webhook deliveries.
type WebhookStats struct {
	// Attempts is every POST made, retries included.
	Attempts int
	// Delivered counts notifications the app answered 200.
	Delivered int
	// GaveUp counts status notifications dropped after MaxAttempts.
	GaveUp int
	// Rejected counts citizen messages the app did not answer 200.
	Rejected int
}

// SendCount returns how many POST /messages requests arrived, faulted and refused ones included.
func (s *Simulator) SendCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.sends
}

// SendTimes returns when each send request to the citizen waID arrived, for pacing checks.
func (s *Simulator) SendTimes(waID string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.stats.sendTimes[normalize(waID)]...)
}

// Sent returns the messages the simulator accepted, oldest first.
func (s *Simulator) Sent() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentMessage(nil), s.stats.sent...)
}

// Webhooks returns the webhook delivery counters.
func (s *Simulator) Webhooks() WebhookStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return WebhookStats{Attempts: s.stats.attempts, Delivered: s.stats.delivered, GaveUp: s.stats.gaveUp, Rejected: s.stats.rejected}
}

// ResetCounters zeroes the counters (not the inboxes).
func (s *Simulator) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = counters{sendTimes: map[string][]time.Time{}}
}
