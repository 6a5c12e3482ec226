package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"balcao/app/store"
)

// ErrInvalidCredentials is the one answer for an unknown e-mail, a wrong password or a disabled account.
var ErrInvalidCredentials = errors.New("invalid credentials")

// ErrThrottled means too many recent failures for the account or the address.
var ErrThrottled = errors.New("too many failed logins")

// Throttle limits: MaxFailures within Window lock the account and the address.
const (
	MaxFailures = 5
	Window      = 15 * time.Minute
)

// Authenticator checks logins against the store.
type Authenticator struct {
	Store *store.Store

	once      sync.Once
	dummyHash string
}

// Login returns the active user with that e-mail and password.
func (a *Authenticator) Login(ctx context.Context, email, password, ip string) (store.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	keys := []string{"email:" + email, "ip:" + ip}
	since := a.Store.Now() - Window.Milliseconds()
	for _, k := range keys {
		n, err := a.Store.CountLoginFailures(ctx, k, since)
		if err != nil {
			return store.User{}, err
		}
		if n >= MaxFailures {
			return store.User{}, ErrThrottled
		}
	}
	u, err := a.Store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.User{}, err
	}
	if errors.Is(err, store.ErrNotFound) {
		// Spend the same time as a real check so timing does not reveal accounts.
		CheckPassword(a.dummy(), password)
	}
	if err != nil || !CheckPassword(u.PasswordHash, password) || !u.Active {
		if rerr := a.Store.RecordLoginFailure(ctx, keys...); rerr != nil {
			return store.User{}, rerr
		}
		return store.User{}, ErrInvalidCredentials
	}
	if err := a.Store.ClearLoginFailures(ctx, keys[0]); err != nil {
		return store.User{}, err
	}
	return u, nil
}

func (a *Authenticator) dummy() string {
	a.once.Do(func() {
		a.dummyHash, _ = HashPassword("balcao-dummy-password")
	})
	return a.dummyHash
}
