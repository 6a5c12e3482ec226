package views

import (
	"testing"
	"time"

	"balcao/app/hours"
)

func TestHoursSummary(t *testing.T) {
	day := func(o, c int) []hours.Interval {
		return []hours.Interval{{Open: hours.Clock(o * 60), Close: hours.Clock(c * 60)}}
	}
	office := hours.WeekdaysFrom(day(8, 17)...)
	withSaturday := office
	withSaturday[time.Saturday] = day(8, 12)
	split := office
	split[time.Wednesday] = nil
	weekend := hours.Week{}
	weekend[time.Sunday], weekend[time.Saturday] = day(9, 13), day(9, 13)
	allDay := hours.Week{}
	for d := range allDay {
		allDay[d] = day(0, 24)
	}
	cases := []struct {
		name string
		week hours.Week
		want string
	}{
		{"office", office, "seg–sex 08:00–17:00"},
		{"saturday morning", withSaturday, "seg–sex 08:00–17:00 · sáb 08:00–12:00"},
		{"gap midweek", split, "seg–ter 08:00–17:00 · qui–sex 08:00–17:00"},
		{"weekend", weekend, "sáb–dom 09:00–13:00"},
		{"always", allDay, "seg–dom 00:00–24:00"},
		{"never", hours.Week{}, "sem horário de atendimento"},
	}
	for _, c := range cases {
		if got := hoursSummary(c.week); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
