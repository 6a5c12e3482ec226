package views

import (
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"balcao/app/report"
)

// RelatoriosView is the Relatórios page: the filters, the charts and the tables.
type RelatoriosView struct {
	Filter url.Values
	// Errors are pt-BR messages by field (de, ate); the report is not shown then.
	Errors                            map[string]string
	Kinds, Departments, Groups, Users []Choice
	// Query is the filter as a query string, for the CSV links.
	Query   string
	Shown   bool
	Summary []Figure
	Volume  BarChart
	Heat    HeatMap
	Tables  []report.Table
	// Period says in words which days the report covers.
	Period string
}

// Figure is one headline number of a report.
type Figure struct{ Label, Value string }

// AnualView is the printable annual report of the ouvidoria.
type AnualView struct {
	Year    int
	Years   []int
	Error   string
	Summary []Figure
	Tables  []report.Table
	// Generated says when the report was computed (the city's time).
	Generated string
}

// CSVURL is where table key of the Relatórios downloads.
func (v RelatoriosView) CSVURL(key, sep string) string {
	u := "/relatorios/csv/" + key + "?" + v.Query
	if sep != "" {
		u += "&sep=" + url.QueryEscape(sep)
	}
	return u
}

// AnualCSVURL is where table key of the annual report downloads.
func (v AnualView) AnualCSVURL(key, sep string) string {
	u := "/relatorios/anual/csv/" + key + "?ano=" + strconv.Itoa(v.Year)
	if sep != "" {
		u += "&sep=" + url.QueryEscape(sep)
	}
	return u
}

// BarChart is a server-drawn SVG chart: opened tickets as bars, closed as a line.
type BarChart struct {
	Width, Height int
	Title, Desc   string
	Bars          []Bar
	// Line is the polyline of the closed tickets ("x,y x,y …").
	Line   string
	Grid   []GridLine
	Labels []AxisLabel
	// PlotLeft, PlotRight, PlotBottom frame the plot area.
	PlotLeft, PlotRight, PlotBottom int
}

// Bar is one day's bar.
type Bar struct {
	X, Y, W, H string
	Title      string
}

// GridLine is a horizontal line with its value.
type GridLine struct {
	Y     string
	Label string
}

// AxisLabel is a date under the x axis.
type AxisLabel struct {
	X     string
	Label string
}

// HeatMap is the hour-of-day × weekday SVG.
type HeatMap struct {
	Title, Desc string
	Cells       []HeatCell
	Rows        []AxisLabel
	Cols        []AxisLabel
}

// HeatCell is one weekday-hour square; Opacity grows with its count.
type HeatCell struct {
	X, Y, Opacity string
	Title         string
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// NewBarChart draws the days of r.
func NewBarChart(r report.Report) BarChart {
	c := BarChart{Width: 900, Height: 260, PlotLeft: 56, PlotRight: 890, PlotBottom: 220}
	top := 12.0
	maxV := 1
	opened, closed := 0, 0
	for _, d := range r.Days {
		maxV = max(maxV, d.Opened, d.Closed)
		opened += d.Opened
		closed += d.Closed
	}
	maxV = niceCeil(maxV)
	n := max(1, len(r.Days))
	plotW := float64(c.PlotRight - c.PlotLeft)
	plotH := float64(c.PlotBottom) - top
	step := plotW / float64(n)
	y := func(v int) float64 { return float64(c.PlotBottom) - plotH*float64(v)/float64(maxV) }
	for i := 0; i <= 4; i++ {
		v := maxV * i / 4
		c.Grid = append(c.Grid, GridLine{Y: f1(y(v)), Label: report.Int(v)})
	}
	every := max(1, n/8)
	for i, d := range r.Days {
		x := float64(c.PlotLeft) + step*float64(i)
		day := d.Day.Format("02/01/2006")
		c.Bars = append(c.Bars, Bar{X: f1(x + step*0.1), Y: f1(y(d.Opened)), W: f1(max(step*0.8, 0.5)), H: f1(float64(c.PlotBottom) - y(d.Opened)),
			Title: day + ": " + report.Int(d.Opened) + " abertos, " + report.Int(d.Closed) + " encerrados"})
		if c.Line != "" {
			c.Line += " "
		}
		c.Line += f1(x+step/2) + "," + f1(y(d.Closed))
		if i%every == 0 {
			c.Labels = append(c.Labels, AxisLabel{X: f1(x + step/2), Label: d.Day.Format("02/01")})
		}
	}
	c.Title = "Protocolos abertos e encerrados por dia"
	c.Desc = "Barras: protocolos abertos por dia (" + report.Int(opened) + " no período). Linha: protocolos encerrados por dia (" +
		report.Int(closed) + " no período)."
	return c
}

// niceCeil rounds v up to 4, 8, 20, 40, 80, 200…: four grid lines then
// fall on round numbers.
func niceCeil(v int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{4, 8, 20} {
			if m*p >= v {
				return m * p
			}
		}
	}
}

// NewHeatMap draws the opened tickets by weekday and hour.
func NewHeatMap(r report.Report) HeatMap {
	h := HeatMap{Title: "Protocolos abertos por dia da semana e hora"}
	busiest, bw, bh := 0, 0, 0
	for wd, row := range r.Heat {
		h.Rows = append(h.Rows, AxisLabel{X: strconv.Itoa(40 + wd*26), Label: report.Weekdays[wd]})
		for hr, n := range row {
			op := 0.04
			if r.HeatMax > 0 {
				op = 0.04 + 0.96*float64(n)/float64(r.HeatMax)
			}
			h.Cells = append(h.Cells, HeatCell{X: strconv.Itoa(80 + hr*34), Y: strconv.Itoa(24 + wd*26), Opacity: strconv.FormatFloat(op, 'f', 2, 64),
				Title: report.Weekdays[wd] + ", " + strconv.Itoa(hr) + "h: " + report.Int(n) + " protocolos"})
			if n > busiest {
				busiest, bw, bh = n, wd, hr
			}
		}
	}
	for hr := 0; hr < 24; hr += 2 {
		h.Cols = append(h.Cols, AxisLabel{X: strconv.Itoa(80 + hr*34 + 16), Label: strconv.Itoa(hr) + "h"})
	}
	h.Desc = "Quanto mais escura a célula, mais protocolos abertos naquele dia da semana e hora."
	if busiest > 0 {
		h.Desc += " O horário de maior movimento é " + report.Weekdays[bw] + ", " + strconv.Itoa(bh) + "h, com " + report.Int(busiest) + " protocolos."
	}
	return h
}

// reportChart is the chart drawn above the table key, or nil.
func reportChart(v RelatoriosView, key string) templ.Component {
	switch key {
	case "dias":
		return barChart(v.Volume)
	case "horas":
		return heatMap(v.Heat)
	}
	return nil
}
