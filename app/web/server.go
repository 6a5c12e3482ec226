// Package web is balcao's HTTP side: routes, thin handlers, sessions, CSRF.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"

	"balcao/app/api"
	"balcao/app/auth"
	"balcao/app/bot"
	"balcao/app/chat"
	"balcao/app/config"
	"balcao/app/health"
	"balcao/app/ingest"
	"balcao/app/live"
	"balcao/app/metrics"
	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/views"
)

// SimulatorGraphPath is where the simulator's Graph API stand-in is mounted;
// in simulator mode BALCAO_WA_API_URL points here.
const SimulatorGraphPath = "/simulador/graph/v25.0"

// Deps are what the web side needs from the rest of the program.
type Deps struct {
	Config     *config.Config
	Store      *store.Store
	Log        *slog.Logger
	Static     fs.FS
	Migrations fs.FS
	// Demo marks a demo server (login page shows the demo accounts hint).
	Demo bool
	// Ingest stores verified webhooks.
	Ingest *ingest.Committer
	// Live carries "something changed" events to open pages (a new hub when nil).
	Live *live.Hub
	// Chat runs the clerks' actions (one on Store and Live when nil).
	Chat *chat.Service
	// Simulator, when set, is served under /simulador (demo mode or BALCAO_SIMULATOR only).
	Simulator *simulator.Simulator
	// Health watches the disk and the backup (Administração → Backup); it is
	// told of webhook writes that fail. Nil leaves the page without figures.
	Health *health.Monitor
	// Bot is the menu engine the inbox runs; the Robô page gives it the menu
	// after every edit. Nil when the bot is not running.
	Bot *bot.Engine
	// API serves /api/v1 (one on Store and Chat, without a webhook worker to wake, when nil).
	API *api.API
	// Webhooks is the outgoing webhook worker, woken when an admin retries a
	// delivery (may be nil: it polls).
	Webhooks *api.Deliverer
	// Metrics counts webhooks and serves GET /metrics (nil: no metrics, 404).
	Metrics *metrics.Metrics
}

// Server holds the dependencies of every handler.
type Server struct {
	cfg        *config.Config
	store      *store.Store
	log        *slog.Logger
	static     fs.FS
	migrations fs.FS
	demo       bool
	ingest     *ingest.Committer
	live       *live.Hub
	chat       *chat.Service
	sim        *simulator.Simulator
	sessions   *scs.SessionManager
	sessStore  *sqlite3store.SQLite3Store
	auth       *auth.Authenticator
	assets     map[string]string
	proxies    *trustedProxies
	health     *health.Monitor
	bot        *bot.Engine
	api        *api.API
	webhooks   *api.Deliverer
	metrics    *metrics.Metrics
	// banners yield the warnings shown on every page (disk full, backup
	// stopped, WhatsApp sending stopped), each "" when all is well.
	banners []func() string

	closing   chan struct{}
	closeOnce sync.Once
}

// New builds the server; call Close when done.
func New(d Deps) (*Server, error) {
	proxies, err := parseTrustedProxies(d.Config.TrustedProxies)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: d.Config, store: d.Store, log: d.Log, static: d.Static, migrations: d.Migrations, demo: d.Demo, ingest: d.Ingest,
		auth: &auth.Authenticator{Store: d.Store}, proxies: proxies,
		closing:  make(chan struct{}),
		live:     d.Live,
		chat:     d.Chat,
		sim:      d.Simulator,
		health:   d.Health,
		bot:      d.Bot,
		api:      d.API,
		webhooks: d.Webhooks,
		metrics:  d.Metrics,
	}
	if s.live == nil {
		s.live = live.NewHub()
	}
	if s.chat == nil {
		s.chat = &chat.Service{Store: d.Store, Live: s.live, Template: d.Config.WA.Template, TemplateLang: d.Config.WA.TemplateLang}
	}
	if s.api == nil {
		s.api = api.New(api.Deps{Store: d.Store, Chat: s.chat, Log: d.Log})
	}
	s.sessStore = sqlite3store.NewWithCleanupInterval(d.Store.W, 10*time.Minute)
	s.sessions = scs.New()
	s.sessions.Store = s.sessStore
	s.sessions.Lifetime = d.Config.SessionLifetime
	s.sessions.IdleTimeout = 0
	s.sessions.Cookie.Name = "balcao_sessao"
	s.sessions.Cookie.HttpOnly = true
	s.sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.sessions.Cookie.Secure = strings.HasPrefix(d.Config.BaseURL, "https://")
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.fail(w, r, err)
	}
	if s.assets, err = hashAssets(d.Static); err != nil {
		return nil, err
	}
	return s, nil
}

