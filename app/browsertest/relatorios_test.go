package browsertest

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"balcao/app/server/servertest"
	"balcao/app/store"
)

// TestRelatoriosRender: a supervisor opens Relatórios over a month with
// tickets every day; the day chart and the heat map are drawn (bars of
// width, coloured pixels in a screenshot), and the annual report's print
// style hides the filters.
func TestRelatoriosRender(t *testing.T) {
	browser := NewBrowser(t)
	app := servertest.Start(t, servertest.Options{})
	const email, password = "coord@valeverde.sp.gov.br", "senha-de-teste-123"
	app.LoginAs(store.RoleSupervisor, email)

	now := time.Now()
	var tickets []store.BulkTicket
	for d := range 20 {
		open := now.AddDate(0, 0, -d-1).UnixMilli()
		for range 1 + d%4 {
			tickets = append(tickets, store.BulkTicket{Status: store.TicketClosed, Kind: "reclamacao", Subject: "Ouvidoria › Reclamação",
				CreatedAt: open, LastMessageAt: open + 3_600_000, ClosedAt: open + 3_600_000,
				Events: []store.BulkEvent{{At: open, Kind: "status", To: "em_fila"}}})
		}
	}
	if _, err := app.Store.InsertBulk(context.Background(), []store.BulkContact{{WaID: "5517988880001", CreatedAt: now.AddDate(0, -1, 0).UnixMilli()}},
		tickets); err != nil {
		t.Fatal(err)
	}

	tab := NewTab(t, browser)
	var shot []byte
	Do(t, tab, 20*time.Second, "the supervisor opens Relatórios",
		chromedp.EmulateViewport(1280, 900),
		Login(app.URL, email, password),
		chromedp.Navigate(app.URL+"/relatorios"),
		WaitText(`#resumo`, "Abertos"),
		WaitJS(`document.querySelectorAll('#grafico-dias rect.bar').length === 30`),
		WaitJS(`[...document.querySelectorAll('#grafico-dias rect.bar')].filter(r => r.getBBox().height > 0).length === 20`),
		WaitJS(`document.querySelector('#mapa-horas title').textContent === 'Protocolos abertos por dia da semana e hora'`),
		screenshot(`#grafico-dias`, &shot),
	)
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	blue := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if b>>8 > 200 && r>>8 < 80 && g>>8 < 140 { // the bars' #1f6feb
				blue++
			}
		}
	}
	if w := img.Bounds().Dx(); w < 600 || blue < 500 {
		t.Errorf("chart screenshot %dx%d with %d bar pixels: not drawn", w, img.Bounds().Dy(), blue)
	}
	if dir := os.Getenv("BALCAO_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "relatorios-grafico.png"), shot, 0o644)
	}

	Do(t, tab, 15*time.Second, "the annual report prints without its form",
		chromedp.Navigate(app.URL+"/relatorios/anual?ano="+now.Format("2006")),
		WaitText(`#relatorio-anual h1`, "Relatório anual de gestão da ouvidoria"),
		emulatePrint(),
		WaitJS(`getComputedStyle(document.querySelector('form.report-filters')).display === 'none'`),
		WaitJS(`getComputedStyle(document.querySelector('.topbar')).display === 'none'`),
	)
}

// screenshot captures the element matching sel as PNG into dst.
func screenshot(sel string, dst *[]byte) chromedp.Action[chromedp.Void] {
	shot := chromedp.Screenshot(chromedp.CSS(sel), chromedp.NodeVisible)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		b, err := shot(ctx, t)
		*dst = b
		return chromedp.Void{}, err
	}
}

// emulatePrint makes the page use its print style sheet, as when printing.
func emulatePrint() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	})
}
