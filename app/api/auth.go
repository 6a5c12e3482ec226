package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"balcao/app/store"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognize.
const TokenPrefix = "blc_"

// touchEvery is how often a token's last use is written at most.
const touchEvery = time.Minute

// NewToken makes a random token (32 bytes from crypto/rand) and returns it
// with the hash to store and the prefix to show.
func NewToken() (token, hash, prefix string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", "", err
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), token[:len(TokenPrefix)+6], nil
}

// HashToken is the hex SHA-256 of a token, as stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a token named name and stores its hash; the token is
// returned once and never kept.
func CreateToken(ctx context.Context, st *store.Store, name string, createdBy int64) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errors.New("a token needs a name")
	}
	token, hash, prefix, err := NewToken()
	if err != nil {
		return "", err
	}
	if _, err := st.CreateAPIToken(ctx, name, hash, prefix, createdBy); err != nil {
		return "", err
	}
	return token, nil
}

type tokenKey struct{}

// tokenFrom is the token that authenticated the request.
func tokenFrom(ctx context.Context) store.APIToken {
	t, _ := ctx.Value(tokenKey{}).(store.APIToken)
	return t
}

var errUnauthorized = apiError(http.StatusUnauthorized, "unauthorized", "a valid bearer token is required (Authorization: Bearer blc_…)")

// requireToken lets through requests with a known, unrevoked bearer token.
func (a *API) requireToken(next http.Handler) http.Handler {
	return a.h(func(w http.ResponseWriter, r *http.Request) error {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(token, TokenPrefix) {
			return errUnauthorized
		}
		hash := HashToken(token)
		t, err := a.store.APITokenByHash(r.Context(), hash)
		if errors.Is(err, store.ErrNotFound) {
			return errUnauthorized
		}
		if err != nil {
			return err
		}
		// The lookup is by hash already; comparing in constant time as well
		// keeps any index timing from telling how close a guess was.
		if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hash)) != 1 || t.RevokedAt != 0 {
			return errUnauthorized
		}
		if time.UnixMilli(t.LastUsedAt).Add(touchEvery).Before(time.UnixMilli(a.store.Now())) {
			if err := a.store.TouchAPIToken(r.Context(), t.ID); err != nil {
				a.log.Warn("api token last use not recorded", "token", t.ID, "err", err)
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, t)))
		return nil
	})
}
