package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"balcao/app/auth"
	"balcao/app/config"
	"balcao/app/store"
	"balcao/app/web"
)

// userCommand handles `balcao user add`.
func userCommand(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: balcao user add --name NAME --email EMAIL --role admin|supervisor|ouvidor|atendente [--data DIR]")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dataDefault := env.Getenv("BALCAO_DATA")
	if dataDefault == "" {
		dataDefault = "./data"
	}
	data := fs.String("data", dataDefault, "data folder (BALCAO_DATA)")
	name := fs.String("name", "", "full name")
	email := fs.String("email", "", "e-mail used to log in")
	role := fs.String("role", store.RoleAgent, "admin, supervisor, ouvidor or atendente")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	*name, *email = strings.TrimSpace(*name), strings.ToLower(strings.TrimSpace(*email))
	switch {
	case *name == "":
		return errors.New("--name is required")
	case web.EmailProblem(*email) != "":
		return fmt.Errorf("--email %q is not a valid e-mail address", *email)
	case *role != store.RoleAdmin && *role != store.RoleSupervisor && *role != store.RoleOuvidor && *role != store.RoleAgent:
		return fmt.Errorf("--role must be admin, supervisor, ouvidor or atendente, got %q", *role)
	}
	password, generated, err := readPassword(env)
	if err != nil {
		return err
	}
	if msg := auth.PasswordProblem(password); msg != "" {
		return fmt.Errorf("password refused: %s", msg)
	}
	log := newLogger(env.Stderr, &config.Config{LogLevel: "warn"})
	st, err := store.Open(ctx, *data, env.Migrations, log)
	if err != nil {
		return err
	}
	defer st.Close()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u, err := st.CreateUser(ctx, store.User{Name: *name, Email: *email, PasswordHash: hash, Role: *role})
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("a user with e-mail %s already exists", *email)
	}
	if err != nil {
		return err
	}
	if err := st.Audit(ctx, 0, "user.create", "user:"+u.Email, "via command line, role "+u.Role); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "user %s <%s> created with role %s (id %d)\n", u.Name, u.Email, u.Role, u.ID)
	if generated {
		fmt.Fprintf(env.Stdout, "password (shown only now): %s\n", password)
	}
	return nil
}

// readPassword takes the password from piped stdin, or generates one when stdin is a terminal or empty.
func readPassword(env Env) (pw string, generated bool, err error) {
	if f, ok := env.Stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return auth.GeneratePassword(), true, nil
		}
	}
	if env.Stdin != nil {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return auth.GeneratePassword(), true, nil
		}
		if pw = strings.TrimRight(line, "\r\n"); pw != "" {
			return pw, false, nil
		}
	}
	return auth.GeneratePassword(), true, nil
}
