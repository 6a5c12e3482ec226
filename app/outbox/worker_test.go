package outbox_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/app/whatsapp"
)

const citizen = "5517988887777"

func TestSendsEveryKindAndRecordsTheWamid(t *testing.T) {
	r := newRig(t, simulator.Options{})
	r.start(fastOptions())
	c := contact(t, r.st, citizen)
	msgs := []whatsapp.OutMessage{
		whatsapp.Text(citizen, "Olá! Seu protocolo é 2026 000123-4."),
		whatsapp.List(citizen, "Escolha uma opção", "", whatsapp.Section{Title: "Serviços", Rows: []whatsapp.Row{{ID: "agua", Title: "Água"}}}),
		whatsapp.Buttons(citizen, "Resolveu?", whatsapp.Button{ID: "sim", Title: "Sim"}, whatsapp.Button{ID: "nao", Title: "Não"}),
		whatsapp.Template(citizen, "atualizacao_atendimento", "pt_BR", "nº 12"),
	}
	var qs []queued
	for _, m := range msgs {
		qs = append(qs, r.enqueue(c, m))
	}
	for _, q := range qs {
		row := r.waitState(q, store.OutboxSent, 5*time.Second)
		if row.WAMID == "" || row.Attempts != 1 {
			t.Errorf("row %d: wamid %q attempts %d", q.outboxID, row.WAMID, row.Attempts)
		}
	}
	sent := r.sim.Sent()
	if len(sent) != len(msgs) {
		t.Fatalf("simulator accepted %d messages, want %d", len(sent), len(msgs))
	}
	for i, s := range sent { // one citizen: in order
		if got := r.row(qs[i]).WAMID; got != s.ID {
			t.Errorf("message %d: recorded wamid %q, simulator gave %q", i, got, s.ID)
		}
		if st, _, _ := message(t, r.st, qs[i].messageID); st == "queued" {
			t.Errorf("message %d still queued", i)
		}
	}
}

func TestFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault simulator.Fault
		opts  func(*rigOptions)
		// want: final state, attempts (0: any), error code and a piece of the clerk's text.
		state    string
		attempts int
		code     int
		text     string
	}{
		{name: "500 is retried then sent", fault: simulator.Fault{Kind: simulator.FaultServerError, Count: 2},
			state: store.OutboxSent, attempts: 3},
		{name: "130429 backs off then sent", fault: simulator.Fault{Kind: simulator.FaultAPIError, Code: 130429, Count: 2},
			state: store.OutboxSent, attempts: 3},
		{name: "80007 backs off then sent", fault: simulator.Fault{Kind: simulator.FaultAPIError, Code: 80007, Count: 1},
			state: store.OutboxSent, attempts: 2},
		{name: "131057 maintenance retried", fault: simulator.Fault{Kind: simulator.FaultAPIError, Code: 131057, Count: 1},
			state: store.OutboxSent, attempts: 2},
		{name: "timeout is retried then sent", fault: simulator.Fault{Kind: simulator.FaultTimeout, Count: 1},
			opts: func(o *rigOptions) { o.clientTimeout = 300 * time.Millisecond }, state: store.OutboxSent, attempts: 2},
		{name: "retries are bounded", fault: simulator.Fault{Kind: simulator.FaultServerError},
			opts: func(o *rigOptions) { o.maxAttempts = 3 }, state: store.OutboxFailed, attempts: 3, text: "após 3 tentativas"},
		{name: "131047 fails and asks for the template", fault: simulator.Fault{Kind: simulator.FaultAPIError, Code: 131047},
			state: store.OutboxFailed, attempts: 1, code: 131047, text: "atualizacao_atendimento"},
		{name: "131026 fails for good", fault: simulator.Fault{Kind: simulator.FaultAPIError, Code: 131026},
			state: store.OutboxFailed, attempts: 1, code: 131026, text: whatsapp.Describe(131026)},
		{name: "100 (bad parameter) fails for good", fault: simulator.Fault{Kind: simulator.FaultAPIError, Code: 100},
			state: store.OutboxFailed, attempts: 1, code: 100, text: whatsapp.Describe(100)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ro := rigOptions{clientTimeout: 2 * time.Second, maxAttempts: 10}
			if c.opts != nil {
				c.opts(&ro)
			}
			r := newRig(t, simulator.Options{})
			r.client.HTTP.Timeout = ro.clientTimeout
			opts := fastOptions()
			opts.MaxAttempts = ro.maxAttempts
			r.sim.SetFault(c.fault)
			r.start(opts)
			q := r.enqueue(contact(t, r.st, citizen), whatsapp.Text(citizen, "Sua solicitação foi registrada."))
			row := r.waitState(q, c.state, 10*time.Second)
			if c.attempts != 0 && row.Attempts != c.attempts {
				t.Errorf("attempts %d, want %d", row.Attempts, c.attempts)
			}
			if got := r.sim.SendCount(); got != row.Attempts {
				t.Errorf("simulator saw %d requests for %d attempts", got, row.Attempts)
			}
			status, code, text := message(t, r.st, q.messageID)
			switch c.state {
			case store.OutboxSent:
				if len(r.sim.Sent()) != 1 || status != "accepted" && status != "sent" && status != "delivered" && status != "read" {
					t.Errorf("accepted %d, message status %q", len(r.sim.Sent()), status)
				}
			case store.OutboxFailed:
				if status != "failed" || code != c.code || !strings.Contains(text, c.text) {
					t.Errorf("message shows %q code %d %q; want failed, code %d, text with %q", status, code, text, c.code, c.text)
				}
			}
			if a := r.w.Alert(); a.Active() {
				t.Errorf("unexpected alert %+v", a)
			}
		})
	}
}

