package web

import (
	"net/http"

	"balcao/app/api"
	"balcao/app/store"
)

// Handler returns every route of balcao. Machine routes (health, static,
// webhooks, API) carry no session; panel routes get sessions, the user and CSRF.
func (s *Server) Handler() http.Handler {
	machines := http.NewServeMux()
	machines.HandleFunc("GET /healthz", s.healthz)
	machines.Handle("GET /readyz", s.h(s.readyz))
	machines.Handle("GET /static/", s.serveStatic())
	machines.HandleFunc("GET /webhook/whatsapp", s.webhookVerify)
	machines.Handle("POST /webhook/whatsapp", s.metrics.InstrumentWebhook(http.HandlerFunc(s.webhookReceive)))
	machines.HandleFunc("GET /metrics", s.metricsScrape)
	// The integration API authenticates with bearer tokens, not sessions.
	machines.Handle(api.Prefix+"/", s.api)
	if s.sim != nil {
		machines.Handle(SimulatorGraphPath+"/", http.StripPrefix(SimulatorGraphPath, s.sim))
	} else {
		// Demo mode or BALCAO_SIMULATOR only; otherwise nothing under /simulador
		// exists, whatever the method.
		machines.Handle("/simulador", http.NotFoundHandler())
		machines.Handle("/simulador/", http.NotFoundHandler())
	}
	machines.Handle("/", s.panel())

	var h http.Handler = machines
	h = securityHeaders(h)
	h = s.logRequests(h)
	return h
}

