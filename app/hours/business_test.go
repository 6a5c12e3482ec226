package hours

import (
	"testing"
	"time"
)

func TestAddBusiness(t *testing.T) {
	// 2026-11-23 is a Monday; São Paulo has no daylight saving time.
	nightShift := Week{}
	nightShift[time.Friday] = []Interval{iv("18:00", "24:00")}
	nightShift[time.Saturday] = []Interval{iv("00:00", "06:00")}
	oneMinuteAWeek := Week{}
	oneMinuteAWeek[time.Monday] = []Interval{iv("09:00", "09:01")}
	cases := []struct {
		name    string
		week    Week
		start   time.Time
		minutes int
		want    time.Time
	}{
		{"within the morning", cityHall(), sp(2026, 11, 23, 9, 0, 0), 60, sp(2026, 11, 23, 10, 0, 0)},
		{"across the lunch break", cityHall(), sp(2026, 11, 23, 11, 30, 0), 60, sp(2026, 11, 23, 13, 30, 0)},
		{"started during lunch", cityHall(), sp(2026, 11, 23, 12, 20, 0), 30, sp(2026, 11, 23, 13, 30, 0)},
		{"overnight", cityHall(), sp(2026, 11, 23, 16, 30, 0), 60, sp(2026, 11, 24, 8, 30, 0)},
		{"before opening", cityHall(), sp(2026, 11, 23, 7, 0, 0), 30, sp(2026, 11, 23, 8, 30, 0)},
		{"after closing", cityHall(), sp(2026, 11, 23, 18, 0, 0), 30, sp(2026, 11, 24, 8, 30, 0)},
		{"ends exactly at closing", cityHall(), sp(2026, 11, 23, 8, 0, 0), 480, sp(2026, 11, 23, 17, 0, 0)},
		{"friday into saturday morning", cityHall(), sp(2026, 11, 27, 11, 0, 0), 480, sp(2026, 11, 28, 11, 0, 0)},
		{"over the weekend", cityHall(), sp(2026, 11, 28, 11, 0, 0), 120, sp(2026, 11, 30, 9, 0, 0)},
		{"from sunday", cityHall(), sp(2026, 11, 29, 10, 0, 0), 1, sp(2026, 11, 30, 8, 1, 0)},
		{"a whole week of open time", cityHall(), sp(2026, 11, 23, 8, 0, 0), 44 * 60, sp(2026, 11, 28, 12, 0, 0)},
		{"given in UTC", cityHall(), time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC), 60, sp(2026, 11, 23, 13, 30, 0)},
		{"across midnight", nightShift, sp(2026, 11, 27, 23, 0, 0), 120, sp(2026, 11, 28, 1, 0, 0)},
		{"next week's shift", nightShift, sp(2026, 11, 28, 5, 0, 0), 120, sp(2026, 12, 4, 19, 0, 0)},
		{"month end", cityHall(), sp(2026, 11, 30, 16, 0, 0), 120, sp(2026, 12, 1, 9, 0, 0)},
		{"no time", cityHall(), sp(2026, 11, 29, 10, 0, 0), 0, sp(2026, 11, 29, 10, 0, 0)},
		{"never open: no deadline", Week{}, sp(2026, 11, 23, 9, 0, 0), 60, time.Time{}},
		{"more than ten years away: no deadline", oneMinuteAWeek, sp(2026, 11, 23, 9, 0, 0), 8760 * 60, time.Time{}},
		{"a year of a minute a week", oneMinuteAWeek, sp(2026, 11, 23, 9, 0, 0), 52, sp(2027, 11, 15, 9, 1, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.week.AddBusiness(c.start, c.minutes, SaoPaulo())
			if !got.Equal(c.want) {
				t.Fatalf("AddBusiness(%v, %d) = %v, want %v", c.start, c.minutes, got.In(SaoPaulo()), c.want)
			}
			if c.want.IsZero() || c.minutes == 0 {
				return
			}
			// The open time between the start and the deadline is what was added.
			if back := c.week.BusinessBetween(c.start, got, SaoPaulo()); back != time.Duration(c.minutes)*time.Minute {
				t.Errorf("BusinessBetween(start, deadline) = %v, want %d min", back, c.minutes)
			}
		})
	}
}

func TestBusinessBetween(t *testing.T) {
	cases := []struct {
		name string
		week Week
		a, b time.Time
		want time.Duration
	}{
		{"within the morning", cityHall(), sp(2026, 11, 23, 9, 0, 0), sp(2026, 11, 23, 10, 0, 0), time.Hour},
		{"across the lunch break", cityHall(), sp(2026, 11, 23, 11, 0, 0), sp(2026, 11, 23, 14, 0, 0), 2 * time.Hour},
		{"overnight", cityHall(), sp(2026, 11, 23, 16, 0, 0), sp(2026, 11, 24, 9, 0, 0), 2 * time.Hour},
		{"over the weekend", cityHall(), sp(2026, 11, 27, 16, 0, 0), sp(2026, 11, 30, 9, 0, 0), 6 * time.Hour},
		{"both before opening", cityHall(), sp(2026, 11, 23, 6, 0, 0), sp(2026, 11, 23, 7, 59, 0), 0},
		{"both closed, open between", cityHall(), sp(2026, 11, 23, 7, 0, 0), sp(2026, 11, 23, 18, 0, 0), 8 * time.Hour},
		{"a week", cityHall(), sp(2026, 11, 23, 8, 0, 0), sp(2026, 11, 30, 8, 0, 0), 44 * time.Hour},
		{"sunday only", cityHall(), sp(2026, 11, 29, 0, 0, 0), sp(2026, 11, 29, 23, 0, 0), 0},
		{"seconds count", cityHall(), sp(2026, 11, 23, 9, 0, 0), sp(2026, 11, 23, 9, 0, 30), 30 * time.Second},
		{"reversed", cityHall(), sp(2026, 11, 23, 10, 0, 0), sp(2026, 11, 23, 9, 0, 0), 0},
		{"never open", Week{}, sp(2026, 11, 23, 8, 0, 0), sp(2026, 11, 30, 8, 0, 0), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.week.BusinessBetween(c.a, c.b, SaoPaulo()); got != c.want {
				t.Errorf("BusinessBetween(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
			}
		})
	}
}

// São Paulo has had no daylight saving time since 2019; on the last day it
// began (2018-11-04, 00:00 became 01:00) the open time is what really passed.
func TestBusinessTimeAcrossAClockChange(t *testing.T) {
	sundayNight := Week{}
	sundayNight[time.Sunday] = []Interval{iv("00:00", "06:00")}
	before := sp(2018, 11, 3, 23, 0, 0)
	if got := sundayNight.BusinessBetween(before, sp(2018, 11, 4, 7, 0, 0), SaoPaulo()); got != 5*time.Hour {
		t.Errorf("open time on the day the clocks went forward: %v, want 5h", got)
	}
	if got := sundayNight.AddBusiness(before, 60, SaoPaulo()); !got.Equal(sp(2018, 11, 4, 2, 0, 0)) {
		t.Errorf("an hour from the opening: %v, want 02:00", got.In(SaoPaulo()))
	}
}
