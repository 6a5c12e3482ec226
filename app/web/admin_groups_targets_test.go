package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"balcao/app/store"
)

// The group form takes its deadlines in business hours (decimals with a
// comma or a point) and stores business minutes; bad values are refused at
// the field and change nothing.
func TestGroupTargets(t *testing.T) {
	cases := []struct {
		name, first, resolution string
		field, msg              string
		wantFirst, wantRes      int
	}{
		{"hours with a decimal comma", "0,5", "36", "", "", 30, 36 * 60},
		{"decimal point", "1.25", "", "", "", 75, 0},
		{"blank: no target", "", "", "", "", 0, 0},
		{"zero: no target", "0", "0", "", "", 0, 0},
		{"negative", "-1", "", "first_response_hours", "de 0 a 8760", 0, 0},
		{"words", "", "duas", "resolution_hours", "de 0 a 8760", 0, 0},
		{"more than a year", "", "9000", "resolution_hours", "de 0 a 8760", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newAdminEnv(t)
			dep, _ := e.fixture(t)
			v := groupValues(dep, "Ouvidoria — Denúncias")
			v.Set("first_response_hours", c.first)
			v.Set("resolution_hours", c.resolution)
			before := takeSnapshot(t, e.st)
			res := e.c.PostForm("/admin/grupos", v)
			if c.field != "" {
				if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.FieldError(c.field), c.msg) {
					t.Fatalf("status %d, errors %v; want 422 at %s", res.Status, res.FieldErrors(), c.field)
				}
				assertUnchanged(t, e.st, before)
				return
			}
			if res.Status != http.StatusOK {
				t.Fatalf("status %d, errors %v", res.Status, res.FieldErrors())
			}
			groups, _ := e.st.ListGroups(ctx)
			i := slices.IndexFunc(groups, func(g store.Group) bool { return g.Name == "Ouvidoria — Denúncias" })
			if i < 0 || groups[i].FirstResponseTarget != c.wantFirst || groups[i].ResolutionTarget != c.wantRes {
				t.Fatalf("saved %+v, want targets %d and %d minutes", groups, c.wantFirst, c.wantRes)
			}
			// The edit form shows them back in hours.
			edit := e.c.Get("/admin/grupos/" + id(groups[i].ID))
			if c.wantFirst == 30 && !strings.Contains(edit.Body, `name="first_response_hours" type="text" value="0,5"`) {
				t.Error("edit form does not show 0,5 hours")
			}
			list := e.c.Get("/admin/grupos")
			if c.wantFirst == 30 && !strings.Contains(list.Body, "1ª resposta 0,5 h · resolução 36 h") {
				t.Error("the groups list does not show the targets")
			}
		})
	}
}
