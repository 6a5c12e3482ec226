// Package api is balcao's integration API (/api/v1): bearer tokens, JSON
// endpoints over tickets for the city's other systems, its OpenAPI document,
// and the outgoing webhooks that tell those systems of ticket changes.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"balcao/app/chat"
	"balcao/app/store"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// maxBody bounds every request body.
const maxBody = 64 << 10

// Deps are what the API needs.
type Deps struct {
	Store *store.Store
	// Chat sends public replies with the panel's rules (24-hour window, template).
	Chat *chat.Service
	Log  *slog.Logger
	// Wake tells the webhook worker an event was queued (may be nil: it polls).
	Wake func()
}

// API serves /api/v1.
type API struct {
	store *store.Store
	chat  *chat.Service
	log   *slog.Logger
	wake  func()
	mux   *http.ServeMux
}

// New builds the API's handler.
func New(d Deps) *API {
	a := &API{store: d.Store, chat: d.Chat, log: d.Log, wake: d.Wake}
	if a.wake == nil {
		a.wake = func() {}
	}
	a.mux = a.routes()
	return a
}

// route is one endpoint; the list is the source of both the mux and the
// OpenAPI test.
type route struct {
	pattern string
	fn      handler
	public  bool
}

func (a *API) routeList() []route {
	return []route{
		{pattern: "GET " + Prefix + "/openapi.json", fn: a.openAPI, public: true},
		{pattern: "GET " + Prefix + "/tickets", fn: a.listTickets},
		{pattern: "POST " + Prefix + "/tickets", fn: a.createTicket},
		{pattern: "GET " + Prefix + "/tickets/{protocol}", fn: a.getTicket},
		{pattern: "POST " + Prefix + "/tickets/{protocol}/replies", fn: a.reply},
		{pattern: "POST " + Prefix + "/tickets/{protocol}/notes", fn: a.note},
		{pattern: "POST " + Prefix + "/tickets/{protocol}/status", fn: a.changeStatus},
	}
}

func (a *API) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range a.routeList() {
		h := a.h(r.fn)
		if !r.public {
			h = a.requireToken(h)
		}
		mux.Handle(r.pattern, h)
	}
	mux.Handle(Prefix+"/", a.h(func(w http.ResponseWriter, r *http.Request) error {
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint"}
	}))
	return mux
}

// ServeHTTP serves the API.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Error is an API error: an HTTP status and a machine code with a message.
type Error struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func apiError(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

type handler func(w http.ResponseWriter, r *http.Request) error

// h turns a handler's error into the JSON error body, logging server faults once.
func (a *API) h(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		var e *Error
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &e):
		case errors.As(err, &tooBig):
			e = apiError(http.StatusRequestEntityTooLarge, "body_too_large", "the request body is over %d bytes", tooBig.Limit)
		case errors.Is(err, store.ErrNotFound):
			e = apiError(http.StatusNotFound, "not_found", "not found")
		case errors.Is(err, context.Canceled):
			return
		default:
			a.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			e = apiError(http.StatusInternalServerError, "internal", "internal error")
		}
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="balcao"`)
		}
		writeJSON(w, e.Status, map[string]*Error{"error": e})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// decode reads a JSON object body into v: application/json only, at most
// maxBody bytes, no unknown fields, nothing after the object.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return apiError(http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return apiError(http.StatusBadRequest, "bad_json", "the body is not valid JSON for this endpoint: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apiError(http.StatusBadRequest, "bad_json", "the body must hold a single JSON object")
	}
	return nil
}

// jsonProblem keeps the decoder's message short and free of Go type names.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type", te.Field)
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return msg
}
