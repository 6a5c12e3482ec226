package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// Cell is one value of a table: Text as the page shows it, CSV as the file
// has it (durations in minutes there, so a spreadsheet can add them up).
type Cell struct {
	Text, CSV string
	// Num aligns the cell to the right.
	Num bool
}

// Table is a table of the page that also downloads as CSV.
type Table struct {
	// Key names the table in its CSV URL.
	Key, Title string
	Header     []string
	Rows       [][]Cell
}

func text(s string) Cell { return Cell{Text: s, CSV: s} }

func num(n int) Cell { return Cell{Text: Int(n), CSV: strconv.Itoa(n), Num: true} }

func pct(part, whole int) Cell {
	if whole == 0 {
		return Cell{Text: "—", CSV: "", Num: true}
	}
	p := Decimal(float64(part)*100/float64(whole), 1)
	return Cell{Text: p + " %", CSV: p, Num: true}
}

func dur(ms int64, n int) Cell {
	if n == 0 {
		return Cell{Text: "—", CSV: "", Num: true}
	}
	return Cell{Text: Duration(ms), CSV: Decimal(float64(ms)/60000, 1), Num: true}
}

func mean(c CSATRow) Cell {
	if c.N == 0 {
		return Cell{Text: "—", CSV: "", Num: true}
	}
	s := Decimal(float64(c.Mean)/100, 2)
	return Cell{Text: s, CSV: s, Num: true}
}

// Int formats n the Brazilian way: 1.234.567.
func Int(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Decimal formats f with digits decimals the Brazilian way: 1.234,5.
func Decimal(f float64, digits int) string {
	s := strconv.FormatFloat(f, 'f', digits, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.Atoi(whole)
	out := Int(n)
	if n == 0 && strings.HasPrefix(whole, "-") {
		out = "-0"
	}
	if frac != "" {
		out += "," + frac
	}
	return out
}

// Duration says how long ms is, to the second under an hour, to the minute
// under two days, to the hour beyond: "4 min 05 s", "3 h 20 min", "12 d 4 h".
func Duration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	if d < 0 {
		return "-" + Duration(-ms)
	}
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + " s"
	case d < time.Hour:
		s := int(d.Round(time.Second) / time.Second)
		return strconv.Itoa(s/60) + " min " + two(s%60) + " s"
	case d < 48*time.Hour:
		m := int(d.Round(time.Minute) / time.Minute)
		return strconv.Itoa(m/60) + " h " + two(m%60) + " min"
	}
	h := int(d.Round(time.Hour) / time.Hour)
	return strconv.Itoa(h/24) + " d " + strconv.Itoa(h%24) + " h"
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Weekdays are the rows of the heat map, Monday first.
var Weekdays = [7]string{"Segunda", "Terça", "Quarta", "Quinta", "Sexta", "Sábado", "Domingo"}

func countTable(key, title, label string, rows []Count) Table {
	t := Table{Key: key, Title: title, Header: []string{label, "Abertos", "Encerrados"}}
	for _, c := range rows {
		t.Rows = append(t.Rows, []Cell{text(c.Label), num(c.Opened), num(c.Closed)})
	}
	return t
}

func timesTable(key string, rows []struct {
	name string
	s    Stats
}) Table {
	t := Table{Key: key, Title: "Tempos", Header: []string{"Tempo", "Protocolos", "Média", "Mediana", "90º percentil"}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []Cell{text(r.name), num(r.s.N), dur(r.s.Mean, r.s.N), dur(r.s.Median, r.s.N), dur(r.s.P90, r.s.N)})
	}
	return t
}

