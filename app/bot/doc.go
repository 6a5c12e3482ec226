// Package bot is balcao's menu engine: given where a citizen is in the
// conversation (a Session) and what they just sent (an Input), it decides
// what to answer and what should happen (a Decision). It sends nothing and
// writes nothing: "the bot decides; something else sends".
//
// A caller (the inbox worker, the panel's "testar o robô" box) does, per
// inbound message of a contact that is not in a clerk's hands:
//
//	sess, _ := bot.DecodeSession(row.State)           // zero Session when there is none
//	d := engine.Decide(ctx, sess, bot.Input{…})
//	for _, err := range d.Errs { log … }               // dependencies that failed; the bot worked around them
//	in one transaction:
//	    for each OpenTicket effect: open the ticket, attach its Answers,
//	        then d.SetProtocol(formatted protocol number)
//	    RecordAnswer → store.AddContactAnswersTx (no ticket)
//	    ArticleFeedback → store.RecordArticleFeedback
//	    OptOut → contacts.opted_out = 1
//	    HandToHuman → the ticket goes to its group's live queue; the bot stays
//	        silent for the contact until the ticket is closed
//	    EndConversation → store.DeleteBotSessionTx, otherwise
//	        store.SaveBotSessionTx(d.Session.Encode())
//	    each Reply → one outbox message (Reply.Plain() is its text for the
//	        history and for FormText; FormList / FormButtons map one to one
//	        onto whatsapp.List / whatsapp.Buttons)
//
// The protocol number does not exist when the engine decides, so replies
// that announce it carry ProtocolPlaceholder; Decision.SetProtocol fills it
// in once the ticket exists (Decision.NeedsProtocol says whether to).
//
// The engine reads what it needs through small interfaces the caller
// implements: KB (satisfied by *store.Store), Protocols and Groups
// (StoreGroups adapts the store's groups and business hours).
package bot
