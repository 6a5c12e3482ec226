// Package simulator is a built-in stand-in for the parts of Meta's Graph API
// that balcao uses, plus the citizen's side of the conversation. Tests and
// `balcao demo` point whatsapp.Client at it instead of graph.facebook.com.
//
// A Simulator is an http.Handler for the Graph endpoints (send, mark-read,
// media upload, metadata, download). It answers with Meta's shapes and error
// codes, delivers status webhooks (sent, delivered, read) signed with the app
// secret exactly like Meta, and lets a "phone" page or a test play citizens
// who read, tap options and write back through CitizenSend.
//
// It works under any path prefix, so mount it with http.StripPrefix; the
// client's base URL is then the server URL plus that prefix:
//
//	mux.Handle("/simulador/graph/v25.0/", http.StripPrefix("/simulador/graph/v25.0", sim))
//	client := whatsapp.Client{BaseURL: server + "/simulador/graph/v25.0", …}
//
// It keeps every message and media object in memory for its lifetime: it is
// a tool for tests and demos, not a store.
//
// Security: the simulator checks only that a bearer token is present (or
// equals Options.AccessToken when set), and its fault switches and phone API
// let anyone impersonate citizens. Whoever mounts it decides who reaches it:
// mount it only in demo mode or tests, never on a production listener.
package simulator

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"balcao/app/whatsapp"
)

// Options configures a Simulator. Zero values get the defaults documented on each field.
type Options struct {
	// AppSecret signs webhooks (X-Hub-Signature-256), as the Meta app's secret does.
	AppSecret string
	// VerifyToken is sent by VerifyWebhook, as when a webhook is configured in Meta's dashboard.
	VerifyToken string
	// WebhookURL receives status and citizen-message notifications; empty
	// means none are sent until SetWebhookURL.
	WebhookURL string
	// HTTP posts the webhooks; default: a client with a 10-second timeout.
	HTTP *http.Client
	// PhoneNumberID is the business number's id in URLs; default "106540352242922".
	PhoneNumberID string
	// DisplayPhone is the business number citizens see; default "5517999990000".
	DisplayPhone string
	// WABAID is the business account id in webhook entries; default "102290129340398".
	WABAID string
	// AccessToken, when set, must be the bearer token; otherwise any non-empty token is accepted.
	AccessToken string
	// Logger receives what the simulator does; default: discarded.
	Logger *slog.Logger
	// StatusDelay separates acceptance, sent and delivered; default 300 ms.
	StatusDelay time.Duration
	// ReadDelay is how long after delivery a citizen reads a message on
	// their own; default 1.5 s. Ignored with ManualRead.
	ReadDelay time.Duration
	// ManualRead keeps messages unread until MarkSeen.
	ManualRead bool
	// EnforceWindow fails free-form messages (131047) to citizens who have
	// not written in the last 24 hours, as Meta does; templates always pass.
	EnforceWindow bool
	// Templates, when given, are the only approved templates: others fail
	// with 132001 and a wrong parameter count with 132000.
	Templates []TemplateSpec
	// RetryBackoff is the wait before the first webhook retry, doubling
	// each time; default 1 s.
	RetryBackoff time.Duration
	// MaxAttempts bounds the deliveries of one status webhook; default 5.
	MaxAttempts int
	// PublicURL is the base URL clients use for the simulator (prefix
	// included), for the media URLs it hands out; default: taken from each request.
	PublicURL string
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// TemplateSpec is an approved template the simulator knows.
type TemplateSpec struct {
	Name string
	// Language, when set, must match the request's language code.
	Language string
	// Body is the template text with {{1}}, {{2}}… placeholders; the number
	// of distinct placeholders is the parameter count Meta enforces.
	Body string
	// Buttons are quick-reply button titles the citizen can tap.
	Buttons []string
}

// Simulator stands in for the Graph API and for the citizens. It is safe
// for concurrent use; call Close to stop its background deliveries.
type Simulator struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux

	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once

	mu         sync.Mutex
	closed     bool
	webhookURL string
	phones     map[string]*phone
	outbound   map[string]*outbound // wamid → message balcao sent
	inbound    map[string]string    // wamid → citizen who sent it
	media      map[string]*mediaObject
	mediaURLs  map[string]mediaURL // download token → media
	fault      *Fault
	stats      counters
	subs       map[chan struct{}]struct{}
	version    uint64
	seq        uint64
	idBase     uint64
}

// New returns a Simulator configured by opts.
func New(opts Options) *Simulator {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&opts.PhoneNumberID, "106540352242922")
	def(&opts.DisplayPhone, "5517999990000")
	def(&opts.WABAID, "102290129340398")
	if opts.HTTP == nil {
		opts.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.StatusDelay <= 0 {
		opts.StatusDelay = 300 * time.Millisecond
	}
	if opts.ReadDelay <= 0 {
		opts.ReadDelay = 1500 * time.Millisecond
	}
	if opts.RetryBackoff <= 0 {
		opts.RetryBackoff = time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Simulator{
		opts:       opts,
		log:        opts.Logger.With("component", "simulator"),
		webhookURL: opts.WebhookURL,
		phones:     map[string]*phone{},
		outbound:   map[string]*outbound{},
		inbound:    map[string]string{},
		media:      map[string]*mediaObject{},
		mediaURLs:  map[string]mediaURL{},
		subs:       map[chan struct{}]struct{}{},
		stats:      counters{sendTimes: map[string][]time.Time{}},
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	s.idBase = 1_000_000_000_000_000 + binary.BigEndian.Uint64(b[:])%8_000_000_000_000_000
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /{phone}/messages", s.handleMessages)
	s.mux.HandleFunc("POST /{phone}/media", s.handleUpload)
	s.mux.HandleFunc("GET /_media/{id}", s.handleDownload)
	s.mux.HandleFunc("GET /{id}", s.handleObject)
	s.mux.HandleFunc("DELETE /{id}", s.handleDeleteMedia)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Subcode: 33,
			Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", r.Method, strings.Trim(r.URL.Path, "/"))})
	})
	return s
}

