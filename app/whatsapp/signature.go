package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"strings"
)

// SignatureHeader is the header Meta signs webhook notifications with.
const SignatureHeader = "X-Hub-Signature-256"

const signaturePrefix = "sha256="

// Sign returns the X-Hub-Signature-256 value for body: "sha256=" and the
// lowercase hex HMAC-SHA256 of the raw bytes keyed with the app secret.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature reports whether header is a valid X-Hub-Signature-256 of the
// raw body for appSecret. It must run on the bytes as received, before any
// decoding. An empty secret never verifies, so a missing setting cannot turn
// into accepting forged notifications.
func VerifySignature(appSecret string, body []byte, header string) bool {
	if appSecret == "" {
		return false
	}
	sig, ok := strings.CutPrefix(strings.TrimSpace(header), signaturePrefix)
	if !ok || len(sig) != sha256.Size*2 {
		return false
	}
	// Decoding accepts upper- and lowercase hex alike; the comparison is on bytes.
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// VerifyChallenge answers Meta's webhook verification request (GET with
// hub.mode, hub.verify_token and hub.challenge). It returns the challenge to
// echo with 200 exactly as received, and false when the caller must answer 403.
func VerifyChallenge(query url.Values, verifyToken string) (challenge string, ok bool) {
	if verifyToken == "" || query.Get("hub.mode") != "subscribe" {
		return "", false
	}
	if subtle.ConstantTimeCompare([]byte(query.Get("hub.verify_token")), []byte(verifyToken)) != 1 {
		return "", false
	}
	return query.Get("hub.challenge"), true
}
