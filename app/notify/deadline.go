package notify

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"balcao/app/hours"
	"balcao/app/protocol"
)

// TellExtension queues, in the extension's transaction, the citizen's news
// that their ticket's legal term was extended until due (Unix ms) and why
// (Lei 13.460/2017 art. 16 asks for an express justification). Outside the
// window the template says the new date and the justification waits for
// the citizen's answer.
func (n *Notifier) TellExtension(ctx context.Context, tx *sql.Tx, ticketID, due int64, justification string) error {
	t, err := n.Store.NoticeTargetTx(ctx, tx, ticketID)
	if err != nil {
		return err
	}
	if !Reachable(t) {
		return nil
	}
	date := time.UnixMilli(due).In(hours.SaoPaulo()).Format("02/01/2006")
	text := head(protocol.Display(t.Protocol)) + "o prazo para a resposta foi prorrogado até " + date + ".\nMotivo: " +
		strings.TrimSpace(justification)
	return n.Send(ctx, tx, t, text, "o prazo para a resposta foi prorrogado até "+date+"; responda para ler o motivo", true)
}
