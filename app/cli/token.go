package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"balcao/app/api"
	"balcao/app/config"
	"balcao/app/store"
)

// tokenCommand handles `balcao token create`.
func tokenCommand(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: balcao token create --name NAME [--data DIR]")
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dataDefault := env.Getenv("BALCAO_DATA")
	if dataDefault == "" {
		dataDefault = "./data"
	}
	data := fs.String("data", dataDefault, "data folder (BALCAO_DATA)")
	name := fs.String("name", "", "what the token is for, e.g. the city's website")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		return errors.New("--name is required")
	}
	log := newLogger(env.Stderr, &config.Config{LogLevel: "warn"})
	st, err := store.Open(ctx, *data, env.Migrations, log)
	if err != nil {
		return err
	}
	defer st.Close()
	token, err := api.CreateToken(ctx, st, *name, 0)
	if err != nil {
		return err
	}
	if err := st.Audit(ctx, 0, "api_token.create", "api_token:"+strings.TrimSpace(*name), "via command line"); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "API token %q created; it is shown only now, keep it safe:\n", strings.TrimSpace(*name))
	fmt.Fprintln(env.Stdout, token)
	return nil
}
