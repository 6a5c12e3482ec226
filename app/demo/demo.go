// Package demo fills an empty database with a fictional small city
// (Vale Verde - SP) so a newcomer can look around at once.
package demo

import (
	"context"
	"fmt"

	"balcao/app/auth"
	"balcao/app/store"
)

// Credential is a demo account printed at start.
type Credential struct {
	Role, Name, Email, Password string
}

// Password is the known password of every demo account.
const Password = "demo12345"

// People are the demo team.
var People = []Credential{
	{Role: store.RoleAdmin, Name: "Ana Administradora", Email: "admin@valeverde.sp.gov.br"},
	{Role: store.RoleSupervisor, Name: "Otávio Ouvidor", Email: "ouvidoria@valeverde.sp.gov.br"},
	{Role: store.RoleAgent, Name: "Carla Atendente", Email: "carla@valeverde.sp.gov.br"},
	{Role: store.RoleAgent, Name: "Bruno Atendente", Email: "bruno@valeverde.sp.gov.br"},
	{Role: store.RoleAgent, Name: "Júlia Saneamento", Email: "julia@valeverde.sp.gov.br"},
}

// Seed creates the demo data in an empty database and returns the accounts.
// On a database that already has users it changes nothing.
func Seed(ctx context.Context, st *store.Store) ([]Credential, error) {
	n, err := st.CountUsers(ctx)
	if err != nil {
		return nil, err
	}
	creds := make([]Credential, len(People))
	for i, p := range People {
		p.Password = Password
		creds[i] = p
	}
	if n > 0 {
		return creds, nil
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	for _, p := range People {
		if _, err := st.CreateUser(ctx, store.User{Name: p.Name, Email: p.Email, PasswordHash: hash, Role: p.Role}); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", p.Email, err)
		}
	}
	return creds, nil
}
