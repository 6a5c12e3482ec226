package whatsapp

import (
	"net/url"
	"strings"
	"testing"
)

func TestVerifySignature(t *testing.T) {
	const secret = "s3cr3t-do-app"
	body := fixture(t, "text.json")
	good := Sign(secret, body)
	if !strings.HasPrefix(good, "sha256=") || len(good) != len("sha256=")+64 || strings.ToLower(good) != good {
		t.Fatalf("Sign = %q, want sha256= and 64 lowercase hex", good)
	}
	tests := []struct {
		name   string
		secret string
		body   []byte
		header string
		want   bool
	}{
		{"good", secret, body, good, true},
		{"uppercase hex", secret, body, "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), true},
		{"surrounding spaces", secret, body, " " + good + " ", true},
		{"missing", secret, body, "", false},
		{"wrong secret", "other", body, good, false},
		{"body changed by one byte", secret, append([]byte(" "), body...), good, false},
		{"sha1 prefix", secret, body, "sha1=" + strings.TrimPrefix(good, "sha256="), false},
		{"uppercase prefix", secret, body, "SHA256=" + strings.TrimPrefix(good, "sha256="), false},
		{"no prefix", secret, body, strings.TrimPrefix(good, "sha256="), false},
		{"not hex", secret, body, "sha256=" + strings.Repeat("zz", 32), false},
		{"truncated", secret, body, good[:len(good)-2], false},
		{"empty secret never verifies", "", body, Sign("", body), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifySignature(tt.secret, tt.body, tt.header); got != tt.want {
				t.Errorf("VerifySignature = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVerifyChallenge(t *testing.T) {
	tests := []struct {
		query string
		token string
		want  string
		ok    bool
	}{
		{"hub.mode=subscribe&hub.verify_token=T0k&hub.challenge=1158201444", "T0k", "1158201444", true},
		{"hub.mode=subscribe&hub.verify_token=T0k&hub.challenge=abc%20def", "T0k", "abc def", true},
		{"hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1", "T0k", "", false},
		{"hub.mode=unsubscribe&hub.verify_token=T0k&hub.challenge=1", "T0k", "", false},
		{"hub.mode=subscribe&hub.verify_token=&hub.challenge=1", "", "", false},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		got, ok := VerifyChallenge(q, tt.token)
		if got != tt.want || ok != tt.ok {
			t.Errorf("VerifyChallenge(%s) = %q, %v; want %q, %v", tt.query, got, ok, tt.want, tt.ok)
		}
	}
}
