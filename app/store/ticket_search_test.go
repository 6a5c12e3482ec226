package store_test

import (
	"fmt"
	"slices"
	"testing"

	"balcao/app/store"
	"balcao/app/testutil"
)

// A text search finds the same tickets, in the same pages, whether it reads
// every match (rare words) or probes ticket by ticket (common words).
func TestSearchTicketsTextPaths(t *testing.T) {
	st := testutil.NewStore(t)
	var tickets []store.BulkTicket
	for i := range 90 {
		body := fmt.Sprintf("mensagem %d", i)
		if i%3 == 0 {
			body = "A água acabou na Rua São João"
		}
		subject := "Atendimento"
		if i%10 == 1 {
			subject = "Água — vazamento"
		}
		at := int64(1_700_000_000_000 + i/2*60_000)
		tickets = append(tickets, store.BulkTicket{Status: store.TicketClosed, Subject: subject, CreatedAt: at, LastMessageAt: at,
			Messages: []store.BulkMessage{{Body: "Bom dia", CreatedAt: at}, {Body: body, CreatedAt: at + 1}}})
	}
	if _, err := st.InsertBulk(ctx, []store.BulkContact{{WaID: "5514999990001", CreatedAt: 1}}, tickets); err != nil {
		t.Fatal(err)
	}
	pages := func(sort string) [][]int64 {
		var out [][]int64
		f := store.TicketFilter{Text: "agua", Limit: 7, Sort: sort}
		for {
			rows, next, err := st.SearchTickets(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			out = append(out, ids)
			if next == nil {
				return out
			}
			f.After = next
		}
	}
	for _, sort := range []string{store.SortNewest, store.SortOldest} {
		rare := pages(sort)
		restore := store.SetCommonTextRows(5)
		common := pages(sort)
		// A walk bounded below a page: every page ends at the bound and is
		// read again from every match.
		restoreWalk := store.SetWalkedTexts(4)
		bounded := pages(sort)
		restoreWalk()
		restore()
		n := 0
		for _, p := range rare {
			n += len(p)
		}
		if n != 30+6 { // every third ticket's message, and the subjects of i%10 == 1 that are not among them
			t.Errorf("%s: %d tickets found, want 36", sort, n)
		}
		if !slices.EqualFunc(rare, common, slices.Equal) || !slices.EqualFunc(rare, bounded, slices.Equal) {
			t.Errorf("%s: pages differ:\nrare    %v\ncommon  %v\nbounded %v", sort, rare, common, bounded)
		}
	}
}

// Reading the list in its order (filters that match many tickets) gives the
// same pages as going through a filter's index.
func TestSearchTicketsOrderPaths(t *testing.T) {
	st := testutil.NewStore(t)
	var tickets []store.BulkTicket
	kinds := []string{"reclamacao", "denuncia", ""}
	for i := range 60 {
		at := int64(1_700_000_000_000 + i/2*60_000)
		tickets = append(tickets, store.BulkTicket{Contact: i % 2, Status: store.TicketClosed, Kind: kinds[i%3], CreatedAt: at,
			LastMessageAt: at + int64(i%7)*3_600_000, Messages: []store.BulkMessage{{Body: "Bom dia", CreatedAt: at}}})
	}
	contacts := []store.BulkContact{{WaID: "5514999990001", Name: "Maria Souza", CreatedAt: 1}, {WaID: "5514999990002", ProfileName: "João", CreatedAt: 1}}
	if _, err := st.InsertBulk(ctx, contacts, tickets); err != nil {
		t.Fatal(err)
	}
	all := func(f store.TicketFilter) []int64 {
		var ids []int64
		f.Limit = 4
		for {
			rows, next, err := st.SearchTickets(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			if next == nil {
				return ids
			}
			f.After = next
		}
	}
	for _, sort := range []string{store.SortNewest, store.SortOldest, store.SortActivity} {
		for _, f := range []store.TicketFilter{{Kind: "denuncia"}, {Contact: "maria"}, {Contact: "14999990002"}, {Kind: store.KindNone, Contact: "João"},
			{Status: store.TicketClosed, From: 1_700_000_000_000 + 10*60_000}} {
			f.Sort = sort
			byIndex := all(f)
			restore := store.SetCommonFilterRows(1)
			inOrder := all(f)
			restore()
			if len(byIndex) == 0 || !slices.Equal(byIndex, inOrder) {
				t.Errorf("%+v: by index %v, in order %v", f, byIndex, inOrder)
			}
		}
	}
}