func slaTable(key string, rows []SLARow, response bool) Table {
	t := Table{Key: key, Title: "Prazos (SLA) por grupo", Header: []string{"Grupo", "Resolvidos no prazo", "Resolvidos fora do prazo", "% no prazo"}}
	if response {
		t.Header = append(t.Header, "1ª resposta no prazo", "1ª resposta fora do prazo", "1ª resposta pendente", "% 1ª resposta no prazo")
	}
	for _, r := range rows {
		row := []Cell{text(r.Group), num(r.ResolutionMet), num(r.ResolutionMissed), pct(r.ResolutionMet, r.ResolutionMet+r.ResolutionMissed)}
		if response {
			row = append(row, num(r.ResponseMet), num(r.ResponseMissed), num(r.ResponsePending), pct(r.ResponseMet, r.ResponseMet+r.ResponseMissed))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func csatTable(key, title, label string, rows []CSATRow) Table {
	t := Table{Key: key, Title: title, Header: []string{label, "Nota 1", "Nota 2", "Nota 3", "Nota 4", "Nota 5", "Respostas", "Média"}}
	for _, r := range rows {
		row := []Cell{text(r.Label)}
		for _, n := range r.Scores {
			row = append(row, num(n))
		}
		t.Rows = append(t.Rows, append(row, num(r.N), mean(r)))
	}
	return t
}

// Tables are the report's tables, in the page's order.
func (r Report) Tables() []Table {
	days := Table{Key: "dias", Title: "Protocolos por dia", Header: []string{"Dia", "Abertos", "Encerrados"}}
	for _, d := range r.Days {
		days.Rows = append(days.Rows, []Cell{text(d.Day.Format("02/01/2006")), num(d.Opened), num(d.Closed)})
	}
	heat := Table{Key: "horas", Title: "Protocolos abertos por dia da semana e hora", Header: []string{"Dia da semana"}}
	for h := range 24 {
		heat.Header = append(heat.Header, two(h)+"h")
	}
	for wd, row := range r.Heat {
		cells := []Cell{text(Weekdays[wd])}
		for _, n := range row {
			cells = append(cells, num(n))
		}
		heat.Rows = append(heat.Rows, cells)
	}
	bot := Table{Key: "robo", Title: "Robô e atendimento humano", Header: []string{"Conversas", "Quantidade", "%"}}
	all := r.BotOnly + r.HandedOff
	bot.Rows = [][]Cell{{text("Resolvidas só pelo robô"), num(r.BotOnly), pct(r.BotOnly, all)},
		{text("Passadas a um protocolo"), num(r.HandedOff), pct(r.HandedOff, all)}}
	quality := Table{Key: "qualidade", Title: "Reaberturas e abandono", Header: []string{"Indicador", "Protocolos", "% dos abertos"}}
	quality.Rows = [][]Cell{{text("Reabertos"), num(r.Reopened), pct(r.Reopened, r.Opened)},
		{text("Abandonados"), num(r.Abandoned), pct(r.Abandoned, r.Opened)}}
	arts := Table{Key: "artigos", Title: "Base de conhecimento: “Isso resolveu?”", Header: []string{"Artigo", "Sim", "Não", "% sim"}}
	for _, a := range r.Articles {
		arts.Rows = append(arts.Rows, []Cell{text(a.Question), num(a.Yes), num(a.No), pct(a.Yes, a.Yes+a.No)})
	}
	return []Table{
		days, heat,
		countTable("tipos", "Por tipo", "Tipo", r.ByKind),
		countTable("grupos", "Por grupo", "Grupo", r.ByGroup),
		countTable("secretarias", "Por secretaria", "Secretaria", r.ByDepartment),
		countTable("assuntos", "Por caminho no robô (assunto)", "Caminho / assunto", r.BySubject),
		bot,
		timesTable("tempos", []struct {
			name string
			s    Stats
		}{{"Primeira resposta humana", r.FirstResponse}, {"Espera na fila", r.QueueWait},
			{"Atendimento (TMA)", r.Handling}, {"Resolução", r.Resolution}}),
		slaTable("sla", r.SLA, true),
		quality,
		csatTable("satisfacao-atendentes", "Satisfação por atendente", "Atendente", r.CSATByUser),
		csatTable("satisfacao-grupos", "Satisfação por grupo", "Grupo", append(r.CSATByGroup, r.CSATAll)),
		arts,
	}
}

// Tables are the annual report's tables, in the page's order.
func (a Annual) Tables() []Table {
	totals := Table{Key: "totais", Title: "Totais do ano", Header: []string{"Indicador", "Protocolos", "%"}}
	totals.Rows = [][]Cell{{text("Manifestações recebidas"), num(a.Total), pct(a.Total, a.Total)},
		{text("Encerradas"), num(a.Closed), pct(a.Closed, a.Total)},
		{text("Reabertas"), num(a.Reopened), pct(a.Reopened, a.Total)},
		{text("Abandonadas"), num(a.Abandoned), pct(a.Abandoned, a.Total)},
		{text("Conversas sem tipo de manifestação (fora deste relatório)"), num(a.Chats), text("")}}
	words := Table{Key: "palavras", Title: "Palavras mais frequentes nos assuntos", Header: []string{"Palavra", "Protocolos"}}
	for _, w := range a.Words {
		words.Rows = append(words.Rows, []Cell{text(w.Label), num(w.Opened)})
	}
	single := func(key, title, label string, rows []Count) Table {
		t := Table{Key: key, Title: title, Header: []string{label, "Protocolos", "%"}}
		for _, c := range rows {
			t.Rows = append(t.Rows, []Cell{text(c.Label), num(c.Opened), pct(c.Opened, a.Total)})
		}
		return t
	}
	return []Table{
		totals,
		single("tipos", "Por tipo de manifestação", "Tipo", a.ByKind),
		single("situacoes", "Por situação atual", "Situação", a.ByStatus),
		single("assuntos", "Por assunto", "Assunto", a.Subject),
		words,
		timesTable("tempos", []struct {
			name string
			s    Stats
		}{{"Primeira resposta humana", a.FirstResponse}, {"Atendimento (TMA)", a.Handling}, {"Resolução", a.Resolution}}),
		slaTable("sla", a.SLA, false),
		csatTable("satisfacao", "Satisfação dos cidadãos", "Pesquisa", []CSATRow{a.CSAT}),
	}
}

// WriteCSV writes t as CSV for spreadsheets in Brazil: UTF-8 with a byte
// order mark (so accents open right), sep between fields (',' or ';'),
// the header first.
func WriteCSV(w io.Writer, t Table, sep rune) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = sep
	cw.UseCRLF = true
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, c := range row {
			rec[i] = c.CSV
			if !c.Num && strings.ContainsAny(c.CSV[:min(1, len(c.CSV))], "=+-@\t\r") {
				// A text starting like a formula would run as one in a
				// spreadsheet (CSV injection): the apostrophe keeps it text.
				rec[i] = "'" + c.CSV
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
