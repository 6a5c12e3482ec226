// Package hours is the business-hours value of an attendance group: for each
// weekday either closed or one or more open intervals, in the city's local time.
// It answers "is it open now?" and "when does it open next?" and knows nothing
// about HTTP or SQL.
package hours

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
	_ "time/tzdata" // the static binary must find America/Sao_Paulo on VMs without tzdata
)

// Zone is the IANA name of the time zone balcao uses for business hours.
const Zone = "America/Sao_Paulo"

var (
	zoneOnce sync.Once
	zoneLoc  *time.Location
)

// SaoPaulo returns the America/Sao_Paulo location (embedded tzdata, so it never
// depends on the machine). Brazil has had no daylight saving time since 2019.
func SaoPaulo() *time.Location {
	zoneOnce.Do(func() {
		loc, err := time.LoadLocation(Zone)
		if err != nil {
			// Unreachable with time/tzdata embedded; UTC-3 is today's rule anyway.
			loc = time.FixedZone("-03", -3*60*60)
		}
		zoneLoc = loc
	})
	return zoneLoc
}

// Clock is a time of day in minutes after midnight. EndOfDay (24:00) may close
// an interval so that a day can be open until midnight.
type Clock int

// EndOfDay is 24:00, the latest closing time.
const EndOfDay Clock = 24 * 60

// ParseClock reads "HH:MM" (00:00 to 24:00).
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("time of day %q: want HH:MM", s)
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time of day %q: want HH:MM between 00:00 and 24:00", s)
	}
	return Clock(h*60 + m), nil
}

// String formats c as "HH:MM".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Interval is an open period within one day: from Open (inclusive) to Close (exclusive).
type Interval struct {
	Open, Close Clock
}

// MarshalJSON writes the interval as ["08:00","17:00"].
func (iv Interval) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{iv.Open.String(), iv.Close.String()})
}

// UnmarshalJSON reads ["08:00","17:00"].
func (iv *Interval) UnmarshalJSON(b []byte) error {
	var pair [2]string
	if err := json.Unmarshal(b, &pair); err != nil {
		return fmt.Errorf("interval: want [\"HH:MM\",\"HH:MM\"]: %w", err)
	}
	var err error
	if iv.Open, err = ParseClock(pair[0]); err != nil {
		return err
	}
	iv.Close, err = ParseClock(pair[1])
	return err
}

// Week holds the open intervals of each day, indexed by time.Weekday (Sunday = 0).
// A day without intervals is closed.
type Week [7][]Interval

// DayKeys are the JSON keys of the days, indexed by time.Weekday.
var DayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// MondayFirst is the order in which people in Brazil read a week.
var MondayFirst = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// WeekdaysFrom returns a week open Monday to Friday with the given intervals.
func WeekdaysFrom(intervals ...Interval) Week {
	var w Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = slices.Clone(intervals)
	}
	return w
}

// MarshalJSON writes {"mon":[["08:00","17:00"]], ...}; closed days are left out.
func (w Week) MarshalJSON() ([]byte, error) {
	m := map[string][]Interval{}
	for d, ivs := range w {
		if len(ivs) > 0 {
			m[DayKeys[d]] = ivs
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads the form MarshalJSON writes; unknown day keys are an error.
func (w *Week) UnmarshalJSON(b []byte) error {
	var m map[string][]Interval
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("business hours: %w", err)
	}
	*w = Week{}
	for key, ivs := range m {
		d := slices.Index(DayKeys[:], key)
		if d < 0 {
			return fmt.Errorf("business hours: unknown day %q", key)
		}
		w[d] = ivs
	}
	return nil
}

// ErrInvalid is wrapped by every Validate failure.
var ErrInvalid = errors.New("invalid business hours")

// Validate checks that every interval closes after it opens and that the
// intervals of a day are in order and do not overlap.
func (w Week) Validate() error {
	for d, ivs := range w {
		var prevClose Clock = -1
		for _, iv := range ivs {
			if iv.Open < 0 || iv.Close > EndOfDay || iv.Open >= iv.Close {
				return fmt.Errorf("%w: %s %s-%s closes before it opens", ErrInvalid, DayKeys[d], iv.Open, iv.Close)
			}
			if iv.Open < prevClose {
				return fmt.Errorf("%w: %s intervals overlap or are out of order", ErrInvalid, DayKeys[d])
			}
			prevClose = iv.Close
		}
	}
	return nil
}

// AlwaysClosed reports whether no day has an open interval.
func (w Week) AlwaysClosed() bool {
	for _, ivs := range w {
		if len(ivs) > 0 {
			return false
		}
	}
	return true
}

// OpenAt reports whether t falls inside an open interval, reading t's wall
// clock in loc.
func (w Week) OpenAt(t time.Time, loc *time.Location) bool {
	lt := t.In(loc)
	now := Clock(lt.Hour()*60 + lt.Minute())
	for _, iv := range w[lt.Weekday()] {
		if iv.Open <= now && now < iv.Close {
			return true
		}
	}
	return false
}

// NextOpening returns the earliest instant at or after t when the week is open:
// t itself when open at t, otherwise the start of the next interval. It reports
// false when the week is never open.
func (w Week) NextOpening(t time.Time, loc *time.Location) (time.Time, bool) {
	if w.OpenAt(t, loc) {
		return t, true
	}
	lt := t.In(loc)
	// Eight days: today's later intervals, the next six days, and today's weekday again.
	for offset := range 8 {
		day := lt.AddDate(0, 0, offset)
		ivs := slices.Clone(w[day.Weekday()])
		slices.SortFunc(ivs, func(a, b Interval) int { return int(a.Open - b.Open) })
		for _, iv := range ivs {
			start := wallTime(day.Year(), day.Month(), day.Day(), iv.Open, loc)
			if !start.Before(t) {
				return start, true
			}
		}
	}
	return time.Time{}, false
}

// wallTime is the instant the clocks of loc show c on the given date. A wall
// time skipped by a daylight-saving change becomes the instant of the change
// (time.Date leaves the choice of side open).
func wallTime(y int, m time.Month, d int, c Clock, loc *time.Location) time.Time {
	t := time.Date(y, m, d, int(c)/60, int(c)%60, 0, 0, loc)
	want := time.Date(y, m, d, int(c)/60, int(c)%60, 0, 0, time.UTC)
	got := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	switch {
	case got.Before(want):
		_, end := t.ZoneBounds()
		return end
	case got.After(want):
		start, _ := t.ZoneBounds()
		return start
	}
	return t
}
