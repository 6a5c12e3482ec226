package hours

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func iv(open, close string) Interval {
	o, err := ParseClock(open)
	if err != nil {
		panic(err)
	}
	c, err := ParseClock(close)
	if err != nil {
		panic(err)
	}
	return Interval{Open: o, Close: c}
}

// sp is a wall-clock time in São Paulo.
func sp(y int, m time.Month, d, h, min, sec int) time.Time {
	return time.Date(y, m, d, h, min, sec, 0, SaoPaulo())
}

// cityHall is Mon–Fri 08:00–12:00 and 13:00–17:00, Saturday 08:00–12:00.
func cityHall() Week {
	w := WeekdaysFrom(iv("08:00", "12:00"), iv("13:00", "17:00"))
	w[time.Saturday] = []Interval{iv("08:00", "12:00")}
	return w
}

func TestOpenAtAndNextOpening(t *testing.T) {
	// 2026-11-23 is a Monday.
	nightShift := Week{}
	nightShift[time.Friday] = []Interval{iv("18:00", "24:00")}
	nightShift[time.Saturday] = []Interval{iv("00:00", "06:00")}
	onlyWednesday := Week{}
	onlyWednesday[time.Wednesday] = []Interval{iv("09:00", "10:00")}

	cases := []struct {
		name     string
		week     Week
		at       time.Time
		open     bool
		next     time.Time
		neverOpn bool
	}{
		{"monday before opening", cityHall(), sp(2026, 11, 23, 7, 59, 59), false, sp(2026, 11, 23, 8, 0, 0), false},
		{"monday at opening", cityHall(), sp(2026, 11, 23, 8, 0, 0), true, sp(2026, 11, 23, 8, 0, 0), false},
		{"lunch break", cityHall(), sp(2026, 11, 23, 12, 0, 0), false, sp(2026, 11, 23, 13, 0, 0), false},
		{"last second of the afternoon", cityHall(), sp(2026, 11, 23, 16, 59, 59), true, sp(2026, 11, 23, 16, 59, 59), false},
		{"closing time is closed", cityHall(), sp(2026, 11, 23, 17, 0, 0), false, sp(2026, 11, 24, 8, 0, 0), false},
		{"friday evening opens saturday", cityHall(), sp(2026, 11, 27, 18, 0, 0), false, sp(2026, 11, 28, 8, 0, 0), false},
		{"saturday afternoon opens monday", cityHall(), sp(2026, 11, 28, 12, 0, 0), false, sp(2026, 11, 30, 8, 0, 0), false},
		{"sunday", cityHall(), sp(2026, 11, 29, 10, 0, 0), false, sp(2026, 11, 30, 8, 0, 0), false},
		{"sunday midnight edge", cityHall(), sp(2026, 11, 29, 23, 59, 59), false, sp(2026, 11, 30, 8, 0, 0), false},
		{"given in UTC", cityHall(), time.Date(2026, 11, 23, 15, 30, 0, 0, time.UTC), false, sp(2026, 11, 23, 13, 0, 0), false},
		{"open until midnight", nightShift, sp(2026, 11, 27, 23, 59, 59), true, sp(2026, 11, 27, 23, 59, 59), false},
		{"open from midnight", nightShift, sp(2026, 11, 28, 0, 0, 0), true, sp(2026, 11, 28, 0, 0, 0), false},
		{"after the night shift", nightShift, sp(2026, 11, 28, 6, 0, 0), false, sp(2026, 12, 4, 18, 0, 0), false},
		{"same weekday next week", onlyWednesday, sp(2026, 11, 25, 10, 0, 0), false, sp(2026, 12, 2, 9, 0, 0), false},
		{"same weekday earlier", onlyWednesday, sp(2026, 11, 25, 8, 0, 0), false, sp(2026, 11, 25, 9, 0, 0), false},
		{"never open", Week{}, sp(2026, 11, 25, 8, 0, 0), false, time.Time{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.week.OpenAt(c.at, SaoPaulo()); got != c.open {
				t.Errorf("OpenAt(%v) = %v, want %v", c.at, got, c.open)
			}
			next, ok := c.week.NextOpening(c.at, SaoPaulo())
			if ok == c.neverOpn {
				t.Fatalf("NextOpening ok = %v, want %v", ok, !c.neverOpn)
			}
			if !next.Equal(c.next) {
				t.Errorf("NextOpening(%v) = %v, want %v", c.at, next.In(SaoPaulo()), c.next)
			}
		})
	}
}

