package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"balcao/app/hours"
	"balcao/app/store"
)

// GroupSource reads a group of attendance; *store.Store implements it.
type GroupSource interface {
	GroupByID(ctx context.Context, id int64) (store.Group, error)
}

// StoreGroups implements Groups over the store's groups and their business
// hours (America/Sao_Paulo). A group with no hours set is taken as always
// open: nobody configured a closing time, so the bot promises no wait.
type StoreGroups struct{ Source GroupSource }

// GroupHours tells whether group id works at now, and its hours in pt-BR.
func (g StoreGroups) GroupHours(ctx context.Context, id int64, now time.Time) (GroupHours, error) {
	grp, err := g.Source.GroupByID(ctx, id)
	if err != nil {
		return GroupHours{}, err
	}
	return WeekHours(grp.Hours, now), nil
}

// WeekHours describes w at now for a citizen.
func WeekHours(w hours.Week, now time.Time) GroupHours {
	if w.AlwaysClosed() {
		return GroupHours{Open: true}
	}
	loc := hours.SaoPaulo()
	gh := GroupHours{Open: w.OpenAt(now, loc), Hours: DescribeWeek(w)}
	if !gh.Open {
		if next, ok := w.NextOpening(now, loc); ok {
			gh.Next = describeNext(next.In(loc), now.In(loc))
		}
	}
	return gh
}

// DescribeWeek says w in pt-BR: "segunda a sexta, das 08:00 às 17:00;
// sábado, das 08:00 às 12:00". Consecutive days with the same hours are
// joined.
func DescribeWeek(w hours.Week) string {
	var parts []string
	days := hours.MondayFirst
	for i := 0; i < len(days); {
		ivs := w[days[i]]
		j := i
		for j+1 < len(days) && slices.Equal(w[days[j+1]], ivs) {
			j++
		}
		if len(ivs) > 0 {
			name := dayShort[days[i]]
			if j > i+1 {
				name = fmt.Sprintf(txtDayRange, dayShort[days[i]], dayShort[days[j]])
			} else if j == i+1 {
				name = dayShort[days[i]] + " e " + dayShort[days[j]]
			}
			var spans []string
			for _, iv := range ivs {
				spans = append(spans, fmt.Sprintf(txtFromTo, iv.Open, iv.Close))
			}
			parts = append(parts, name+", "+strings.Join(spans, " e "))
		}
		i = j + 1
	}
	return strings.Join(parts, "; ")
}

// describeNext says when next comes, seen from now: "hoje às 13:00",
// "amanhã às 08:00", "na segunda-feira às 08:00".
func describeNext(next, now time.Time) string {
	clock := next.Format("15:04")
	y1, m1, d1 := now.Date()
	y2, m2, d2 := next.Date()
	today := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	day := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	switch int(day.Sub(today).Hours() / 24) {
	case 0:
		return fmt.Sprintf(txtToday, clock)
	case 1:
		return fmt.Sprintf(txtTomorrow, clock)
	}
	if wd := next.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return fmt.Sprintf(txtOnWeekend, dayNames[wd], clock)
	}
	return fmt.Sprintf(txtOnDay, dayNames[next.Weekday()], clock)
}
