package store_test

import (
	"context"
	"fmt"
	"testing"

	"balcao/app/store"
	"balcao/app/testutil"
)

// BenchmarkSaveAndRoute measures the database time of one inbound message:
// stored in a group commit of 20, then routed (the single writer's cost per
// message, which bounds the webhook ingest rate).
func BenchmarkSaveAndRoute(b *testing.B) {
	st := testutil.NewStore(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		batch := make([]store.WebhookDelivery, 20)
		for k := range batch {
			i++
			body := []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"55%d","id":"wamid.%d","type":"text","text":{"body":"bom dia quero segunda via"}}]}}]}]}`, i%500, i))
			batch[k] = store.WebhookDelivery{Body: body, Contacts: []store.InboundContact{{WaID: fmt.Sprint("55", i%500), ProfileName: "Maria"}},
				Messages: []store.InboundMessage{{WAMID: fmt.Sprint("wamid.", i), WaID: fmt.Sprint("55", i%500), ProfileName: "Maria", Type: "text", Body: "bom dia quero segunda via", Payload: `{"from":"55","id":"wamid","type":"text","text":{"body":"bom dia quero segunda via"}}`, WATimestamp: 1749854575000}}}
		}
		if _, err := st.SaveWebhooks(ctx, batch); err != nil {
			b.Fatal(err)
		}
		if _, err := st.RoutePending(ctx, 200); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(i), "µs/msg")
}
