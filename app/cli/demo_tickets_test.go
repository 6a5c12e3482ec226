package cli

import (
	"slices"
	"testing"
)

func TestTicketsFlag(t *testing.T) {
	cases := []struct {
		args []string
		n    int
		rest []string
		bad  bool
	}{
		{nil, 0, nil, false},
		{[]string{"-addr", ":9000"}, 0, []string{"-addr", ":9000"}, false},
		{[]string{"--tickets", "1000000", "-data", "/x"}, 1000000, []string{"-data", "/x"}, false},
		{[]string{"-data", "/x", "-tickets=500"}, 500, []string{"-data", "/x"}, false},
		{[]string{"-tickets"}, 0, nil, true},
		{[]string{"-tickets", "muitos"}, 0, nil, true},
		{[]string{"-tickets=-3"}, 0, nil, true},
	}
	for _, c := range cases {
		n, rest, err := ticketsFlag(c.args)
		if (err != nil) != c.bad || n != c.n || !slices.Equal(rest, c.rest) {
			t.Errorf("ticketsFlag(%q) = %d, %q, %v", c.args, n, rest, err)
		}
	}
}
