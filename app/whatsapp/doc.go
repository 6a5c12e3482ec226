// Package whatsapp speaks the WhatsApp Cloud API at the transport level: it
// verifies and parses webhook notifications, models and validates outgoing
// messages, sends them and moves media through a small net/http client, and
// classifies the API's errors so a caller knows whether to retry, fall back to
// a template, or stop and alert an administrator.
//
// It has no storage and no business rules. The facts it follows are in
// shared/whatsapp-cloud-api.md: decode tolerantly, decide by error code and
// never by HTTP status, and never let a late status move a message backwards.
//
// Everything a clerk may read (Describe, DescribeError, the placeholders of
// InboundMessage.Text and OutMessage.Summary) is Portuguese and lives in ptbr.go.
package whatsapp