// São Paulo stopped daylight saving time in 2019: opening at 08:00 is 11:00 UTC
// all year, including the November and February dates when clocks used to change.
func TestSaoPauloHasNoDaylightSaving(t *testing.T) {
	w := WeekdaysFrom(iv("08:00", "17:00"))
	cases := []struct {
		name string
		from time.Time // UTC
		want time.Time // UTC
	}{
		{"old DST start weekend (Nov 2026)", time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 11, 0, 0, 0, time.UTC)},
		{"old DST end weekend (Feb 2027)", time.Date(2027, 2, 21, 12, 0, 0, 0, time.UTC), time.Date(2027, 2, 22, 11, 0, 0, 0, time.UTC)},
		{"southern winter", time.Date(2026, 7, 5, 12, 0, 0, 0, time.UTC), time.Date(2026, 7, 6, 11, 0, 0, 0, time.UTC)},
		{"southern summer", time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC), time.Date(2027, 1, 11, 11, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := w.NextOpening(c.from, SaoPaulo())
			if !ok || !got.Equal(c.want) {
				t.Errorf("NextOpening(%v) = %v %v, want %v", c.from, got.UTC(), ok, c.want)
			}
			if _, off := got.Zone(); off != -3*3600 {
				t.Errorf("offset = %d s, want -10800", off)
			}
		})
	}
}

// On 2018-11-04 São Paulo still jumped from 00:00 to 01:00: an opening at
// midnight that day does not exist and is moved to the first instant after it.
func TestNextOpeningAcrossHistoricalDSTGap(t *testing.T) {
	var w Week
	w[time.Sunday] = []Interval{iv("00:00", "02:00")}
	from := time.Date(2018, 11, 3, 23, 30, 0, 0, SaoPaulo())
	got, ok := w.NextOpening(from, SaoPaulo())
	if !ok || !w.OpenAt(got, SaoPaulo()) || !got.After(from) {
		t.Fatalf("NextOpening = %v %v, want an open instant after %v", got, ok, from)
	}
	if want := time.Date(2018, 11, 4, 3, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("NextOpening = %v, want %v", got.UTC(), want)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	w := cityHall()
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"fri":[["08:00","12:00"],["13:00","17:00"]],"mon":[["08:00","12:00"],["13:00","17:00"]],` +
		`"sat":[["08:00","12:00"]],"thu":[["08:00","12:00"],["13:00","17:00"]],"tue":[["08:00","12:00"],["13:00","17:00"]],` +
		`"wed":[["08:00","12:00"],["13:00","17:00"]]}`
	if string(b) != want {
		t.Errorf("json = %s\nwant   %s", b, want)
	}
	var back Week
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for d := range w {
		if len(back[d]) != len(w[d]) {
			t.Fatalf("day %d: %v, want %v", d, back[d], w[d])
		}
		for i := range w[d] {
			if back[d][i] != w[d][i] {
				t.Errorf("day %d: %v, want %v", d, back[d], w[d])
			}
		}
	}
	var empty Week
	if err := json.Unmarshal([]byte(`{}`), &empty); err != nil || !empty.AlwaysClosed() {
		t.Errorf("{} = %v, %v; want always closed", empty, err)
	}
}

func TestUnmarshalRejects(t *testing.T) {
	for _, in := range []string{
		`{"segunda":[["08:00","17:00"]]}`,
		`{"mon":[["8h","17:00"]]}`,
		`{"mon":[["08:00","24:30"]]}`,
		`{"mon":"08:00-17:00"}`,
		`[]`,
	} {
		var w Week
		if err := json.Unmarshal([]byte(in), &w); err == nil {
			t.Errorf("Unmarshal(%s) accepted: %v", in, w)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		day  []Interval
		ok   bool
	}{
		{"one period", []Interval{iv("08:00", "17:00")}, true},
		{"two periods", []Interval{iv("08:00", "12:00"), iv("13:00", "17:00")}, true},
		{"touching periods", []Interval{iv("08:00", "12:00"), iv("12:00", "17:00")}, true},
		{"whole day", []Interval{iv("00:00", "24:00")}, true},
		{"closes before opening", []Interval{iv("17:00", "08:00")}, false},
		{"empty period", []Interval{iv("08:00", "08:00")}, false},
		{"overlap", []Interval{iv("08:00", "12:00"), iv("11:00", "17:00")}, false},
		{"out of order", []Interval{iv("13:00", "17:00"), iv("08:00", "12:00")}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var w Week
			w[time.Tuesday] = c.day
			err := w.Validate()
			if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
				t.Errorf("Validate() = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	good := map[string]Clock{"00:00": 0, "08:30": 510, "23:59": 1439, "24:00": EndOfDay}
	for in, want := range good {
		if got, err := ParseClock(in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", in, got, err, want)
		}
		if got, _ := ParseClock(in); got.String() != in {
			t.Errorf("%q formats back as %q", in, got.String())
		}
	}
	for _, in := range []string{"", "8:00", "08h00", "25:00", "24:01", "12:60", "-1:00", "ab:cd", "08:00:00"} {
		if _, err := ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
}

// The same rule in a zone that still changes clocks: 02:30 on 2026-03-08 does
// not exist in New York, so the group opens when the clocks jump (03:00 EDT).
func TestNextOpeningInSkippedHour(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	var w Week
	w[time.Sunday] = []Interval{iv("02:30", "04:00")}
	got, ok := w.NextOpening(time.Date(2026, 3, 7, 12, 0, 0, 0, ny), ny)
	if want := time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("NextOpening = %v %v, want %v", got.UTC(), ok, want)
	}
}
