package browsertest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"balcao/app/demo"
	"balcao/app/server/servertest"
	"balcao/app/store"
	"balcao/app/testutil"
)

func TestZZTour(t *testing.T) {
	if os.Getenv("TOUR") == "" {
		t.Skip()
	}
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, dir, testutil.MigrationsFS(), testutil.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, st, demo.GenerateOptions{Tickets: 5000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	var overdue int64
	st.R.QueryRow(`SELECT id FROM tickets WHERE status <> 'encerrado' AND due_at < ? ORDER BY id DESC LIMIT 1`, time.Now().UnixMilli()).Scan(&overdue)
	st.Close()
	app := servertest.Start(t, servertest.Options{DataDir: dir, Simulator: true})
	browser := NewBrowser(t)
	tab := NewTab(t, browser)
	Do(t, tab, 20*time.Second, "login", Login(app.URL, demo.People[0].Email, demo.Password))
	pages := map[string]string{
		"painel":     "/painel",
		"relatorios": "/relatorios",
		"anual":      "/relatorios/anual",
		"prazos":     "/prazos",
		"protocolos": "/protocolos",
		"ticket":     "/atendimentos/" + itoa(overdue),
		"grupo":      "/admin/grupos/1",
		"usuario":    "/admin/usuarios/novo",
		"auditoria":  "/admin/auditoria",
	}
	for name, path := range pages {
		Do(t, tab, 20*time.Second, name, chromedp.Navigate(app.URL+path), chromedp.Sleep(1500*time.Millisecond))
		Do(t, tab, 5*time.Second, "viewport", chromedp.EmulateViewport(1280, 1800))
		buf, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(name, err)
		}
		os.WriteFile("/tmp/shots/"+name+".png", buf, 0o644)
	}
}

func itoa(n int64) string { return fmtInt(n) }

func fmtInt(n int64) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}
