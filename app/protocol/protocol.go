// Package protocol makes and reads ticket protocol numbers: digits only (a
// citizen types them on a phone keypad), the year first, then the ticket's
// sequence within the year (six digits, zero-padded), then a mod-11 check
// digit, so that a mistyped number is refused instead of naming someone
// else's ticket. They are shown grouped for reading, "2026 000123-4", and
// accepted with or without the separators.
package protocol

import (
	"errors"
	"fmt"
	"strings"
)

// MaxSequence is the last sequence number a year can hold.
const MaxSequence = 999999

// Len is the number of digits of a protocol number.
const Len = 4 + 6 + 1

var (
	// ErrMalformed is returned for text that is not eleven digits (separators aside).
	ErrMalformed = errors.New("protocol: not a protocol number")
	// ErrCheckDigit is returned when the check digit does not match: a typo.
	ErrCheckDigit = errors.New("protocol: wrong check digit")
)

// Number is a protocol number.
type Number struct {
	Year     int
	Sequence int
}

// New returns the number of the seq-th ticket of year.
func New(year, seq int) (Number, error) {
	if year < 1000 || year > 9999 {
		return Number{}, fmt.Errorf("protocol: year %d out of range", year)
	}
	if seq < 1 || seq > MaxSequence {
		return Number{}, fmt.Errorf("protocol: sequence %d out of range", seq)
	}
	return Number{Year: year, Sequence: seq}, nil
}

// body is the number's digits without the check digit.
func (n Number) body() string { return fmt.Sprintf("%04d%06d", n.Year, n.Sequence) }

// Digits is the number as stored and typed: "20260001234".
func (n Number) Digits() string {
	b := n.body()
	return b + string(rune('0'+CheckDigit(b)))
}

// String is the number grouped for reading: "2026 000123-4".
func (n Number) String() string {
	d := n.Digits()
	return d[:4] + " " + d[4:10] + "-" + d[10:]
}

// CheckDigit is the mod-11 check digit of digits: weights 2 to 9 from the
// right, repeating; 11 minus the remainder, and 0 when that is 10 or 11.
// Any single mistyped digit and most swaps of neighbours change it.
func CheckDigit(digits string) int {
	sum, w := 0, 2
	for i := len(digits) - 1; i >= 0; i-- {
		sum += int(digits[i]-'0') * w
		if w++; w > 9 {
			w = 2
		}
	}
	d := 11 - sum%11
	if d >= 10 {
		return 0
	}
	return d
}

// Parse reads a protocol number as a citizen or a clerk types it: digits
// with or without spaces, dots, dashes or slashes between them. A number
// whose check digit does not match is refused with ErrCheckDigit.
func Parse(s string) (Number, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '/' || r == '\u00a0':
		default:
			return Number{}, ErrMalformed
		}
	}
	d := b.String()
	if len(d) != Len {
		return Number{}, ErrMalformed
	}
	if CheckDigit(d[:Len-1]) != int(d[Len-1]-'0') {
		return Number{}, ErrCheckDigit
	}
	var n Number
	fmt.Sscanf(d[:4], "%d", &n.Year)
	fmt.Sscanf(d[4:10], "%d", &n.Sequence)
	if n.Year < 1000 || n.Sequence < 1 {
		return Number{}, ErrMalformed
	}
	return n, nil
}

// Display groups stored digits for reading; anything else is returned as it is.
func Display(digits string) string {
	n, err := Parse(digits)
	if err != nil {
		return digits
	}
	return n.String()
}
