package cli_test

import (
	"net/http"
	"strings"
	"testing"

	"balcao/app/testutil"
)

// `balcao token create` prints a token, once, that opens the API; only its hash is kept.
func TestTokenCreate(t *testing.T) {
	data := t.TempDir()
	res := run(t, nil, nil, "token", "create", "--name", "Site da prefeitura", "--data", data)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	token := strings.TrimSpace(res.stdout)
	if !strings.HasPrefix(token, "blc_") || strings.Contains(token, "\n") || len(token) < 40 {
		t.Fatalf("stdout %q is not one token", res.stdout)
	}
	st := openStore(t, data)
	var name string
	var leaked int
	if err := st.R.QueryRow(`SELECT name, (SELECT count(*) FROM api_tokens WHERE token_hash = ?1 OR prefix = ?1) FROM api_tokens`, token).Scan(&name, &leaked); err != nil {
		t.Fatal(err)
	}
	if name != "Site da prefeitura" || leaked != 0 {
		t.Errorf("stored name %q, token stored in clear: %d", name, leaked)
	}
	ts, _ := testutil.NewServer(t, st)
	for _, tc := range []struct {
		auth string
		want int
	}{{"Bearer " + token, 200}, {"Bearer " + token + "x", 401}, {"", 401}} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/tickets", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != tc.want {
			t.Errorf("%q: status %d, want %d", tc.auth, r.StatusCode, tc.want)
		}
	}
}

// A token needs a name and the create subcommand.
func TestTokenCreateRefusesBadInput(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{{"token"}, {"token", "list"}, {"token", "create", "--data", data}, {"token", "create", "--name", " ", "--data", data}} {
		if res := run(t, nil, nil, args...); res.code == 0 || res.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q", args, res.code, res.stdout)
		}
	}
}
