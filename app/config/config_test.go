package config_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"balcao/app/config"
)

// env turns a map into a getenv function.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// secretFile writes content into a new file and returns its path.
func secretFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Defaults, the environment, flags over the environment, and *_FILE secrets.
func TestLoad(t *testing.T) {
	t.Parallel()
	secret := secretFile(t, "s3cr3t-from-file\n")
	cases := []struct {
		name  string
		args  []string
		vars  map[string]string
		check func(t *testing.T, c *config.Config, rest []string)
	}{
		{"defaults", nil, nil, func(t *testing.T, c *config.Config, _ []string) {
			want := config.Config{Addr: ":8080", DataDir: "./data", BaseURL: "http://localhost:8080", LogLevel: "info",
				SessionLifetime: 12 * time.Hour, Backup: config.Backup{Retention: 168 * time.Hour, Interval: time.Second}, DiskMinFree: 1 << 30, BotIdleTimeout: 30 * time.Minute, ComplementDays: 20,
				WA: config.WhatsApp{APIURL: config.DefaultGraphURL, Rate: 80, Template: "atualizacao_atendimento", TemplateLang: "pt_BR"}}
			if *c != want {
				t.Errorf("defaults:\n got %+v\nwant %+v", *c, want)
			}
		}},
		{"environment", nil, map[string]string{
			"BALCAO_ADDR": "127.0.0.1:9000", "BALCAO_DATA": "/srv/balcao", "BALCAO_LOG_LEVEL": "debug",
			"BALCAO_LOG_JSON": "true", "BALCAO_WA_RATE": "20.5", "BALCAO_SESSION_LIFETIME": "30m",
			"BALCAO_BACKUP_URL": "s3://bucket/balcao", "BALCAO_SIMULATOR": "1",
		}, func(t *testing.T, c *config.Config, _ []string) {
			if c.Addr != "127.0.0.1:9000" || c.DataDir != "/srv/balcao" || !c.DataExplicit || c.LogLevel != "debug" ||
				!c.LogJSON || c.WA.Rate != 20.5 || c.SessionLifetime != 30*time.Minute ||
				c.Backup.URL != "s3://bucket/balcao" || !c.Simulator {
				t.Errorf("environment not applied: %+v", *c)
			}
			if c.BaseURL != "http://127.0.0.1:9000" {
				t.Errorf("base URL from address: got %q", c.BaseURL)
			}
		}},
		{"flags win over the environment", []string{"--addr", ":9090", "-data=/var/lib/balcao", "--base-url", "https://atendimento.cidade.gov.br/", "--wa-rate", "10"},
			map[string]string{"BALCAO_ADDR": ":7070", "BALCAO_DATA": "/tmp/x", "BALCAO_BASE_URL": "http://env.example", "BALCAO_WA_RATE": "50"},
			func(t *testing.T, c *config.Config, _ []string) {
				if c.Addr != ":9090" || c.DataDir != "/var/lib/balcao" || c.WA.Rate != 10 {
					t.Errorf("flags did not win: %+v", *c)
				}
				if c.BaseURL != "https://atendimento.cidade.gov.br" {
					t.Errorf("base URL: got %q, want it without the trailing slash", c.BaseURL)
				}
			}},
		{"a flag set to the default still wins", []string{"--log-level", "info"}, map[string]string{"BALCAO_LOG_LEVEL": "error"},
			func(t *testing.T, c *config.Config, _ []string) {
				if c.LogLevel != "info" {
					t.Errorf("log level %q", c.LogLevel)
				}
			}},
		{"secret from *_FILE, trimmed", nil, map[string]string{"BALCAO_WA_APP_SECRET_FILE": secret},
			func(t *testing.T, c *config.Config, _ []string) {
				if c.WA.AppSecret != "s3cr3t-from-file" {
					t.Errorf("app secret %q", c.WA.AppSecret)
				}
			}},
		{"the variable beats its *_FILE", nil, map[string]string{"BALCAO_WA_ACCESS_TOKEN": "direct", "BALCAO_WA_ACCESS_TOKEN_FILE": secret},
			func(t *testing.T, c *config.Config, _ []string) {
				if c.WA.AccessToken != "direct" {
					t.Errorf("access token %q", c.WA.AccessToken)
				}
			}},
		{"the flag beats *_FILE", []string{"--wa-verify-token", "from-flag"}, map[string]string{"BALCAO_WA_VERIFY_TOKEN_FILE": secret},
			func(t *testing.T, c *config.Config, _ []string) {
				if c.WA.VerifyToken != "from-flag" {
					t.Errorf("verify token %q", c.WA.VerifyToken)
				}
			}},
		{"*_FILE only for secrets", nil, map[string]string{"BALCAO_ADDR_FILE": secret},
			func(t *testing.T, c *config.Config, _ []string) {
				if c.Addr != ":8080" {
					t.Errorf("addr %q read from a file", c.Addr)
				}
			}},
		{"the metrics token from a file", nil, map[string]string{"BALCAO_METRICS_TOKEN_FILE": secret},
			func(t *testing.T, c *config.Config, _ []string) {
				if c.Metrics.Token == "" || strings.ContainsAny(c.Metrics.Token, "\n ") {
					t.Errorf("metrics token %q", c.Metrics.Token)
				}
			}},
		{"a TLS domain makes the base URL https", nil, map[string]string{"BALCAO_TLS_DOMAIN": "atendimento.valeverde.sp.gov.br"},
			func(t *testing.T, c *config.Config, _ []string) {
				if c.BaseURL != "https://atendimento.valeverde.sp.gov.br" {
					t.Errorf("base URL %q", c.BaseURL)
				}
			}},
		{"complement days", []string{"--complement-days", "30"}, nil,
			func(t *testing.T, c *config.Config, _ []string) {
				if c.ComplementDays != 30 {
					t.Errorf("complement days %d", c.ComplementDays)
				}
			}},
		{"disk threshold with a unit", []string{"--disk-min-free", "500MB"}, nil,
			func(t *testing.T, c *config.Config, _ []string) {
				if c.DiskMinFree != 500<<20 {
					t.Errorf("disk min free %d", c.DiskMinFree)
				}
			}},
		{"data folder from a flag is explicit", []string{"--data", "./data"}, nil,
			func(t *testing.T, c *config.Config, _ []string) {
				if !c.DataExplicit {
					t.Error("DataExplicit false with --data")
				}
			}},
		{"arguments after the flags are returned", []string{"--addr", ":1", "extra", "words"}, nil,
			func(t *testing.T, _ *config.Config, rest []string) {
				if strings.Join(rest, " ") != "extra words" {
					t.Errorf("rest %q", rest)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, rest, err := config.Load("serve", tc.args, env(tc.vars), io.Discard)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tc.check(t, c, rest)
		})
	}
}

// Bad values are refused at start with a message naming the setting.
func TestLoadRefusesBadValues(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no-such-file")
	cases := []struct {
		name string
		args []string
		vars map[string]string
		want []string
	}{
		{"rate not a number", nil, map[string]string{"BALCAO_WA_RATE": "fast"}, []string{"BALCAO_WA_RATE", "-wa-rate", `"fast"`}},
		{"rate zero", nil, map[string]string{"BALCAO_WA_RATE": "0"}, []string{"BALCAO_WA_RATE"}},
		{"rate negative", []string{"--wa-rate", "-3"}, nil, []string{"BALCAO_WA_RATE"}},
		{"rate too high", nil, map[string]string{"BALCAO_WA_RATE": "5000"}, []string{"BALCAO_WA_RATE", "5000"}},
		{"rate NaN", nil, map[string]string{"BALCAO_WA_RATE": "NaN"}, []string{"BALCAO_WA_RATE"}},
		{"rate infinite", nil, map[string]string{"BALCAO_WA_RATE": "+Inf"}, []string{"BALCAO_WA_RATE"}},
		{"base URL without scheme", nil, map[string]string{"BALCAO_BASE_URL": "atendimento.cidade.gov.br"}, []string{"BALCAO_BASE_URL", "atendimento.cidade.gov.br"}},
		{"base URL not http", []string{"--base-url", "ftp://cidade.gov.br"}, nil, []string{"BALCAO_BASE_URL", "ftp://cidade.gov.br"}},
		{"base URL without host", nil, map[string]string{"BALCAO_BASE_URL": "https://"}, []string{"BALCAO_BASE_URL"}},
		{"log level", nil, map[string]string{"BALCAO_LOG_LEVEL": "verbose"}, []string{"BALCAO_LOG_LEVEL", `"verbose"`}},
		{"log level case", []string{"--log-level", "INFO"}, nil, []string{"BALCAO_LOG_LEVEL"}},
		{"backup URL a plain path", nil, map[string]string{"BALCAO_BACKUP_URL": "/var/backups/balcao"}, []string{"BALCAO_BACKUP_URL", "/var/backups/balcao"}},
		{"backup URL other scheme", nil, map[string]string{"BALCAO_BACKUP_URL": "gs://bucket/x"}, []string{"BALCAO_BACKUP_URL"}},
		{"API URL", nil, map[string]string{"BALCAO_WA_API_URL": "graph.facebook.com"}, []string{"BALCAO_WA_API_URL"}},
		{"session lifetime not a duration", nil, map[string]string{"BALCAO_SESSION_LIFETIME": "12"}, []string{"BALCAO_SESSION_LIFETIME", `"12"`}},
		{"session lifetime too short", nil, map[string]string{"BALCAO_SESSION_LIFETIME": "30s"}, []string{"BALCAO_SESSION_LIFETIME"}},
		{"boolean", nil, map[string]string{"BALCAO_LOG_JSON": "sim"}, []string{"BALCAO_LOG_JSON", `"sim"`}},
		{"empty address", []string{"--addr", ""}, nil, []string{"BALCAO_ADDR"}},
		{"empty data folder", []string{"--data="}, nil, []string{"BALCAO_DATA"}},
		{"unreadable secret file", nil, map[string]string{"BALCAO_WA_APP_SECRET_FILE": missing}, []string{"BALCAO_WA_APP_SECRET_FILE", missing}},
		{"every bad setting is named at once", nil, map[string]string{"BALCAO_LOG_LEVEL": "loud", "BALCAO_BACKUP_URL": "backups"},
			[]string{"BALCAO_LOG_LEVEL", "BALCAO_BACKUP_URL"}},
		{"unknown flag", []string{"--adress", ":1"}, nil, []string{"adress"}},
		{"TLS domain with a scheme", nil, map[string]string{"BALCAO_TLS_DOMAIN": "https://cidade.gov.br"}, []string{"BALCAO_TLS_DOMAIN"}},
		{"TLS domain with a port", nil, map[string]string{"BALCAO_TLS_DOMAIN": "cidade.gov.br:443"}, []string{"BALCAO_TLS_DOMAIN"}},
		{"complement days zero", nil, map[string]string{"BALCAO_COMPLEMENT_DAYS": "0"}, []string{"BALCAO_COMPLEMENT_DAYS"}},
		{"complement days not a number", []string{"--complement-days", "vinte"}, nil, []string{"BALCAO_COMPLEMENT_DAYS", `"vinte"`}},
		{"disk threshold not a size", nil, map[string]string{"BALCAO_DISK_MIN_FREE": "lots"}, []string{"BALCAO_DISK_MIN_FREE", `"lots"`}},
		{"metrics address without a port", nil, map[string]string{"BALCAO_METRICS_ADDR": "127.0.0.1"}, []string{"BALCAO_METRICS_ADDR", `"127.0.0.1"`}},
		{"metrics token too short", nil, map[string]string{"BALCAO_METRICS_TOKEN": "abc"}, []string{"BALCAO_METRICS_TOKEN"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, err := config.Load("serve", tc.args, env(tc.vars), io.Discard)
			if err == nil {
				t.Fatalf("accepted: %+v", *c)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// --help lists every setting with its variable and default, and is not a failure.
func TestHelpListsEverySetting(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--help", "-h"} {
		t.Run(arg, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			_, _, err := config.Load("serve", []string{arg}, env(nil), &out)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("err = %v, want flag.ErrHelp", err)
			}
			checkUsage(t, out.String())
		})
	}
	t.Run("PrintUsage", func(t *testing.T) {
		t.Parallel()
		var out bytes.Buffer
		config.PrintUsage(&out, "demo", (&config.Config{}).Settings())
		if !strings.HasPrefix(out.String(), "Usage: balcao demo") {
			t.Errorf("usage starts %q", strings.SplitN(out.String(), "\n", 2)[0])
		}
		checkUsage(t, out.String())
	})
}

// checkUsage finds every setting's flag, variable and default in a usage text.
func checkUsage(t *testing.T, usage string) {
	t.Helper()
	settings := (&config.Config{}).Settings()
	if len(settings) < 20 {
		t.Fatalf("only %d settings", len(settings))
	}
	for _, s := range settings {
		def := s.Default
		if def == "" {
			def = `""`
		}
		block := "  -" + s.Flag + "\n      " + s.Env
		i := strings.Index(usage, block)
		if i < 0 {
			t.Errorf("usage lacks -%s / %s", s.Flag, s.Env)
			continue
		}
		line := strings.SplitN(usage[i+len("  -"+s.Flag+"\n"):], "\n", 2)[0]
		if !strings.HasSuffix(line, "default "+def) {
			t.Errorf("-%s: line %q does not end with its default %s", s.Flag, line, def)
		}
		if s.Secret && !strings.Contains(line, s.Env+"_FILE") {
			t.Errorf("-%s: secret without its _FILE variable: %q", s.Flag, line)
		}
	}
	for _, want := range []string{"BALCAO_ADDR, default :8080", "BALCAO_DATA, default ./data", "BALCAO_BASE_URL, default"} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

// Every setting has a distinct flag and BALCAO_ variable, and its default is valid.
func TestSettingsAreConsistent(t *testing.T) {
	t.Parallel()
	flags, vars := map[string]bool{}, map[string]bool{}
	for _, s := range (&config.Config{}).Settings() {
		if flags[s.Flag] || vars[s.Env] {
			t.Errorf("setting %s / %s declared twice", s.Flag, s.Env)
		}
		flags[s.Flag], vars[s.Env] = true, true
		if want := "BALCAO_" + strings.ToUpper(strings.ReplaceAll(s.Flag, "-", "_")); s.Env != want {
			t.Errorf("-%s is read from %s, want %s", s.Flag, s.Env, want)
		}
		if s.Usage == "" {
			t.Errorf("-%s has no usage text", s.Flag)
		}
		// A setting given explicitly as its default loads.
		if _, _, err := config.Load("serve", []string{"-" + s.Flag + "=" + s.Default}, env(nil), io.Discard); err != nil {
			t.Errorf("-%s=%q (its default) refused: %v", s.Flag, s.Default, err)
		}
	}
}
