package hours

import (
	"slices"
	"time"
)

// maxBusinessDays bounds AddBusiness's walk: a deadline further than ten
// years away is no deadline (it also keeps a week open one minute a week and
// a target of a year of hours from walking millions of days inside a write).
const maxBusinessDays = 3660

// AddBusiness returns the instant when minutes of open time have passed since
// start: a deadline counted in business hours. Closed time (nights, lunch
// breaks, weekends) does not count; a start outside the hours counts from the
// next opening. minutes <= 0 gives start. A week that is never open, or that
// takes more than ten years to give that much open time, has no such
// instant: the zero Time (IsZero) says "no deadline".
func (w Week) AddBusiness(start time.Time, minutes int, loc *time.Location) time.Time {
	if minutes <= 0 {
		return start
	}
	if w.AlwaysClosed() {
		return time.Time{}
	}
	left := time.Duration(minutes) * time.Minute
	lt := start.In(loc)
	y, m, d := lt.Date()
	for range maxBusinessDays {
		for _, iv := range w.sorted(time.Date(y, m, d, 12, 0, 0, 0, loc).Weekday()) {
			open, close := wallTime(y, m, d, iv.Open, loc), wallTime(y, m, d, iv.Close, loc)
			if !close.After(start) {
				continue
			}
			if open.Before(start) {
				open = start
			}
			span := close.Sub(open)
			if span >= left {
				return open.Add(left)
			}
			left -= span
		}
		d++ // time.Date normalises the 32nd of a month
	}
	return time.Time{}
}

// BusinessBetween returns how much open time lies between a and b (0 when b
// is not after a): the time a ticket really waited, counted as AddBusiness
// counts it.
func (w Week) BusinessBetween(a, b time.Time, loc *time.Location) time.Duration {
	if !b.After(a) || w.AlwaysClosed() {
		return 0
	}
	var total time.Duration
	lt := a.In(loc)
	y, m, d := lt.Date()
	for {
		if !time.Date(y, m, d, 0, 0, 0, 0, loc).Before(b) {
			return total
		}
		for _, iv := range w.sorted(time.Date(y, m, d, 12, 0, 0, 0, loc).Weekday()) {
			open, close := wallTime(y, m, d, iv.Open, loc), wallTime(y, m, d, iv.Close, loc)
			if open.Before(a) {
				open = a
			}
			if close.After(b) {
				close = b
			}
			if close.After(open) {
				total += close.Sub(open)
			}
		}
		d++
	}
}

// sorted returns the intervals of day in opening order (Validate wants them
// so, but a week built in code may not have been validated).
func (w Week) sorted(day time.Weekday) []Interval {
	ivs := w[day]
	if slices.IsSortedFunc(ivs, func(a, b Interval) int { return int(a.Open - b.Open) }) {
		return ivs
	}
	ivs = slices.Clone(ivs)
	slices.SortFunc(ivs, func(a, b Interval) int { return int(a.Open - b.Open) })
	return ivs
}
