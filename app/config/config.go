// Package config holds balcao's typed settings, read from command-line flags and
// BALCAO_* environment variables (flags win; secrets may also come from *_FILE).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultGraphURL is the WhatsApp Cloud API base URL used in production.
const DefaultGraphURL = "https://graph.facebook.com/v25.0"

// Config is every setting of a running balcao.
type Config struct {
	Addr    string
	DataDir string
	// DataExplicit is true when the data folder came from a flag or the environment.
	DataExplicit bool
	BaseURL      string
	LogLevel     string
	LogJSON      bool

	// TrustedProxies lists the CIDRs whose X-Forwarded-For header is believed.
	TrustedProxies string
	// SessionLifetime is how long a panel login lasts.
	SessionLifetime time.Duration

	WA WhatsApp

	// Simulator serves the built-in WhatsApp simulator (always on in demo mode).
	Simulator bool

	Backup Backup
	TLS    TLS

	// DiskMinFree is the free space (bytes) under which the panel warns that
	// the data folder's disk is nearly full.
	DiskMinFree uint64

	// BotIdleTimeout is how long the bot waits for a citizen before the next
	// message starts the conversation over.
	BotIdleTimeout time.Duration

	// ComplementDays is how long a ticket waits for the information asked of
	// the citizen (complementação) before it is archived (Decreto
	// 9.492/2018 art. 18).
	ComplementDays int

	Metrics Metrics
}

// Metrics holds how /metrics (Prometheus) is reached.
type Metrics struct {
	// Token, when set, opens GET /metrics on the main address to requests
	// with "Authorization: Bearer <Token>"; without it that path is 404.
	Token string
	// Addr, when set, is a second listener (e.g. 127.0.0.1:9090) that serves
	// only /metrics, without a token: bind it where only the monitoring reaches.
	Addr string
}

// WhatsApp holds the Cloud API credentials and limits.
type WhatsApp struct {
	VerifyToken   string
	AppSecret     string
	AccessToken   string
	PhoneNumberID string
	APIURL        string
	Rate          float64
	// Template is the approved template sent when the 24-hour window is closed.
	Template     string
	TemplateLang string
}

// Backup holds continuous-replication settings.
type Backup struct {
	URL       string
	Retention time.Duration
	Interval  time.Duration
}

// TLS holds the automatic-certificate settings.
type TLS struct {
	Domain string
	Email  string
}

// Setting describes one configurable value: its flag, its variable and its default.
type Setting struct {
	Flag    string
	Env     string
	Default string
	Usage   string
	Secret  bool
	set     func(string) error
}

