package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// Every route the API serves is described in openapi.json, with its
// responses, and every operation described is served.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type   string `json:"type"`
				Scheme string `json:"scheme"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("bearer security scheme: %+v", s)
	}
	served := map[string]bool{}
	for _, r := range (&API{}).routeList() {
		method, path, _ := strings.Cut(r.pattern, " ")
		path = strings.TrimPrefix(path, Prefix)
		key := strings.ToLower(method) + " " + path
		served[key] = true
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s is served but not in openapi.json", r.pattern)
			continue
		}
		var o struct {
			OperationID string                     `json:"operationId"`
			Responses   map[string]json.RawMessage `json:"responses"`
		}
		if err := json.Unmarshal(op, &o); err != nil || o.OperationID == "" || len(o.Responses) == 0 {
			t.Errorf("%s: operation without id or responses (%v)", r.pattern, err)
		}
		if !r.public {
			if _, ok := o.Responses["401"]; !ok {
				t.Errorf("%s needs a token but documents no 401", r.pattern)
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !served[method+" "+path] {
				t.Errorf("openapi.json describes %s %s, which is not served", method, path)
			}
		}
	}
}
