package browsertest

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"balcao/app/server/servertest"
	"balcao/app/store"
)

// TestPainelUpdatesLive: a supervisor keeps the Painel open; a citizen's
// message enters the queue and a clerk pauses for lunch, and both show on
// the open page through the event stream, without reloading it.
func TestPainelUpdatesLive(t *testing.T) {
	browser := NewBrowser(t)
	app := servertest.Start(t, servertest.Options{})
	const email, password = "coord@valeverde.sp.gov.br", "senha-de-teste-123"
	app.LoginAs(store.RoleSupervisor, email)
	clerk, _ := app.LoginAs(store.RoleAgent, "rita@valeverde.sp.gov.br")

	tab := NewTab(t, browser)
	Do(t, tab, 15*time.Second, "the supervisor opens the Painel",
		Login(app.URL, email, password),
		chromedp.Navigate(app.URL+"/painel"),
		WaitText(`#painel-atendentes`, "rita"),
		WaitText(`#painel-atendentes tr[data-status="offline"]`, "Offline"),
	)
	servertest.WaitFor(t, "the panel's event stream", 5*time.Second, func() bool { return app.Live.Subscribers() > 0 })

	in := servertest.TextMessage("wamid.painel-1", "5517988880001", "Maria", "Bom dia, preciso de ajuda")
	if status := app.PostWebhook(servertest.MessageWebhook(in)); status != http.StatusOK {
		t.Fatalf("webhook: %d", status)
	}
	Do(t, tab, 10*time.Second, "the chat shows in the queue, live",
		WaitText(`#painel-grupos`, "Sem grupo"),
		WaitJS(`document.querySelector('#painel-grupos td[data-col="fila"]')?.textContent.trim() === "1"`),
	)
	if res := clerk.PostForm("/atendente/situacao", url.Values{"situacao": {"pausado"}, "motivo": {"Almoço"}}); res.Status >= 400 {
		t.Fatalf("pause: %d", res.Status)
	}
	Do(t, tab, 10*time.Second, "the pause shows, live",
		WaitText(`#painel-atendentes tr[data-status="pausado"]`, "Almoço"),
	)
}
