package whatsapp

import (
	"encoding/json"
	"fmt"
)

// ParseMessage reads one messages[] item as stored from a webhook (the
// message's Raw), for the work that follows it: the bot reads the citizen's
// tap, location or media from it. Fields outside the item (profile name,
// metadata) are empty.
func ParseMessage(raw []byte) (InboundMessage, error) {
	var w wireMessage
	if err := json.Unmarshal(raw, &w); err != nil {
		return InboundMessage{}, fmt.Errorf("whatsapp message: %w", err)
	}
	return w.inbound(json.RawMessage(raw), Metadata{}), nil
}