type rigOptions struct {
	clientTimeout time.Duration
	maxAttempts   int
}

func TestPairRateLimitPacesOnlyThatCitizen(t *testing.T) {
	const paced, other = "5511911110001", "5511922220002"
	r := newRig(t, simulator.Options{})
	opts := fastOptions()
	r.sim.SetFault(simulator.Fault{Kind: simulator.FaultAPIError, Code: 131056, To: paced, Count: 1})
	cp, co := contact(t, r.st, paced), contact(t, r.st, other)
	first := enqueueMessage(t, r.st, nil, cp, whatsapp.Text(paced, "primeira"), 0)
	second := enqueueMessage(t, r.st, nil, cp, whatsapp.Text(paced, "segunda"), 0)
	var others []queued
	for i := range 5 {
		others = append(others, enqueueMessage(t, r.st, nil, co, whatsapp.Text(other, "mensagem "+string(rune('A'+i))), 0))
	}
	r.start(opts)
	r.waitState(second, store.OutboxSent, 10*time.Second)
	r.waitState(others[len(others)-1], store.OutboxSent, time.Second)

	times := r.sim.SendTimes(paced)
	if len(times) != 3 {
		t.Fatalf("paced citizen got %d requests, want 3 (refused, then both messages)", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < opts.PairInterval {
		t.Errorf("paced citizen retried after %v, want at least %v", gap, opts.PairInterval)
	}
	if row := r.row(first); row.Attempts != 2 {
		t.Errorf("first message attempts %d, want 2", row.Attempts)
	}
	// Order kept: the second message waited behind the paced first one.
	var order []string
	for _, s := range r.sim.Sent() {
		if s.To == paced {
			order = append(order, s.Message.Text.Body)
		}
	}
	if strings.Join(order, ",") != "primeira,segunda" {
		t.Errorf("paced citizen received %v", order)
	}
	// Everyone else was not held back by the pacing.
	otherTimes := r.sim.SendTimes(other)
	if last := otherTimes[len(otherTimes)-1]; !last.Before(times[0].Add(opts.PairInterval)) {
		t.Errorf("other citizen's last message went at +%v, after the paced retry window", last.Sub(times[0]))
	}
}

func TestFatalErrorStopsSendingUntilFixed(t *testing.T) {
	for _, code := range []int{190, 368} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			r := newRig(t, simulator.Options{})
			opts := fastOptions()
			w := r.start(opts)
			r.sim.SetFault(simulator.Fault{Kind: simulator.FaultAPIError, Code: code})
			c := contact(t, r.st, citizen)
			var qs []queued
			for _, body := range []string{"um", "dois", "três"} {
				qs = append(qs, r.enqueue(c, whatsapp.Text(citizen, body)))
			}
			waitFor(t, 5*time.Second, "the alert", func() bool { return w.Alert().Stopped })
			a := <-r.alerts
			if !a.Stopped || a.Code != code || !strings.Contains(a.Text, "PARADO") || !strings.Contains(w.Banner(), "PARADO") {
				t.Fatalf("alert %+v, banner %q", a, w.Banner())
			}
			// A few probes later: nothing lost, nothing failed, no hammering
			// (between probes every row is back in line, untried).
			time.Sleep(3 * opts.ProbeEvery)
			waitFor(t, time.Second, "every row pending and untried", func() bool {
				for _, q := range qs {
					if row := r.row(q); row.State != store.OutboxPending || row.Attempts != 0 {
						return false
					}
				}
				return true
			})
			if n := r.sim.SendCount(); n > 6 {
				t.Errorf("%d requests while stopped, want only the occasional probe", n)
			}
			// The administrator fixes the token: sending resumes by itself, in order.
			r.sim.ClearFault()
			for _, q := range qs {
				r.waitState(q, store.OutboxSent, 5*time.Second)
			}
			if a := w.Alert(); a.Active() || w.Banner() != "" {
				t.Errorf("alert still up after recovery: %+v", a)
			}
			var bodies []string
			for _, s := range r.sim.Sent() {
				bodies = append(bodies, s.Message.Text.Body)
			}
			if strings.Join(bodies, ",") != "um,dois,três" {
				t.Errorf("sent %v", bodies)
			}
		})
	}
}