// Settings binds every setting of c to its flag name and BALCAO_* variable.
// The returned list is the single source for --help, the README and validation.
func (c *Config) Settings() []*Setting {
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	boolean := func(p *bool) func(string) error {
		return func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", v)
			}
			*p = b
			return nil
		}
	}
	dur := func(p *time.Duration) func(string) error {
		return func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("want a duration like 30m or 24h, got %q", v)
			}
			*p = d
			return nil
		}
	}
	num := func(p *float64) func(string) error {
		return func(v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("want a number, got %q", v)
			}
			*p = f
			return nil
		}
	}
	integer := func(p *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("want a whole number, got %q", v)
			}
			*p = n
			return nil
		}
	}
	size := func(p *uint64) func(string) error {
		return func(v string) error {
			n, err := ParseSize(v)
			if err != nil {
				return err
			}
			*p = n
			return nil
		}
	}
	return []*Setting{
		{Flag: "addr", Env: "BALCAO_ADDR", Default: ":8080", Usage: "address the web server listens on", set: str(&c.Addr)},
		{Flag: "data", Env: "BALCAO_DATA", Default: "./data", Usage: "data folder (balcao.db and media.db live here)", set: str(&c.DataDir)},
		{Flag: "base-url", Env: "BALCAO_BASE_URL", Default: "", Usage: "public URL of this server, e.g. https://atendimento.cidade.gov.br (default http://localhost<addr>)", set: str(&c.BaseURL)},
		{Flag: "log-level", Env: "BALCAO_LOG_LEVEL", Default: "info", Usage: "log level: debug, info, warn or error", set: str(&c.LogLevel)},
		{Flag: "log-json", Env: "BALCAO_LOG_JSON", Default: "false", Usage: "write logs as JSON instead of text", set: boolean(&c.LogJSON)},
		{Flag: "trusted-proxies", Env: "BALCAO_TRUSTED_PROXIES", Default: "", Usage: "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted", set: str(&c.TrustedProxies)},
		{Flag: "session-lifetime", Env: "BALCAO_SESSION_LIFETIME", Default: "12h", Usage: "how long a panel login lasts", set: dur(&c.SessionLifetime)},
		{Flag: "wa-verify-token", Env: "BALCAO_WA_VERIFY_TOKEN", Default: "", Usage: "token Meta sends when verifying the webhook", Secret: true, set: str(&c.WA.VerifyToken)},
		{Flag: "wa-app-secret", Env: "BALCAO_WA_APP_SECRET", Default: "", Usage: "app secret that signs webhooks (X-Hub-Signature-256)", Secret: true, set: str(&c.WA.AppSecret)},
		{Flag: "wa-access-token", Env: "BALCAO_WA_ACCESS_TOKEN", Default: "", Usage: "Cloud API access token (bearer)", Secret: true, set: str(&c.WA.AccessToken)},
		{Flag: "wa-phone-number-id", Env: "BALCAO_WA_PHONE_NUMBER_ID", Default: "", Usage: "Cloud API phone number id of the official number", set: str(&c.WA.PhoneNumberID)},
		{Flag: "wa-api-url", Env: "BALCAO_WA_API_URL", Default: DefaultGraphURL, Usage: "Cloud API base URL with version (the simulator in demo mode)", set: str(&c.WA.APIURL)},
		{Flag: "wa-rate", Env: "BALCAO_WA_RATE", Default: "80", Usage: "outbound messages per second", set: num(&c.WA.Rate)},
		{Flag: "wa-template", Env: "BALCAO_WA_TEMPLATE", Default: "atualizacao_atendimento", Usage: "approved template sent when the 24-hour window is closed (two body parameters: protocol number, news)", set: str(&c.WA.Template)},
		{Flag: "wa-template-lang", Env: "BALCAO_WA_TEMPLATE_LANG", Default: "pt_BR", Usage: "language code of that template", set: str(&c.WA.TemplateLang)},
		{Flag: "simulator", Env: "BALCAO_SIMULATOR", Default: "false", Usage: "serve the WhatsApp simulator at /simulador (never in production; always on in demo)", set: boolean(&c.Simulator)},
		{Flag: "backup-url", Env: "BALCAO_BACKUP_URL", Default: "", Usage: "continuous backup target: file:///folder or s3://bucket/path?endpoint=host:port&region=r", set: str(&c.Backup.URL)},
		{Flag: "backup-retention", Env: "BALCAO_BACKUP_RETENTION", Default: "168h", Usage: "how long old backup snapshots are kept", set: dur(&c.Backup.Retention)},
		{Flag: "backup-interval", Env: "BALCAO_BACKUP_INTERVAL", Default: "1s", Usage: "how often changes are shipped to the backup", set: dur(&c.Backup.Interval)},
		{Flag: "tls-domain", Env: "BALCAO_TLS_DOMAIN", Default: "", Usage: "domain for automatic HTTPS certificates (Let's Encrypt); empty = plain HTTP", set: str(&c.TLS.Domain)},
		{Flag: "tls-email", Env: "BALCAO_TLS_EMAIL", Default: "", Usage: "contact e-mail for the certificate authority", set: str(&c.TLS.Email)},
		{Flag: "bot-idle-timeout", Env: "BALCAO_BOT_IDLE_TIMEOUT", Default: "30m", Usage: "how long the bot waits for a citizen before the next message starts over at the menu", set: dur(&c.BotIdleTimeout)},
		{Flag: "metrics-token", Env: "BALCAO_METRICS_TOKEN", Default: "", Usage: "bearer token that opens GET /metrics (Prometheus) on the main address; empty = /metrics is 404 there", Secret: true, set: str(&c.Metrics.Token)},
		{Flag: "metrics-addr", Env: "BALCAO_METRICS_ADDR", Default: "", Usage: "separate address serving only /metrics without a token, e.g. 127.0.0.1:9090 (keep it private); empty = none", set: str(&c.Metrics.Addr)},
		{Flag: "complement-days", Env: "BALCAO_COMPLEMENT_DAYS", Default: "20", Usage: "days a ticket waits for information asked of the citizen before it is archived (Decreto 9.492/2018 art. 18)", set: integer(&c.ComplementDays)},
		{Flag: "disk-min-free", Env: "BALCAO_DISK_MIN_FREE", Default: "1GB", Usage: "free space of the data folder's disk under which the panel and `balcao check` warn (e.g. 500MB, 2GB)", set: size(&c.DiskMinFree)},
	}
}

