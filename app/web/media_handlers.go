package web

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// inlineImages are the only types shown inside the panel. Anything else
// (a citizen can send any file and claim any type) is served as a download,
// so a file can never run as a page on balcao's origin. SVG is not an image
// here: it can carry script.
var inlineImages = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "image/gif": true}

// media serves a file of media.db to a logged-in user.
func (s *Server) media(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	f, err := s.store.Media.Media(r.Context(), id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400")
	ctype, _, err := mime.ParseMediaType(f.MimeType)
	if err != nil || !inlineImages[ctype] {
		if err != nil || ctype == "text/html" || ctype == "image/svg+xml" {
			ctype = "application/octet-stream"
		}
		name := f.Filename
		if name == "" {
			name = "arquivo-" + strconv.FormatInt(f.ID, 10)
		}
		cd := mime.FormatMediaType("attachment", map[string]string{"filename": name})
		if cd == "" {
			cd = "attachment"
		}
		h.Set("Content-Disposition", cd)
	}
	h.Set("Content-Type", ctype)
	h.Set("ETag", `"`+f.SHA256+`"`)
	http.ServeContent(w, r, "", time.UnixMilli(f.CreatedAt), bytes.NewReader(f.Data))
	return nil
}