// AddBanner adds a source of warnings shown on every page; fn returns "" when
// it has nothing to say and must be cheap. Call it before serving.
func (s *Server) AddBanner(fn func() string) { s.banners = append(s.banners, fn) }

// Close stops background work of the server.
func (s *Server) Close() { s.sessStore.StopCleanup() }

// hashAssets maps every static file to a URL that changes with its content.
func hashAssets(static fs.FS) (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(static, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[path] = "/static/" + path + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
	return out, err
}

// asset returns the content-hashed URL of a static file.
func (s *Server) asset(name string) string {
	if u, ok := s.assets[name]; ok {
		return u
	}
	return "/static/" + name
}

// serveStatic serves static/ with long caching for hashed URLs.
func (s *Server) serveStatic() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(s.static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if want, ok := s.assets[name]; ok && r.URL.RawQuery != "" && strings.HasSuffix(want, "?"+r.URL.RawQuery) {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}

// page builds the layout data for r.
func (s *Server) page(r *http.Request, title, nav string) views.Page {
	p := views.Page{Title: title, Nav: nav, CSRF: s.csrfToken(r), Assets: s.asset}
	for _, fn := range s.banners {
		if text := fn(); text != "" {
			p.Banners = append(p.Banners, text)
		}
	}
	if u, ok := userFrom(r.Context()); ok {
		p.User = &views.CurrentUser{ID: u.ID, Name: u.Name, Role: u.Role, Status: u.Status}
	}
	p.Flash = s.sessions.PopString(r.Context(), "flash")
	return p
}

// flash stores a one-time notice for the next page.
func (s *Server) flash(ctx context.Context, msg string) { s.sessions.Put(ctx, "flash", msg) }

// httpError is an error with a status and a pt-BR message for people.
type httpError struct {
	Status  int
	Message string
}

func (e *httpError) Error() string { return e.Message }

func errStatus(status int, msg string) error { return &httpError{Status: status, Message: msg} }

var (
	errForbidden = errStatus(http.StatusForbidden, "Você não tem permissão para esta ação.")
	errNotFound  = errStatus(http.StatusNotFound, "Página não encontrada.")
)

// handler is an HTTP handler that returns its error to one place.
type handler func(w http.ResponseWriter, r *http.Request) error

func (s *Server) h(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// fail turns err into a page (or a plain answer for htmx/JSON clients) and logs it once.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "Ocorreu um erro inesperado. Tente de novo; se persistir, avise a equipe de TI."
	var he *httpError
	switch {
	case errors.As(err, &he):
		status, msg = he.Status, he.Message
	case errors.Is(err, store.ErrNotFound):
		status, msg = http.StatusNotFound, "Registro não encontrado."
	case errors.Is(err, context.Canceled):
		return
	}
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if r.Header.Get("HX-Request") == "true" || strings.HasPrefix(r.URL.Path, "/api/") {
		http.Error(w, msg, status)
		return
	}
	w.WriteHeader(status)
	title := http.StatusText(status)
	switch status {
	case http.StatusNotFound:
		title = "Não encontrado"
	case http.StatusForbidden:
		title = "Acesso negado"
	case http.StatusTooManyRequests:
		title = "Muitas tentativas"
	case http.StatusInternalServerError:
		title = "Erro"
	}
	_ = views.ErrorPage(s.page(r, title, ""), status, msg).Render(r.Context(), w)
}

// form parses the posted form of r into a views.Form.
func form(r *http.Request) (*views.Form, error) {
	if err := r.ParseForm(); err != nil {
		return nil, errStatus(http.StatusBadRequest, "Formulário inválido ou grande demais.")
	}
	return &views.Form{Values: r.PostForm, Errors: map[string]string{}}, nil
}

// BeginShutdown tells long-lived requests (server-sent events) to end so that
// a graceful shutdown does not wait for them.
func (s *Server) BeginShutdown() { s.closeOnce.Do(func() { close(s.closing) }) }

// Closing is closed when the server begins shutting down.
func (s *Server) Closing() <-chan struct{} { return s.closing }
