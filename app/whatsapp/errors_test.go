package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	api := func(code, status int) error { return &APIError{Code: code, HTTPStatus: status} }
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"nil", nil, None},
		{"timeout", context.DeadlineExceeded, Retry},
		{"network", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, Retry},
		{"wrapped network", fmt.Errorf("whatsapp: POST: %w", net.ErrClosed), Retry},
		{"checksum", ErrChecksum, Retry},
		{"500 no code", api(0, 500), Retry},
		{"502 no code", api(0, 502), Retry},
		{"429 no code", api(0, 429), Retry},
		{"401 no code", api(0, 401), Fatal},
		{"404 no code", api(0, 404), Permanent},
		{"130429 rate limit", api(130429, 400), Retry},
		{"80007", api(80007, 400), Retry},
		{"4", api(4, 400), Retry},
		{"131057 maintenance", api(131057, 400), Retry},
		{"131000 generic", api(131000, 500), Retry},
		{"131056 pair rate", api(131056, 400), RetryContact},
		{"131047 window", api(131047, 400), Window},
		{"131047 in a webhook", &APIError{Code: 131047}, Window},
		{"190 token, HTTP 200 irrelevant", api(190, 200), Fatal},
		{"190 token", api(190, 401), Fatal},
		{"368 policy", api(368, 403), Fatal},
		{"permission 200", api(200, 403), Fatal},
		{"132000 param count", api(132000, 400), TemplateProblem},
		{"132001 missing", api(132001, 404), TemplateProblem},
		{"132012 format", api(132012, 400), TemplateProblem},
		{"132015 paused", api(132015, 400), TemplateProblem},
		{"132016 disabled", api(132016, 400), TemplateProblem},
		{"100 invalid, even as 500", api(100, 500), Permanent},
		{"131026 undeliverable", api(131026, 400), Permanent},
		{"131051", api(131051, 400), Permanent},
		{"131049", api(131049, 400), Permanent},
		{"131050", api(131050, 400), Permanent},
		{"131052", api(131052, 400), Permanent},
		{"131053", api(131053, 400), Permanent},
		{"unknown code 4xx", api(999999, 400), Permanent},
		{"unknown code 5xx", api(999999, 503), Retry},
		{"unknown transient", &APIError{Code: 999998, Transient: true, HTTPStatus: 400}, Retry},
		{"invalid message", Text("5517", "").Validate(), Permanent},
		{"too large", fmt.Errorf("x: %w", ErrTooLarge), Permanent},
		{"unreadable 2xx", ErrUnexpectedResponse, Permanent},
		{"not configured", fmt.Errorf("%w: BaseURL is empty", ErrNotConfigured), Fatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	for _, c := range []Class{None, Retry, RetryContact, Window, TemplateProblem, Fatal, Permanent} {
		if want := c == Fatal || c == TemplateProblem; c.AlertAdmin() != want {
			t.Errorf("%v.AlertAdmin() = %v", c, !want)
		}
		if strings.HasPrefix(c.String(), "class(") {
			t.Errorf("class %d has no name", int(c))
		}
	}
}

func TestDescribe(t *testing.T) {
	for _, code := range []int{4, 100, 190, 368, 80007, 130429, 131000, 131026, 131047, 131049, 131050, 131051, 131052, 131053, 131056, 131057, 132000, 132001, 132012, 132015, 132016} {
		d := Describe(code)
		if d == "" || strings.Contains(d, "código") {
			t.Errorf("Describe(%d) = %q, want a specific description", code, d)
		}
	}
	if got := Describe(131047); got != "Fora da janela de 24 horas: envie um modelo aprovado" {
		t.Errorf("Describe(131047) = %q", got)
	}
	if got := Describe(424242); got != "Erro do WhatsApp (código 424242)" {
		t.Errorf("Describe(unknown) = %q", got)
	}
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&APIError{Code: 131056}, Describe(131056)},
		{&APIError{HTTPStatus: http.StatusNotFound}, "Não encontrado no WhatsApp (arquivo expirado ou removido)"},
		{context.DeadlineExceeded, "Falha de comunicação com o WhatsApp; novo envio em instantes"},
		{Buttons("5517988887777", "x").Validate(), "Mensagem fora dos limites do WhatsApp: revise o texto e as opções"},
	}
	for _, tt := range tests {
		if got := DescribeError(tt.err); got != tt.want {
			t.Errorf("DescribeError(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestAPIErrorMessage(t *testing.T) {
	tests := []struct {
		err  APIError
		want string
	}{
		{APIError{Code: 130429, Message: "(#130429) Rate limit hit", Details: "throughput", HTTPStatus: 400}, "whatsapp: (#130429) Rate limit hit: throughput (HTTP 400)"},
		{APIError{Code: 131047, Title: "Re-engagement message"}, "whatsapp: (#131047) Re-engagement message"},
		{APIError{HTTPStatus: 502, Message: "Bad Gateway"}, "whatsapp: Bad Gateway (HTTP 502)"},
		{APIError{}, "whatsapp: API error"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
