package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/app/testutil"
)

func TestParallelTicketsGetUniqueSequentialProtocols(t *testing.T) {
	st := testutil.NewStore(t)
	st.SetClock(func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) })
	contactID, _ := mustContact(t, st, "5517999990001")
	const n = 40
	var wg sync.WaitGroup
	got := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := st.OpenTicket(ctx, store.NewTicket{ContactID: contactID, Kind: "reclamacao", Subject: "Ouvidoria"})
			got[i], errs[i] = o.Protocol, err
		}()
	}
	wg.Wait()
	var seqs []int
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		p, err := protocol.Parse(got[i])
		if err != nil || p.Year != 2026 {
			t.Fatalf("protocol %q: %v %+v", got[i], err, p)
		}
		seqs = append(seqs, p.Sequence)
	}
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("sequences %v: want 1..%d without gaps or repeats", seqs, n)
		}
	}
	// A new year starts at 1 again.
	st.SetClock(func() time.Time { return time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC) })
	o, err := st.OpenTicket(ctx, store.NewTicket{ContactID: contactID})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := protocol.Parse(o.Protocol); p.Year != 2027 || p.Sequence != 1 {
		t.Errorf("first of 2027: %v", p)
	}
}

func TestTicketByProtocol(t *testing.T) {
	st := testutil.NewStore(t)
	contactID, _ := mustContact(t, st, "5517999990002")
	o, err := st.OpenTicket(ctx, store.NewTicket{ContactID: contactID, Status: store.TicketNew, Kind: "reclamacao", Subject: "Ouvidoria › Reclamação"})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := protocol.Parse(o.Protocol)
	wrong := o.Protocol[:10] + string(rune('0'+(int(o.Protocol[10]-'0')+1)%10))
	cases := []struct {
		name, typed string
		want        error
	}{
		{"digits", o.Protocol, nil},
		{"grouped", n.String(), nil},
		{"wrong check digit", wrong, store.ErrBadProtocol},
		{"not a number", "abc", store.ErrBadProtocol},
		{"unknown", mustDigits(t, 2026, 999), store.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := st.TicketByProtocol(ctx, c.typed)
			if (c.want == nil && err != nil) || !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if c.want == nil && (got.ID != o.ID || got.ContactID != contactID || got.Kind != "reclamacao" || got.Status != store.TicketNew) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func mustDigits(t *testing.T, year, seq int) string {
	n, err := protocol.New(year, seq)
	if err != nil {
		t.Fatal(err)
	}
	return n.Digits()
}
