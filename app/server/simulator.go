package server

import (
	"log/slog"

	"balcao/app/config"
	"balcao/app/simulator"
	"balcao/app/web"
)

// Settings the simulator fills in when they are not set. They are not
// secrets: the simulator exists only in demo mode or when explicitly enabled.
const (
	simAppSecret     = "simulador-app-secret"
	simVerifyToken   = "simulador-verify-token"
	simAccessToken   = "simulador-access-token"
	simPhoneNumberID = "106540352242922"
)

// SimulatorTemplateBody is the text of the approved template as the
// simulator's phone shows it, the one the README asks to register with
// Meta: {{1}} is the protocol number, {{2}} the news (app/notify).
const SimulatorTemplateBody = "Olá! Há novidades no seu protocolo {{1}}: {{2}}. Para falar com a equipe, é só responder esta mensagem."

// useSimulator points the WhatsApp settings at the built-in simulator: empty
// credentials get the simulator's, and the API URL, unless set to something
// else than Meta's, becomes the simulator's Graph stand-in on this server.
func useSimulator(c *config.Config) {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&c.WA.AppSecret, simAppSecret)
	def(&c.WA.VerifyToken, simVerifyToken)
	def(&c.WA.AccessToken, simAccessToken)
	def(&c.WA.PhoneNumberID, simPhoneNumberID)
	if c.WA.APIURL == "" || c.WA.APIURL == config.DefaultGraphURL {
		c.WA.APIURL = c.BaseURL + web.SimulatorGraphPath
	}
}

// newSimulator builds the simulator that plays Meta and the citizens for c.
func newSimulator(c *config.Config, log *slog.Logger) *simulator.Simulator {
	var templates []simulator.TemplateSpec
	if c.WA.Template != "" {
		templates = append(templates, simulator.TemplateSpec{Name: c.WA.Template, Language: c.WA.TemplateLang, Body: SimulatorTemplateBody})
	}
	return simulator.New(simulator.Options{
		AppSecret:     c.WA.AppSecret,
		VerifyToken:   c.WA.VerifyToken,
		AccessToken:   c.WA.AccessToken,
		PhoneNumberID: c.WA.PhoneNumberID,
		WebhookURL:    c.BaseURL + "/webhook/whatsapp",
		Logger:        log,
		EnforceWindow: true,
		Templates:     templates,
	})
}
