// Package auth holds password hashing and the login rules of the panel:
// one answer for unknown e-mail and wrong password, and throttling of guessers.
package auth

import (
	"crypto/rand"
	"errors"
	"math/big"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Cost is the bcrypt cost used for new hashes (tests lower it to bcrypt.MinCost).
var Cost = bcrypt.DefaultCost

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// maxPasswordBytes is bcrypt's input limit.
const maxPasswordBytes = 72

// HashPassword returns the bcrypt hash of pw.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), Cost)
	return string(h), err
}

// CheckPassword reports whether pw matches hash.
func CheckPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// PasswordProblem returns a pt-BR message when pw is not acceptable, or "".
func PasswordProblem(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return "A senha precisa ter pelo menos 8 caracteres."
	case len(pw) > maxPasswordBytes:
		return "A senha pode ter no máximo 72 bytes (cerca de 70 letras)."
	}
	return ""
}

// GeneratePassword returns a random password easy to read aloud (no 0/O, 1/l).
func GeneratePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 14)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(errors.New("crypto/rand failed: " + err.Error()))
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}
