package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"balcao/app/config"
	"balcao/app/demo"
	"balcao/app/server"
)

// shutdownGrace is how long in-flight requests get to finish on SIGTERM.
const shutdownGrace = 20 * time.Second

// serve runs the server until ctx ends; in demo mode on demo data.
func serve(ctx context.Context, env Env, args []string, demoMode bool) error {
	started := time.Now()
	name := "serve"
	if demoMode {
		name = "demo"
	}
	tickets := 0
	if demoMode {
		var err error
		if tickets, args, err = ticketsFlag(args); err != nil {
			return err
		}
	}
	cfg, _, err := config.Load(name, args, env.Getenv, env.Stderr)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, cfg)
	if demoMode && !cfg.DataExplicit {
		dir, err := os.MkdirTemp("", "balcao-demo-*")
		if err != nil {
			return fmt.Errorf("demo: temporary folder: %w", err)
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
	}
	if demoMode {
		cfg.Simulator = true
	} else if cfg.Simulator {
		log.Warn("!!! BALCAO_SIMULATOR=true: the fake WhatsApp is mounted at /simulador and anyone who reaches this " +
			"server can pose as any citizen and switch failures on. Never use it in production; unset BALCAO_SIMULATOR. !!!")
	}

	unlock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return err
	}
	defer unlock()
	app, err := server.Start(ctx, server.Options{Config: cfg, Log: log, Static: env.Static, Migrations: env.Migrations, Demo: demoMode})
	if err != nil {
		return err
	}
	closed := false // Close runs once: at the end of a clean stop, or here on an early return
	defer func() {
		if !closed {
			app.Close()
		}
	}()

	if demoMode {
		creds, err := demo.Seed(ctx, app.Store)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if _, err := app.Bot.ReloadMenu(ctx, app.Store); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if tickets > 0 {
			if err := generateTickets(ctx, env, app.Store, tickets); err != nil {
				return err
			}
		}
		printDemo(env, cfg, creds)
	}

	eps, err := listen(cfg, app.Handler())
	if err != nil {
		return err
	}
	eps[0].srv.RegisterOnShutdown(app.Web.BeginShutdown)
	me, err := metricsEndpoint(cfg, app.Metrics.Handler())
	if err != nil {
		for _, e := range eps {
			e.ln.Close()
		}
		return err
	}
	if me != nil {
		eps = append(eps, *me)
	}
	for _, e := range eps {
		log.Info("listening", "server", e.name, "addr", e.ln.Addr().String())
	}
	if cfg.TLS.Domain != "" {
		log.Info("automatic HTTPS", "domain", cfg.TLS.Domain, "certificates", filepath.Join(cfg.DataDir, certsDir))
	}
	log.Info("balcao ready", "url", cfg.BaseURL, "data", cfg.DataDir,
		"version", Version, "startup", time.Since(started).Round(time.Millisecond))

	stopping := context.AfterFunc(ctx, func() { log.Info("shutting down: finishing in-flight requests") })
	defer stopping()
	if err := serveAll(ctx, eps, shutdownGrace); err != nil {
		if ctx.Err() == nil {
			return err
		}
		log.Warn("shutdown", "err", err)
	}
	closed = true
	if err := app.Close(); err != nil {
		return fmt.Errorf("closing the database: %w", err)
	}
	log.Info("stopped cleanly")
	return nil
}

func printDemo(env Env, cfg *config.Config, creds []demo.Credential) {
	fmt.Fprintf(env.Stdout, "\n  balcão — demonstração\n  Painel:    %s\n  Simulador: %s/simulador (o telefone do cidadão)\n  Dados em:  %s (apagados ao sair)\n\n  Contas de demonstração:\n",
		cfg.BaseURL, cfg.BaseURL, cfg.DataDir)
	for _, c := range creds {
		fmt.Fprintf(env.Stdout, "    %-12s %-32s senha: %s\n", c.Role, c.Email, c.Password)
	}
	fmt.Fprintln(env.Stdout)
}
