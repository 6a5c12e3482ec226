package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// APIError is an error reported by the Cloud API, either in an HTTP response
// or inside a webhook (a failed status, a message or a value-level error).
// Decide what to do with Classify, which looks at Code, never at HTTPStatus
// when a code is present.
type APIError struct {
	Code    int
	Subcode int
	// Type is the Graph error type, usually "OAuthException".
	Type string
	// Title is a short label (webhook errors carry one; responses may not).
	Title   string
	Message string
	// Details is error_data.details (or a top-level details field).
	Details string
	Href    string
	// HTTPStatus is the response status; zero for errors read from a webhook.
	HTTPStatus int
	FBTraceID  string
	// Transient is Graph's is_transient hint.
	Transient bool
}

// Error describes the error in English for logs.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("whatsapp: ")
	msg := e.Message
	if msg == "" {
		msg = e.Title
	}
	prefix := "(#" + strconv.Itoa(e.Code) + ")"
	switch {
	case e.Code != 0 && !strings.HasPrefix(msg, prefix):
		b.WriteString(prefix)
		if msg != "" {
			b.WriteString(" ")
		}
	case e.Code == 0 && msg == "":
		msg = "API error"
	}
	b.WriteString(msg)
	if e.Details != "" && e.Details != msg {
		b.WriteString(": ")
		b.WriteString(e.Details)
	}
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	return b.String()
}

// Sentinel errors of the client and the message model.
var (
	// ErrInvalidMessage is matched (errors.Is) by every *ValidationError.
	ErrInvalidMessage = errors.New("whatsapp: invalid message")
	// ErrUnexpectedResponse means a 2xx answer that could not be read. The
	// message may have been accepted, so it is not retried blindly.
	ErrUnexpectedResponse = errors.New("whatsapp: unexpected response")
	// ErrTooLarge means media larger than the caller's limit.
	ErrTooLarge = errors.New("whatsapp: media too large")
	// ErrChecksum means downloaded media whose SHA-256 does not match.
	ErrChecksum = errors.New("whatsapp: media checksum mismatch")
	// ErrNotConfigured means a Client without BaseURL or PhoneNumberID.
	ErrNotConfigured = errors.New("whatsapp: client not configured")
)

type wireErrorBody struct {
	Error *struct {
		Message        flexString `json:"message"`
		Type           flexString `json:"type"`
		Code           flexInt    `json:"code"`
		Subcode        flexInt    `json:"error_subcode"`
		Title          flexString `json:"title"`
		ErrorUserTitle flexString `json:"error_user_title"`
		ErrorUserMsg   flexString `json:"error_user_msg"`
		Details        flexString `json:"details"`
		ErrorData      struct {
			Details flexString `json:"details"`
		} `json:"error_data"`
		FBTraceID   flexString `json:"fbtrace_id"`
		IsTransient flexBool   `json:"is_transient"`
		Href        flexString `json:"href"`
	} `json:"error"`
}

// parseAPIError builds an *APIError from a non-2xx response. A body that is not
// a Graph error (a proxy's HTML page) yields an error with Code 0 and the start
// of the body as its message.
func parseAPIError(status int, header http.Header, body []byte) *APIError {
	e := &APIError{HTTPStatus: status, FBTraceID: header.Get("X-Fb-Trace-Id")}
	var w wireErrorBody
	if json.Unmarshal(body, &w) == nil && w.Error != nil {
		g := w.Error
		e.Code, e.Subcode = int(g.Code), int(g.Subcode)
		e.Type, e.Message, e.Href = string(g.Type), string(g.Message), string(g.Href)
		e.Title = firstNonEmpty(string(g.Title), string(g.ErrorUserTitle))
		e.Details = firstNonEmpty(string(g.ErrorData.Details), string(g.Details), string(g.ErrorUserMsg))
		e.Transient = bool(g.IsTransient)
		if g.FBTraceID != "" {
			e.FBTraceID = string(g.FBTraceID)
		}
		return e
	}
	text := strings.TrimSpace(string(body))
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	e.Message = firstNonEmpty(text, http.StatusText(status))
	return e
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Class tells a sender what to do after an error.
type Class int

// Error classes, from "nothing wrong" to "give up on this message".
const (
	// None is the class of a nil error.
	None Class = iota
	// Retry: a transient problem (network, timeout, 5xx, rate limit); try again with backoff.
	Retry
	// RetryContact: too many messages to this citizen (131056); back off for
	// that citizen only (about one message per 6 s), keep sending to others.
	RetryContact
	// Window: the 24-hour window is closed (131047); send an approved template instead.
	Window
	// TemplateProblem: the template is missing, paused, disabled or its
	// parameters are wrong (132xxx); permanent for that template, alert the admin.
	TemplateProblem
	// Fatal: the account or token is unusable (190, 368…); stop all sending and alert the admin.
	Fatal
	// Permanent: this message will never go through as it is; mark it failed.
	Permanent
)

// PairRateInterval is the sustained pace Meta allows to one citizen; wait at
// least this long before retrying after RetryContact.
const PairRateInterval = 6 * time.Second

// String names the class in English.
func (c Class) String() string {
	switch c {
	case None:
		return "none"
	case Retry:
		return "retry"
	case RetryContact:
		return "retry-contact"
	case Window:
		return "window"
	case TemplateProblem:
		return "template-problem"
	case Fatal:
		return "fatal"
	case Permanent:
		return "permanent"
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// AlertAdmin reports whether an administrator must be told (Fatal and TemplateProblem).
func (c Class) AlertAdmin() bool { return c == Fatal || c == TemplateProblem }

// Classify decides what a sender should do after err. API errors are judged
// by their code; errors with no code by the HTTP status (5xx, 408 and 429
// retry, 401 is fatal, other 4xx permanent); network errors, timeouts and
// corrupted downloads retry; invalid messages, media over the limit and
// unreadable 2xx answers are permanent; a client without configuration is fatal.
func Classify(err error) Class {
	if err == nil {
		return None
	}
	if errors.Is(err, ErrNotConfigured) {
		return Fatal
	}
	if errors.Is(err, ErrInvalidMessage) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnexpectedResponse) {
		return Permanent
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return classifyAPIError(ae)
	}
	return Retry
}

func classifyAPIError(e *APIError) Class {
	if e.Code == 0 {
		switch s := e.HTTPStatus; {
		case s >= 500, s == http.StatusTooManyRequests, s == http.StatusRequestTimeout:
			return Retry
		case s == http.StatusUnauthorized:
			return Fatal
		}
		return Permanent
	}
	switch e.Code {
	case 131047, 470:
		return Window
	case 131056:
		return RetryContact
	case 1, 2, 4, 613, 80007, 130429, 131000, 131016, 131048, 131057, 133004:
		return Retry
	case 3, 10, 102, 190, 368, 131005, 131031, 131042, 131045, 133010:
		return Fatal
	case 100, 131008, 131009, 131021, 131026, 131049, 131050, 131051, 131052, 131053, 130472, 135000:
		return Permanent
	}
	switch {
	case e.Code >= 200 && e.Code <= 299: // missing permission on the app
		return Fatal
	case e.Code >= 132000 && e.Code <= 132999:
		return TemplateProblem
	case e.Transient || e.HTTPStatus >= 500:
		// An unknown code that Meta itself calls transient, or that came with a
		// server error, is worth another try; a retry cannot duplicate a send
		// the server failed.
		return Retry
	}
	return Permanent
}