func TestTemplateProblemFailsAndAlerts(t *testing.T) {
	r := newRig(t, simulator.Options{Templates: []simulator.TemplateSpec{{Name: "atualizacao_atendimento", Language: "pt_BR", Body: "Sua solicitação {{1}} foi atualizada."}}})
	w := r.start(fastOptions())
	c := contact(t, r.st, citizen)
	bad := r.enqueue(c, whatsapp.Template(citizen, "modelo_inexistente", "pt_BR", "x"))
	r.waitState(bad, store.OutboxFailed, 5*time.Second)
	if _, code, text := message(t, r.st, bad.messageID); code != 132001 || text == "" {
		t.Errorf("message shows code %d %q", code, text)
	}
	a := w.Alert()
	if !a.Active() || a.Stopped || a.Code != 132001 || !strings.Contains(a.Text, "modelo_inexistente") {
		t.Fatalf("alert %+v", a)
	}
	// Other messages still go, and a good template clears the alert.
	good := r.enqueue(c, whatsapp.Template(citizen, "atualizacao_atendimento", "pt_BR", "nº 7"))
	r.waitState(good, store.OutboxSent, 5*time.Second)
	if a := w.Alert(); a.Active() {
		t.Errorf("alert still up: %+v", a)
	}
}

func TestOutboundMediaIsUploadedOnceThenSent(t *testing.T) {
	r := newRig(t, simulator.Options{})
	r.start(fastOptions())
	ctx := context.Background()
	c := contact(t, r.st, citizen)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2048)...)
	pdf := []byte("%PDF-1.4\n% balcao\n")
	imgID, err := r.st.Media.SaveMedia(ctx, "image/png", "foto.png", png, "")
	if err != nil {
		t.Fatal(err)
	}
	pdfID, err := r.st.Media.SaveMedia(ctx, "application/pdf", "segunda-via.pdf", pdf, "")
	if err != nil {
		t.Fatal(err)
	}
	q1 := enqueueMessage(t, r.st, r.w, c, whatsapp.Image(citizen, store.LocalMediaRef(imgID), "Foto do local"), imgID)
	q2 := enqueueMessage(t, r.st, r.w, c, whatsapp.Document(citizen, store.LocalMediaRef(pdfID), "segunda-via.pdf", ""), pdfID)
	q3 := enqueueMessage(t, r.st, r.w, c, whatsapp.Image(citizen, store.LocalMediaRef(imgID), "De novo"), imgID)
	for _, q := range []queued{q1, q2, q3} {
		r.waitState(q, store.OutboxSent, 5*time.Second)
	}
	sent := r.sim.Sent()
	if len(sent) != 3 || sent[0].Message.Image == nil || sent[1].Message.Document == nil {
		t.Fatalf("sent %+v", sent)
	}
	for i, want := range [][]byte{png, pdf} {
		ref := sent[i].Message.Image
		if ref == nil {
			ref = sent[i].Message.Document
		}
		data, _, _, ok := r.sim.MediaBytes(ref.ID)
		if !ok || !bytes.Equal(data, want) {
			t.Errorf("message %d: media %q not the stored file", i, ref.ID)
		}
	}
	if sent[2].Message.Image.ID != sent[0].Message.Image.ID {
		t.Errorf("second send of the same file uploaded again (%s, %s)", sent[0].Message.Image.ID, sent[2].Message.Image.ID)
	}
	if sent[1].Message.Document.Filename != "segunda-via.pdf" {
		t.Errorf("document filename %q", sent[1].Message.Document.Filename)
	}
	f, err := r.st.Media.Media(ctx, imgID)
	if err != nil || f.WAMediaID != sent[0].Message.Image.ID {
		t.Errorf("cached media id %q, err %v", f.WAMediaID, err)
	}

	// WhatsApp forgot the upload: the worker uploads again instead of failing.
	if err := r.st.Media.SetWAMediaID(ctx, imgID, "999999999"); err != nil {
		t.Fatal(err)
	}
	q4 := enqueueMessage(t, r.st, r.w, c, whatsapp.Image(citizen, store.LocalMediaRef(imgID), ""), imgID)
	row := r.waitState(q4, store.OutboxSent, 5*time.Second)
	if row.Attempts != 2 {
		t.Errorf("stale media id: attempts %d, want 2", row.Attempts)
	}

	// A file missing from media.db fails with a text the clerk understands.
	q5 := enqueueMessage(t, r.st, r.w, c, whatsapp.Image(citizen, store.LocalMediaRef(424242), ""), 0)
	r.waitState(q5, store.OutboxFailed, 5*time.Second)
	if _, _, text := message(t, r.st, q5.messageID); !strings.Contains(text, "anexe-o de novo") {
		t.Errorf("missing file text %q", text)
	}
}

func TestGracefulStopFinishesInFlightSends(t *testing.T) {
	r := newRig(t, simulator.Options{})
	r.start(fastOptions())
	for i := range 20 {
		other := fmt.Sprintf("5511900%06d", i)
		r.enqueue(contact(t, r.st, other), whatsapp.Text(other, "olá"))
	}
	waitFor(t, 5*time.Second, "the first sends", func() bool { return r.sim.SendCount() > 0 })
	r.stop()
	counts, err := r.st.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.OutboxInflight] != 0 {
		t.Fatalf("%d rows left in flight after a graceful stop", counts[store.OutboxInflight])
	}
	if counts[store.OutboxSent] != r.sim.SendCount() {
		t.Errorf("%d rows recorded sent, simulator accepted %d", counts[store.OutboxSent], r.sim.SendCount())
	}
}
