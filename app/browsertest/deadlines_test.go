package browsertest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"balcao/app/hours"
	"balcao/app/server/servertest"
	"balcao/app/store"
	"balcao/app/testutil"
)

// TestOverdueTicketScreen: a supervisor opens a late manifestation, sees it
// labelled late with the time in words, and extends its term with a
// justification, after which it is no longer late.
func TestOverdueTicketScreen(t *testing.T) {
	browser := NewBrowser(t)
	app := servertest.Start(t, servertest.Options{})
	ctx := context.Background()
	const email, password = "sara@valeverde.sp.gov.br", "senha-da-sara-123"
	testutil.AddUser(t, app.Store, store.RoleSupervisor, email, password)
	dept, err := app.Store.CreateDepartment(ctx, store.Department{Name: "Ouvidoria Geral"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := app.Store.CreateGroup(ctx, store.Group{Name: "Ouvidoria", DepartmentID: dept.ID, Level: store.LevelN2, MaxPerAgent: 3,
		Hours: hours.WeekdaysFrom(hours.Interval{Open: 8 * 60, Close: 17 * 60})}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var contact int64
	if err := app.Store.W.QueryRow(`INSERT INTO contacts (wa_id, profile_name, created_at, updated_at) VALUES ('5517988887777', 'Maria', 1, 1) RETURNING id`).Scan(&contact); err != nil {
		t.Fatal(err)
	}
	o, err := app.Store.OpenTicket(ctx, store.NewTicket{ContactID: contact, Status: store.TicketQueued, GroupID: g.ID, Kind: "reclamacao"})
	if err != nil {
		t.Fatal(err)
	}
	// Opened 33 days ago: three days past the legal 30.
	opened := time.Now().Add(-33 * 24 * time.Hour).UnixMilli()
	if _, err := app.Store.W.Exec(`UPDATE tickets SET created_at = ?, due_at = ? WHERE id = ?`, opened, opened+30*24*3600*1000, o.ID); err != nil {
		t.Fatal(err)
	}
	tab := NewTab(t, browser)
	Do(t, tab, 15*time.Second, "the ticket screen says it is late",
		Login(app.URL, email, password),
		chromedp.Navigate(app.URL+"/atendimentos/"+strconv.FormatInt(o.ID, 10)),
		WaitText(`#prazos`, "Atrasado"),
		WaitText(`#prazos li.late`, "atrasado há 3 dias"),
	)
	Do(t, tab, 15*time.Second, "the supervisor extends the term",
		chromedp.Click(chromedp.CSS(`#prazos details.extend summary`)),
		Type(`#form-prazo-resolucao textarea`, "Depende de vistoria da Secretaria de Obras."),
		chromedp.Click(chromedp.CSS(`#form-prazo-resolucao button`)),
		WaitText(`#prazos`, "prorrogado"),
		WaitText(`#prazos`, "vence em 26 dias"),
		WaitJS(`!document.querySelector('#prazos .badge.late')`),
	)
}
