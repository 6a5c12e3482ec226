package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"balcao/app/hours"
	"balcao/app/report"
	"balcao/views"
)

// Everything a supervisor reads in this file is pt-BR.

var (
	msgReportDate    = "Data inválida: use o calendário do campo."
	msgReportOrder   = "A data final é anterior à inicial."
	msgReportTooLong = "Escolha um período de até 10 anos."
	msgReportYear    = "Ano inválido: escolha um ano da lista."
	// reportDefaultDays is the period shown when none is chosen.
	reportDefaultDays = 30
	// reportMaxDays bounds a period (the day chart has one bar per day).
	reportMaxDays = 3660
)

// relatorios is the Relatórios page; a bad period is a 422 with the message by its field.
func (s *Server) relatorios(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, fq, problems := reportFilter(q, time.Now())
	v := views.RelatoriosView{Filter: fq, Errors: problems, Query: reportQuery(fq)}
	if err := s.reportChoices(r, &v); err != nil {
		return err
	}
	if len(problems) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return views.RelatoriosPage(s.page(r, "Relatórios", "relatorios"), v).Render(r.Context(), w)
	}
	rep, err := s.reports().Report(r.Context(), actor(r), f)
	if err != nil {
		return reportError(err)
	}
	v.Shown, v.Tables, v.Volume, v.Heat = true, rep.Tables(), views.NewBarChart(rep), views.NewHeatMap(rep)
	v.Period = "De " + fq.Get("de") + " a " + fq.Get("ate") + " (horário de Brasília)."
	if len(rep.Days) > 0 {
		v.Period = "De " + rep.Days[0].Day.Format("02/01/2006") + " a " + rep.Days[len(rep.Days)-1].Day.Format("02/01/2006") + " (horário de Brasília)."
	}
	v.Summary = []views.Figure{{Label: "Abertos", Value: report.Int(rep.Opened)}, {Label: "Encerrados", Value: report.Int(rep.Closed)},
		{Label: "TMA (média)", Value: statValue(rep.Handling.N, rep.Handling.Mean)},
		{Label: "Primeira resposta (mediana)", Value: statValue(rep.FirstResponse.N, rep.FirstResponse.Median)},
		{Label: "Satisfação (média)", Value: csatValue(rep.CSATAll)}}
	return views.RelatoriosPage(s.page(r, "Relatórios", "relatorios"), v).Render(r.Context(), w)
}

// relatoriosCSV downloads one table of the Relatórios with the page's filters.
func (s *Server) relatoriosCSV(w http.ResponseWriter, r *http.Request) error {
	f, _, problems := reportFilter(r.URL.Query(), time.Now())
	if len(problems) > 0 {
		return errStatus(http.StatusUnprocessableEntity, firstProblem(problems))
	}
	rep, err := s.reports().Report(r.Context(), actor(r), f)
	if err != nil {
		return reportError(err)
	}
	return writeTableCSV(w, r, rep.Tables(), "relatorio-")
}

// relatoriosAnual is the printable annual report of the ouvidoria.
func (s *Server) relatoriosAnual(w http.ResponseWriter, r *http.Request) error {
	now := time.Now().In(hours.SaoPaulo())
	v := views.AnualView{Year: now.Year() - 1, Generated: now.Format("02/01/2006 15:04")}
	for y := now.Year(); y >= now.Year()-9; y-- {
		v.Years = append(v.Years, y)
	}
	year, ok := reportYear(r.URL.Query(), v.Year, v.Years)
	if !ok {
		v.Error = msgReportYear
		w.WriteHeader(http.StatusUnprocessableEntity)
		return views.AnualPage(s.page(r, "Relatório anual", "relatorios"), v).Render(r.Context(), w)
	}
	v.Year = year
	a, err := s.reports().Annual(r.Context(), actor(r), year)
	if err != nil {
		return reportError(err)
	}
	v.Tables = a.Tables()
	v.Summary = []views.Figure{{Label: "Manifestações", Value: report.Int(a.Total)}, {Label: "Encerradas", Value: report.Int(a.Closed)},
		{Label: "Primeira resposta (mediana)", Value: statValue(a.FirstResponse.N, a.FirstResponse.Median)},
		{Label: "Resolução (mediana)", Value: statValue(a.Resolution.N, a.Resolution.Median)},
		{Label: "Satisfação (média)", Value: csatValue(a.CSAT)}}
	return views.AnualPage(s.page(r, "Relatório anual "+strconv.Itoa(year), "relatorios"), v).Render(r.Context(), w)
}

