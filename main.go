// Command balcao serves citizens on a city's official WhatsApp number.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"balcao/app/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.OSEnv(StaticFS, MigrationsFS))
	stop()
	os.Exit(code)
}
