package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// envFileFlag is the flag of the commands IT staff run by hand (check,
// backup status, restore) that reads the file systemd gives the service, so
// that they see the service's settings: balcao check --env-file /etc/balcao/balcao.env
const envFileFlag = "env-file"

// takeEnvFile removes --env-file PATH (or --env-file=PATH) from args and, if
// it was there, returns a getenv that reads PATH's settings first and the
// process environment second.
func takeEnvFile(args []string, getenv func(string) string) ([]string, func(string) string, error) {
	var rest []string
	path := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != envFileFlag {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("--%s needs a file", envFileFlag)
			}
			i++
			value = args[i]
		}
		path = value
	}
	if path == "" {
		return rest, getenv, nil
	}
	vars, err := readEnvFile(path)
	if err != nil {
		return nil, nil, err
	}
	return rest, func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		return getenv(k)
	}, nil
}

// readEnvFile reads KEY=VALUE lines as systemd's EnvironmentFile= does for
// the common cases: blank lines and lines starting with # or ; are skipped,
// "export " is allowed, and a value may be wrapped in single or double quotes.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", envFileFlag, err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		key, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("--%s %s line %d: want KEY=VALUE", envFileFlag, path, n)
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		vars[key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--%s %s: %w", envFileFlag, path, err)
	}
	return vars, nil
}