// relatoriosAnualCSV downloads one table of the annual report.
func (s *Server) relatoriosAnualCSV(w http.ResponseWriter, r *http.Request) error {
	now := time.Now().In(hours.SaoPaulo())
	var years []int
	for y := now.Year(); y >= now.Year()-9; y-- {
		years = append(years, y)
	}
	year, ok := reportYear(r.URL.Query(), now.Year()-1, years)
	if !ok {
		return errStatus(http.StatusUnprocessableEntity, msgReportYear)
	}
	a, err := s.reports().Annual(r.Context(), actor(r), year)
	if err != nil {
		return reportError(err)
	}
	return writeTableCSV(w, r, a.Tables(), "relatorio-anual-"+strconv.Itoa(year)+"-")
}

func (s *Server) reports() *report.Service { return &report.Service{Store: s.store} }

func reportError(err error) error {
	if errors.Is(err, report.ErrNotAllowed) {
		return errForbidden
	}
	return err
}

// writeTableCSV sends the table named by the path as CSV; ?sep=; separates by semicolons.
func writeTableCSV(w http.ResponseWriter, r *http.Request, tables []report.Table, prefix string) error {
	key := r.PathValue("tabela")
	i := slices.IndexFunc(tables, func(t report.Table) bool { return t.Key == key })
	if i < 0 {
		return errNotFound
	}
	sep := ','
	// ?sep=; typed as is reaches us raw (Go's query parser skips a pair with a bare ';').
	if r.URL.Query().Get("sep") == ";" || slices.Contains(strings.Split(r.URL.RawQuery, "&"), "sep=;") {
		sep = ';'
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+prefix+key+`.csv"`)
	return report.WriteCSV(w, tables[i], sep)
}

// reportFilter reads the period and filters; fq is the query as the form
// shows it (the default period filled in), problems are pt-BR messages by field.
func reportFilter(q url.Values, now time.Time) (report.Filter, url.Values, map[string]string) {
	fq := cloneValues(q)
	today := now.In(hours.SaoPaulo()).Format(time.DateOnly)
	if fq.Get("ate") == "" {
		fq.Set("ate", today)
	}
	if fq.Get("de") == "" {
		to, _ := time.ParseInLocation(time.DateOnly, fq.Get("ate"), hours.SaoPaulo())
		if to.IsZero() {
			to, _ = time.ParseInLocation(time.DateOnly, today, hours.SaoPaulo())
		}
		fq.Set("de", to.AddDate(0, 0, 1-reportDefaultDays).Format(time.DateOnly))
	}
	problems := map[string]string{}
	f := report.Filter{DepartmentID: queryID(q, "secretaria"), GroupID: queryID(q, "grupo"), UserID: queryID(q, "responsavel")}
	if k := q.Get("tipo"); k == report.KindNone || slices.ContainsFunc(views.TicketKindChoices[1:], func(c views.Choice) bool { return c.Value == k }) {
		f.Kind = k
	}
	var ok bool
	if f.From, ok = dayStart(fq.Get("de"), 0); !ok {
		problems["de"] = msgReportDate
	}
	if f.To, ok = dayStart(fq.Get("ate"), 1); !ok {
		problems["ate"] = msgReportDate
	}
	switch {
	case len(problems) > 0:
	case f.To <= f.From:
		problems["ate"] = msgReportOrder
	case f.To-f.From > int64(reportMaxDays)*24*3_600_000:
		problems["de"] = msgReportTooLong
	}
	return f, fq, problems
}

// reportQuery is the filter as a query string, empty values left out.
func reportQuery(fq url.Values) string {
	out := url.Values{}
	for _, k := range []string{"de", "ate", "secretaria", "grupo", "tipo", "responsavel"} {
		if v := fq.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out.Encode()
}

func firstProblem(p map[string]string) string {
	for _, k := range []string{"de", "ate"} {
		if p[k] != "" {
			return p[k]
		}
	}
	return msgReportDate
}

// reportYear reads ?ano= (def when absent); ok is false for a year not offered.
func reportYear(q url.Values, def int, offered []int) (int, bool) {
	if q.Get("ano") == "" {
		return def, true
	}
	y, err := strconv.Atoi(q.Get("ano"))
	return y, err == nil && slices.Contains(offered, y)
}

// reportChoices fills the selects of the filters.
func (s *Server) reportChoices(r *http.Request, v *views.RelatoriosView) error {
	var pv views.ProtocolosView
	if err := s.filterChoices(r, &pv); err != nil {
		return err
	}
	v.Groups, v.Departments = pv.Groups, pv.Departments
	for _, c := range pv.Assignees {
		if c.Value != "ninguem" {
			v.Users = append(v.Users, c)
		}
	}
	v.Kinds = append(slices.Clone(views.TicketKindChoices[1:]), views.Choice{Value: report.KindNone, Label: "Conversa (sem tipo)"})
	return nil
}

func statValue(n int, ms int64) string {
	if n == 0 {
		return "—"
	}
	return report.Duration(ms)
}

func csatValue(c report.CSATRow) string {
	if c.N == 0 {
		return "—"
	}
	return report.Decimal(float64(c.Mean)/100, 2) + " de 5 (" + report.Int(c.N) + " respostas)"
}