// ServeHTTP serves the Graph API endpoints: POST /{phone-number-id}/messages,
// POST /{phone-number-id}/media, GET and DELETE /{media-id}, GET /{phone-number-id}
// and the media download URLs.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Close stops status deliveries and waits for background work to end. It is
// safe to call more than once.
func (s *Simulator) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel()
		s.wg.Wait()
	})
}

// SetWebhookURL changes where notifications go (e.g. once the app's port is known).
func (s *Simulator) SetWebhookURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = u
}

// PhoneNumberID returns the business number id the simulator serves.
func (s *Simulator) PhoneNumberID() string { return s.opts.PhoneNumberID }

// DisplayPhone returns the business number citizens see.
func (s *Simulator) DisplayPhone() string { return s.opts.DisplayPhone }

// Subscribe returns a channel that receives a value (coalesced, never
// blocking the simulator) whenever an inbox, a status or a fault changes, for
// a live page (SSE). Call cancel when done.
func (s *Simulator) Subscribe() (changes <-chan struct{}, cancel func()) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}
}

// Version increases on every change Subscribe reports; a page can poll it instead.
func (s *Simulator) Version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// changedLocked records a change and wakes subscribers; s.mu must be held.
func (s *Simulator) changedLocked() {
	s.version++
	for ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// goBackground runs f unless the simulator is closed.
func (s *Simulator) goBackground(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// sleep waits d, returning false if the simulator closes first.
func (s *Simulator) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// newWamid returns a fresh message id shaped like Meta's.
func (s *Simulator) newWamid(waID string) string {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	raw := fmt.Sprintf("\x18\x0d%s\x15\x02\x00\x11\x18%d%x", waID, n, b)
	return "wamid.HBg" + base64.StdEncoding.EncodeToString([]byte(raw))
}

// newID returns a fresh numeric id, like Meta's media ids. The random base
// keeps ids of a restarted simulator from naming older media.
func (s *Simulator) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return strconv.FormatUint(s.idBase+s.seq, 10)
}

// baseURL is the URL the client used to reach the simulator, prefix included.
func (s *Simulator) baseURL(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return strings.TrimRight(s.opts.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := ""
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		// http.StripPrefix shortened r.URL but not RequestURI: the difference is the mount point.
		prefix, _ = strings.CutSuffix(u.EscapedPath(), r.URL.EscapedPath())
	}
	return scheme + "://" + r.Host + prefix
}

// graphErr is the content of a Graph API error body.
type graphErr struct {
	Code    int
	Subcode int
	Title   string
	Message string
	Details string
}

type wireGraphError struct {
	Error struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode,omitempty"`
		ErrorData *struct {
			MessagingProduct string `json:"messaging_product"`
			Details          string `json:"details"`
		} `json:"error_data,omitempty"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

// writeGraphError answers like the Graph API: {"error":{"message":"(#code) …",
// "type":"OAuthException","code":…,"error_data":{…},"fbtrace_id":…}}.
func writeGraphError(w http.ResponseWriter, status int, e graphErr) {
	var body wireGraphError
	body.Error.Message = fmt.Sprintf("(#%d) %s", e.Code, e.Message)
	body.Error.Type = "OAuthException"
	body.Error.Code = e.Code
	body.Error.Subcode = e.Subcode
	if e.Details != "" {
		body.Error.ErrorData = &struct {
			MessagingProduct string `json:"messaging_product"`
			Details          string `json:"details"`
		}{whatsapp.MessagingProduct, e.Details}
	}
	body.Error.FBTraceID = traceID()
	w.Header().Set("X-FB-Trace-ID", body.Error.FBTraceID)
	writeJSON(w, status, body)
}

func traceID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return "A" + base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// checkToken answers 401 with code 190, as Graph does, unless the request carries an acceptable bearer token.
func (s *Simulator) checkToken(w http.ResponseWriter, r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	switch {
	case !ok || token == "":
		writeGraphError(w, http.StatusUnauthorized, graphErr{Code: 190, Message: "An active access token must be used to query information about the current user."})
		return false
	case s.opts.AccessToken != "" && token != s.opts.AccessToken:
		writeGraphError(w, http.StatusUnauthorized, graphErr{Code: 190, Subcode: 463, Message: "Error validating access token: The session is invalid or has expired."})
		return false
	}
	return true
}

// errNoWebhook is returned when a notification has nowhere to go.
var errNoWebhook = errors.New("simulator: no webhook URL configured")

func normalize(waID string) string {
	return strings.TrimPrefix(strings.TrimSpace(waID), "+")
}
