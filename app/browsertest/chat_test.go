package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"balcao/app/server/servertest"
	"balcao/app/store"
	"balcao/app/testutil"
)

// TestCitizenAndClerkChat is the "done means": a citizen types on the
// simulator's phone, the message shows up live in a clerk's Atendimentos, the
// clerk takes the conversation and answers, and the answer reaches the phone
// while the ticks advance to read on both screens.
func TestCitizenAndClerkChat(t *testing.T) {
	browser := NewBrowser(t)
	app := servertest.Start(t, servertest.Options{Simulator: true})
	const email, password = "carla@valeverde.sp.gov.br", "senha-da-carla-123"
	testutil.AddUser(t, app.Store, store.RoleAgent, email, password)
	const citizen, question, answer = "Maria da Silva", "Bom dia! Quero a segunda via da conta de água.", "Olá, Maria! A segunda via segue em instantes."

	phone := NewTab(t, browser)
	clerk := NewTab(t, browser)

	Do(t, clerk, 15*time.Second, "clerk opens Atendimentos",
		Login(app.URL, email, password),
		chromedp.Navigate(app.URL+"/atendimentos"),
		chromedp.WaitVisible(chromedp.CSS(`#lista-aguardando`)),
	)
	servertest.WaitFor(t, "the panel's event stream", 5*time.Second, func() bool { return app.Live.Subscribers() > 0 })

	Do(t, phone, 15*time.Second, "citizen picks a number and writes",
		chromedp.Navigate(app.URL+"/simulador"),
		Type(`input[name="numero"]`, "5517988887777"),
		Type(`input[name="nome"]`, citizen),
		chromedp.Click(chromedp.CSS(`#novo-cidadao`)),
		Type(`#fone-texto`, question),
		chromedp.Click(chromedp.CSS(`#fone-enviar`)),
		WaitText(`.sim-bubble.mine`, question),
	)
	sent := time.Now()

	Do(t, clerk, 5*time.Second, "the message appears in Aguardando, live",
		WaitText(`#lista-aguardando .conv`, question),
	)
	if d := time.Since(sent); d > time.Second {
		t.Errorf("the citizen's message took %v to appear in the panel, want under a second", d)
	}

	Do(t, clerk, 15*time.Second, "clerk opens, takes and answers the conversation",
		chromedp.Click(chromedp.CSS(`#lista-aguardando a.conv-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#mensagens`)),
		WaitText(`#mensagens .bubble.in`, question),
		chromedp.Click(chromedp.CSS(`#assumir`)),
		Type(`#texto`, answer),
		chromedp.Click(chromedp.CSS(`#enviar`)),
		WaitText(`#mensagens .bubble.out`, answer),
	)

	Do(t, phone, 15*time.Second, "the answer reaches the phone, read, and the citizen's message shows read",
		WaitText(`.sim-bubble.theirs`, answer),
		WaitJS(`[...document.querySelectorAll('.sim-bubble.theirs')].some(e => e.textContent.includes(`+jsString(answer)+`) && e.querySelector('.tick.read'))`),
		WaitJS(`document.querySelector('.sim-bubble.mine .tick.read') !== null`),
	)
	Do(t, clerk, 15*time.Second, "the panel's ticks advance to read",
		WaitJS(`[...document.querySelectorAll('#mensagens .bubble.out')].some(e => e.textContent.includes(`+jsString(answer)+`) && e.querySelector('.tick.read'))`),
	)
}
