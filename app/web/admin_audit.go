package web

import (
	"net/http"
	"net/url"
	"strconv"

	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/views"
)

// auditPageSize is how many events a page of Auditoria lists.
const auditPageSize = 100

// auditActionLabels names the audited actions in pt-BR; an action missing
// here is shown as recorded.
var auditActionLabels = map[string]string{
	store.AuditIdentityReveal: "Viu a identidade de manifestação sigilosa",
	"login":                   "Entrou no painel",
	"user.create":             "Criou usuário",
	"user.update":             "Alterou usuário",
	"user.deactivate":         "Desativou usuário",
	"user.reactivate":         "Reativou usuário",
	"user.password_reset":     "Redefiniu senha",
	"department.create":       "Criou secretaria",
	"department.update":       "Alterou secretaria",
	"department.delete":       "Excluiu secretaria",
	"group.create":            "Criou grupo",
	"group.update":            "Alterou grupo",
	"group.delete":            "Excluiu grupo",
	"article.create":          "Criou artigo",
	"article.update":          "Alterou artigo",
	"article.delete":          "Excluiu artigo",
	"article.import":          "Importou artigos",
	"api_token.create":        "Criou chave da API",
	"api_token.revoke":        "Revogou chave da API",
	"webhook.update":          "Alterou webhook",
}

// auditList is Administração → Auditoria: the audit log, newest first,
// optionally only the reveals of protected identities (?acao=identity.reveal).
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.AuditFilter{Limit: auditPageSize}
	if q.Get("acao") == store.AuditIdentityReveal {
		f.Action = store.AuditIdentityReveal
	}
	if before, err := strconv.ParseInt(q.Get("antes"), 10, 64); err == nil && before > 0 {
		f.Before = before
	}
	events, err := s.store.AuditEvents(r.Context(), f)
	if err != nil {
		return err
	}
	v := views.AuditView{OnlyReveals: f.Action != ""}
	for _, e := range events {
		v.Rows = append(v.Rows, auditRow(e))
	}
	if len(events) == auditPageSize {
		nq := url.Values{"antes": {strconv.FormatInt(events[len(events)-1].ID, 10)}}
		if f.Action != "" {
			nq.Set("acao", f.Action)
		}
		v.NextURL = "/admin/auditoria?" + nq.Encode()
	}
	return views.AuditPage(s.page(r, "Auditoria", "admin"), v).Render(r.Context(), w)
}

// auditRow is one event as the page shows it.
func auditRow(e store.AuditEvent) views.AuditRow {
	row := views.AuditRow{When: brDate(e.At), Who: e.UserName, Action: e.Action, Subject: e.Subject, Detail: e.Detail}
	if e.UserID == 0 {
		row.Who = "Sistema"
	}
	if label, ok := auditActionLabels[e.Action]; ok {
		row.Action = label
	}
	if e.Action == store.AuditIdentityReveal {
		row.Reveal = true
		if n, err := protocol.Parse(e.Subject); err == nil {
			row.Subject = "Protocolo " + n.String()
			row.SubjectURL = "/protocolos?" + url.Values{"protocolo": {n.Digits()}}.Encode()
		}
	}
	return row
}