// panel returns the routes people use in a browser.
func (s *Server) panel() http.Handler {
	mux := http.NewServeMux()
	admin := s.requireRole(store.RoleAdmin)
	supervisor := s.requireRole(store.RoleAdmin, store.RoleSupervisor, store.RoleOuvidor)
	ouvidor := s.requireRole(store.RoleOuvidor)

	// Sign-in and first run.
	mux.Handle("GET /entrar", s.h(s.loginForm))
	mux.Handle("POST /entrar", s.h(s.login))
	mux.Handle("POST /sair", s.h(s.logout))
	mux.Handle("GET /configuracao-inicial", s.h(s.setupForm))
	mux.Handle("POST /configuracao-inicial", s.h(s.setup))

	// Panel.
	mux.Handle("GET /{$}", s.requireUser(s.h(s.home)))
	mux.Handle("GET /atendimentos", s.requireUser(s.h(s.atendimentos)))
	mux.Handle("GET /atendimentos/listas", s.requireUser(s.h(s.atendimentosLists)))
	mux.Handle("GET /atendimentos/eventos", s.requireUser(s.h(s.atendimentosEvents)))
	mux.Handle("GET /atendimentos/{id}", s.requireUser(s.h(s.conversation)))
	mux.Handle("GET /atendimentos/{id}/mensagens", s.requireUser(s.h(s.conversationMessages)))
	mux.Handle("GET /atendimentos/{id}/acoes", s.requireUser(s.h(s.conversationActions)))
	mux.Handle("POST /atendimentos/{id}/assumir", s.requireUser(s.h(s.chatAction(s.assume))))
	mux.Handle("POST /atendimentos/{id}/responder", s.requireUser(s.h(s.chatAction(s.reply))))
	mux.Handle("POST /atendimentos/{id}/modelo", s.requireUser(s.h(s.chatAction(s.sendTemplate))))
	mux.Handle("POST /atendimentos/{id}/finalizar", s.requireUser(s.h(s.chatAction(s.finish))))
	mux.Handle("POST /atendimentos/{id}/situacao", s.requireUser(s.h(s.chatAction(s.changeStatus))))
	mux.Handle("POST /atendimentos/{id}/encaminhar", s.requireUser(s.h(s.chatAction(s.forward))))
	mux.Handle("POST /atendimentos/{id}/reatribuir", supervisor(s.h(s.chatAction(s.reassign))))
	mux.Handle("POST /atendimentos/{id}/nota", s.requireUser(s.h(s.chatAction(s.note))))
	mux.Handle("POST /atendimentos/{id}/prioridade", s.requireUser(s.h(s.chatAction(s.priority))))
	mux.Handle("POST /atendimentos/{id}/prazo", s.requireUser(s.h(s.chatAction(s.extendDeadline))))
	mux.Handle("POST /atendimentos/{id}/identidade", ouvidor(s.h(s.revealIdentity)))
	mux.Handle("POST /atendente/situacao", s.requireUser(s.h(s.agentStatus)))
	mux.Handle("GET /respostas-prontas", supervisor(s.h(s.quickReplies)))
	mux.Handle("POST /respostas-prontas", supervisor(s.h(s.quickReplySave)))
	mux.Handle("GET /respostas-prontas/{id}", supervisor(s.h(s.quickReplies)))
	mux.Handle("POST /respostas-prontas/{id}", supervisor(s.h(s.quickReplySave)))
	mux.Handle("POST /respostas-prontas/{id}/excluir", supervisor(s.h(s.quickReplyDelete)))
	mux.Handle("POST /atendimentos/{id}/mensagens/{msg}/reenviar", s.requireUser(s.h(s.chatAction(s.resend))))
	mux.Handle("GET /midia/{id}", s.requireUser(s.h(s.media)))

	// The citizen's phone of the WhatsApp simulator: no login (it is the
	// citizen's phone), CSRF as everywhere. Only in demo mode or with
	// BALCAO_SIMULATOR=true; otherwise these paths do not exist.
	if s.sim != nil {
		mux.Handle("GET /simulador", s.h(s.phonePage))
		mux.Handle("GET /simulador/telefones", s.h(s.phoneList))
		mux.Handle("POST /simulador/telefones", s.h(s.phoneAdd))
		mux.Handle("GET /simulador/conversa", s.h(s.phoneConversation))
		mux.Handle("GET /simulador/eventos", s.h(s.phoneEvents))
		mux.Handle("POST /simulador/enviar", s.h(s.phoneSend))
		mux.Handle("POST /simulador/localizacao", s.h(s.phoneLocation))
		mux.Handle("POST /simulador/tocar", s.h(s.phoneTap))
		mux.Handle("GET /simulador/midia/{id}", s.h(s.phoneMedia))
		mux.Handle("POST /simulador/falhas", s.h(s.phoneFault))
	}
	mux.Handle("GET /protocolos", s.requireUser(s.h(s.protocolos)))
	mux.Handle("GET /prazos", supervisor(s.h(s.prazos)))
	// Painel do supervisor: the handlers let in whoever chat.Actor.Supervises.
	mux.Handle("GET /painel", s.requireUser(s.h(s.painel)))
	mux.Handle("GET /painel/dados", s.requireUser(s.h(s.painelData)))
	mux.Handle("GET /painel/eventos", s.requireUser(s.h(s.painelEvents)))
	mux.Handle("GET /contatos/{id}", s.requireUser(s.h(s.contato)))
	mux.Handle("GET /conhecimento", s.requireUser(s.h(s.kbList)))
	mux.Handle("GET /conhecimento/novo", supervisor(s.h(s.kbNew)))
	mux.Handle("POST /conhecimento", supervisor(s.h(s.kbSave)))
	mux.Handle("POST /conhecimento/previa", supervisor(s.h(s.kbPreview)))
	mux.Handle("GET /conhecimento/exportar", s.requireUser(s.h(s.kbExport)))
	mux.Handle("POST /conhecimento/importar", supervisor(s.h(s.kbImport)))
	mux.Handle("GET /conhecimento/{id}", s.requireUser(s.h(s.kbShow)))
	mux.Handle("POST /conhecimento/{id}", supervisor(s.h(s.kbSave)))
	mux.Handle("POST /conhecimento/{id}/excluir", supervisor(s.h(s.kbDelete)))
	// Reports: whoever supervises (chat.Actor.Supervises) may read them; the service decides.
	mux.Handle("GET /relatorios", s.requireUser(s.h(s.relatorios)))
	mux.Handle("GET /relatorios/csv/{tabela}", s.requireUser(s.h(s.relatoriosCSV)))
	mux.Handle("GET /relatorios/anual", s.requireUser(s.h(s.relatoriosAnual)))
	mux.Handle("GET /relatorios/anual/csv/{tabela}", s.requireUser(s.h(s.relatoriosAnualCSV)))
	mux.Handle("GET /robo", supervisor(s.h(s.robo)))
	mux.Handle("POST /robo/raiz", supervisor(s.h(s.menuRoot)))
	mux.Handle("POST /robo/no/{id}", supervisor(s.h(s.menuNodeSave)))
	mux.Handle("POST /robo/no/{id}/filho", supervisor(s.h(s.menuNodeAdd)))
	mux.Handle("POST /robo/no/{id}/mover", supervisor(s.h(s.menuNodeMove)))
	mux.Handle("POST /robo/no/{id}/excluir", supervisor(s.h(s.menuNodeDelete)))
	mux.Handle("POST /robo/testar", supervisor(s.h(s.botTest)))
	mux.Handle("POST /robo/testar/reiniciar", supervisor(s.h(s.botTestRestart)))

	// Administração.
	mux.Handle("GET /admin", admin(s.h(s.adminHome)))
	mux.Handle("GET /admin/usuarios", admin(s.h(s.userList)))
	mux.Handle("GET /admin/usuarios/novo", admin(s.h(s.userNew)))
	mux.Handle("POST /admin/usuarios", admin(s.h(s.userCreate)))
	mux.Handle("GET /admin/usuarios/{id}", admin(s.h(s.userEdit)))
	mux.Handle("POST /admin/usuarios/{id}", admin(s.h(s.userUpdate)))
	mux.Handle("POST /admin/usuarios/{id}/senha", admin(s.h(s.userResetPassword)))
	mux.Handle("GET /admin/secretarias", admin(s.h(s.departmentList)))
	mux.Handle("GET /admin/secretarias/nova", admin(s.h(s.departmentNew)))
	mux.Handle("POST /admin/secretarias", admin(s.h(s.departmentSave)))
	mux.Handle("GET /admin/secretarias/{id}", admin(s.h(s.departmentEdit)))
	mux.Handle("POST /admin/secretarias/{id}", admin(s.h(s.departmentSave)))
	mux.Handle("POST /admin/secretarias/{id}/excluir", admin(s.h(s.departmentDelete)))
	mux.Handle("GET /admin/grupos", admin(s.h(s.groupList)))
	mux.Handle("GET /admin/grupos/novo", admin(s.h(s.groupNew)))
	mux.Handle("POST /admin/grupos", admin(s.h(s.groupSave)))
	mux.Handle("GET /admin/grupos/{id}", admin(s.h(s.groupEdit)))
	mux.Handle("POST /admin/grupos/{id}", admin(s.h(s.groupSave)))
	mux.Handle("POST /admin/grupos/{id}/excluir", admin(s.h(s.groupDelete)))
	mux.Handle("GET /admin/backup", admin(s.h(s.adminBackup)))
	mux.Handle("GET /admin/auditoria", admin(s.h(s.auditList)))
	mux.Handle("GET /admin/integracoes", admin(s.h(s.adminIntegrations)))
	mux.Handle("POST /admin/integracoes/tokens", admin(s.h(s.apiTokenCreate)))
	mux.Handle("POST /admin/integracoes/tokens/{id}/revogar", admin(s.h(s.apiTokenRevoke)))
	mux.Handle("POST /admin/integracoes/webhook", admin(s.h(s.webhookSave)))
	mux.Handle("POST /admin/integracoes/entregas/{id}/reenviar", admin(s.h(s.webhookRetry)))

	mux.Handle("/", s.h(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))

	var h http.Handler = mux
	h = s.checkCSRF(h)
	h = s.loadUser(h)
	h = s.sessions.LoadAndSave(h)
	return h
}