// Load fills a Config from defaults, then the environment (and *_FILE for
// secrets), then the flags in args. It returns flag.ErrHelp after printing
// usage when asked for help.
func Load(name string, args []string, getenv func(string) string, out io.Writer) (*Config, []string, error) {
	c := &Config{}
	settings := c.Settings()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	values := map[string]*string{}
	for _, s := range settings {
		values[s.Flag] = fs.String(s.Flag, "", s.Usage)
	}
	fs.Usage = func() { PrintUsage(out, name, settings) }
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	for _, s := range settings {
		v, err := resolve(s, explicit[s.Flag], *values[s.Flag], getenv)
		if err != nil {
			return nil, nil, err
		}
		if s.Flag == "data" {
			c.DataExplicit = explicit[s.Flag] || getenv(s.Env) != ""
		}
		if err := s.set(v); err != nil {
			return nil, nil, fmt.Errorf("setting -%s / %s: %w", s.Flag, s.Env, err)
		}
	}
	if c.BaseURL == "" && c.TLS.Domain != "" {
		c.BaseURL = "https://" + c.TLS.Domain
	}
	if c.BaseURL == "" {
		host := c.Addr
		if strings.HasPrefix(host, ":") {
			host = "localhost" + host
		}
		c.BaseURL = "http://" + host
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	return c, fs.Args(), nil
}

func resolve(s *Setting, explicit bool, flagValue string, getenv func(string) string) (string, error) {
	if explicit {
		return flagValue, nil
	}
	if v := getenv(s.Env); v != "" {
		return v, nil
	}
	if s.Secret {
		if path := getenv(s.Env + "_FILE"); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("setting %s_FILE: %w", s.Env, err)
			}
			return strings.TrimSpace(string(b)), nil
		}
	}
	return s.Default, nil
}

// Validate checks the settings and names the one that is wrong.
func (c *Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("BALCAO_ADDR: must not be empty"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("BALCAO_DATA: must not be empty"))
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("BALCAO_BASE_URL: want an http(s) URL, got %q", c.BaseURL))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("BALCAO_LOG_LEVEL: want debug, info, warn or error, got %q", c.LogLevel))
	}
	if u, err := url.Parse(c.WA.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		errs = append(errs, fmt.Errorf("BALCAO_WA_API_URL: want an http(s) URL, got %q", c.WA.APIURL))
	}
	// Written so that NaN (which strconv.ParseFloat accepts) fails too.
	if !(c.WA.Rate > 0 && c.WA.Rate <= 1000) {
		errs = append(errs, fmt.Errorf("BALCAO_WA_RATE: want a number above 0 and at most 1000, got %v", c.WA.Rate))
	}
	if c.SessionLifetime < time.Minute {
		errs = append(errs, fmt.Errorf("BALCAO_SESSION_LIFETIME: want at least 1m, got %v", c.SessionLifetime))
	}
	if c.BotIdleTimeout < time.Minute {
		errs = append(errs, fmt.Errorf("BALCAO_BOT_IDLE_TIMEOUT: want at least 1m, got %v", c.BotIdleTimeout))
	}
	if c.ComplementDays < 1 || c.ComplementDays > 365 {
		errs = append(errs, fmt.Errorf("BALCAO_COMPLEMENT_DAYS: want a number of days from 1 to 365, got %d", c.ComplementDays))
	}
	if c.Backup.URL != "" && !strings.HasPrefix(c.Backup.URL, "file://") && !strings.HasPrefix(c.Backup.URL, "s3://") {
		errs = append(errs, fmt.Errorf("BALCAO_BACKUP_URL: want file:///folder or s3://bucket/path, got %q", c.Backup.URL))
	}
	if d := c.TLS.Domain; d != "" && (strings.ContainsAny(d, ":/ ") || !strings.Contains(d, ".")) {
		errs = append(errs, fmt.Errorf("BALCAO_TLS_DOMAIN: want a bare domain name like atendimento.cidade.sp.gov.br, got %q", d))
	}
	if a := c.Metrics.Addr; a != "" {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			errs = append(errs, fmt.Errorf("BALCAO_METRICS_ADDR: want host:port like 127.0.0.1:9090, got %q", a))
		}
	}
	if t := c.Metrics.Token; t != "" && len(t) < 16 {
		errs = append(errs, errors.New("BALCAO_METRICS_TOKEN: want at least 16 characters (e.g. from `openssl rand -hex 32`)"))
	}
	return errors.Join(errs...)
}

// PrintUsage writes every setting with its flag, variable and default.
func PrintUsage(w io.Writer, name string, settings []*Setting) {
	fmt.Fprintf(w, "Usage: balcao %s [flags]\n\nSettings (flag, environment variable, default):\n", name)
	for _, s := range settings {
		def := s.Default
		if def == "" {
			def = `""`
		}
		extra := ""
		if s.Secret {
			extra = " (also " + s.Env + "_FILE)"
		}
		fmt.Fprintf(w, "  -%s\n      %s%s, default %s\n      %s\n", s.Flag, s.Env, extra, def, s.Usage)
	}
}

// ParseSize reads a size such as 500MB, 2GB or 1048576 (bytes); units are
// binary (1 MB = 2²⁰ bytes), as disk tools show them.
func ParseSize(v string) (uint64, error) {
	num := strings.TrimSpace(strings.ToUpper(v))
	mult := uint64(1)
	for _, u := range []struct {
		suffix string
		mult   uint64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || n > (1<<63)/mult {
		return 0, fmt.Errorf("want a size like 500MB or 2GB, got %q", v)
	}
	return n * mult, nil
}
