package api

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the OpenAPI 3.1 description of /api/v1, written by hand;
// a test checks every route served appears in it.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the OpenAPI document (no token needed: it holds no data).
func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err := w.Write(openAPIDoc)
	return err
}
