package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"balcao/app/bot"
	"balcao/app/server/servertest"
	"balcao/app/store"
	"balcao/app/testutil"
)

// tapOption clicks the test box's last option titled title.
func tapOption(title string) chromedp.Action[chromedp.Void] {
	sel := `[...document.querySelectorAll('#teste-conversa .wa-opt')].filter(b => b.textContent.trim() === ` + jsString(title) + `)`
	return chromedp.Steps(
		WaitJS(sel+`.length > 0`),
		Eval(sel+`.pop().click()`),
	)
}

// TestRoboAndKBEditor is a supervisor's visit: on Robô, "Testar o robô"
// reaches a knowledge-base answer in three taps of the real engine; in the
// knowledge base editor, the preview follows the typing, safely.
func TestRoboAndKBEditor(t *testing.T) {
	browser := NewBrowser(t)
	app := servertest.Start(t, servertest.Options{})
	ctx := context.Background()
	if err := bot.SeedDefaults(ctx, app.Store, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Bot.ReloadMenu(ctx, app.Store); err != nil {
		t.Fatal(err)
	}
	const email, password = "sofia@valeverde.sp.gov.br", "senha-da-sofia-123"
	testutil.AddUser(t, app.Store, store.RoleSupervisor, email, password)
	tab := NewTab(t, browser)

	Do(t, tab, 15*time.Second, "supervisor opens Robô",
		Login(app.URL, email, password),
		chromedp.Navigate(app.URL+"/robo"),
		chromedp.WaitVisible(chromedp.CSS(`#menu`)),
		WaitText(`#menu`, "Segunda via da conta"),
	)
	Do(t, tab, 15*time.Second, "Testar o robô: greeting, then three taps to an answer",
		Type(`#teste-texto`, "oi"),
		chromedp.Click(chromedp.CSS(`#teste-enviar`)),
		WaitText(`#teste-conversa`, "Como posso ajudar"),
		tapOption("Água e esgoto"),
		WaitText(`#teste-conversa`, "escolha o assunto"),
		tapOption("Segunda via da conta"),
		WaitText(`#teste-conversa .wa-bubble`, "Isso resolveu?"),
		tapOption("Sim"),
		WaitText(`#teste-conversa .wa-note`, "Contaria “sim”"),
	)

	Do(t, tab, 15*time.Second, "the KB editor previews the answer as it is typed",
		chromedp.Navigate(app.URL+"/conhecimento/novo"),
		Type(`#f-answer`, "**Pague** em dia <script>window.hacked=1</script> [site](javascript:alert(1))"),
		WaitText(`#previa .kb-html strong`, "Pague"),
		WaitText(`#previa-whatsapp`, "*Pague* em dia"),
		WaitJS(`document.querySelector('#previa script') === null && !window.hacked && document.querySelector('#previa a[href^="javascript"]') === null`),
	)
}
