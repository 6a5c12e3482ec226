package simulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"balcao/app/whatsapp"
)

// mediaURLLifetime is how long a download URL works, as on Meta's servers.
const mediaURLLifetime = 5 * time.Minute

type mediaObject struct {
	id       string
	mime     string
	filename string
	data     []byte
	sum      [sha256.Size]byte
}

type mediaURL struct {
	mediaID string
	expires time.Time
}

// storeMedia keeps data and returns its new media id.
func (s *Simulator) storeMedia(data []byte, mime, filename string) *mediaObject {
	obj := &mediaObject{id: s.newID(), mime: mime, filename: filename, data: data, sum: sha256.Sum256(data)}
	s.mu.Lock()
	s.media[obj.id] = obj
	s.mu.Unlock()
	return obj
}

// MediaBytes returns stored media for the phone page (no token needed).
func (s *Simulator) MediaBytes(id string) (data []byte, mimeType, filename string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj, ok := s.media[id]
	if !ok {
		return nil, "", "", false
	}
	return obj.data, obj.mime, obj.filename, true
}

// handleUpload serves POST /{phone-number-id}/media (multipart: messaging_product, type, file).
func (s *Simulator) handleUpload(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) || !s.checkPhoneID(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, whatsapp.MaxMediaBytes+1<<20)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Message: "Invalid parameter", Details: "Not a valid multipart upload: " + err.Error()})
		return
	}
	defer r.MultipartForm.RemoveAll()
	if r.FormValue("messaging_product") != whatsapp.MessagingProduct {
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Message: "The parameter messaging_product is required."})
		return
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Message: "The parameter file is required."})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 131053, Message: "Media upload error", Details: err.Error()})
		return
	}
	mime := r.FormValue("type")
	if mime == "" {
		mime = h.Header.Get("Content-Type")
	}
	if mime == "" {
		writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Message: "The parameter type is required."})
		return
	}
	obj := s.storeMedia(data, mime, h.Filename)
	s.log.Info("media uploaded", "id", obj.id, "mime", mime, "bytes", len(data))
	writeJSON(w, http.StatusOK, map[string]string{"id": obj.id})
}

type wireMediaInfo struct {
	MessagingProduct string `json:"messaging_product"`
	URL              string `json:"url"`
	MimeType         string `json:"mime_type"`
	SHA256           string `json:"sha256"`
	FileSize         int    `json:"file_size"`
	ID               string `json:"id"`
}

// handleObject serves GET /{id}: media metadata with a fresh download URL, or
// the business number's profile.
func (s *Simulator) handleObject(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	id := r.PathValue("id")
	if id == s.opts.PhoneNumberID {
		writeJSON(w, http.StatusOK, map[string]any{
			"verified_name": "Atendimento (simulador)", "display_phone_number": s.opts.DisplayPhone,
			"id": id, "quality_rating": "GREEN", "platform_type": "CLOUD_API",
			"code_verification_status": "VERIFIED", "throughput": map[string]string{"level": "STANDARD"},
		})
		return
	}
	now := s.opts.Now()
	token := randomToken()
	s.mu.Lock()
	obj, ok := s.media[id]
	if ok {
		for t, u := range s.mediaURLs {
			if now.After(u.expires) {
				delete(s.mediaURLs, t)
			}
		}
		s.mediaURLs[token] = mediaURL{mediaID: id, expires: now.Add(mediaURLLifetime)}
	}
	s.mu.Unlock()
	if !ok {
		writeUnknownObject(w, r, id)
		return
	}
	writeJSON(w, http.StatusOK, wireMediaInfo{
		MessagingProduct: whatsapp.MessagingProduct,
		URL:              fmt.Sprintf("%s/_media/%s?mid=%s&token=%s", s.baseURL(r), url.PathEscape(id), url.QueryEscape(id), token),
		MimeType:         obj.mime,
		SHA256:           hex.EncodeToString(obj.sum[:]),
		FileSize:         len(obj.data),
		ID:               id,
	})
}

// handleDownload serves a download URL handed out by handleObject. Like
// Meta's media host it wants the bearer token, and an expired URL is a 404.
func (s *Simulator) handleDownload(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	id := r.PathValue("id")
	if _, ok := s.takeFault("", FaultMediaExpired); ok {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	u, ok := s.mediaURLs[r.URL.Query().Get("token")]
	obj := s.media[id]
	s.mu.Unlock()
	if !ok || u.mediaID != id || s.opts.Now().After(u.expires) || obj == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", obj.mime)
	w.Header().Set("Content-Length", strconv.Itoa(len(obj.data)))
	if obj.filename != "" {
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", obj.filename))
	}
	_, _ = w.Write(obj.data)
}

// handleDeleteMedia serves DELETE /{media-id}.
func (s *Simulator) handleDeleteMedia(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	id := r.PathValue("id")
	s.mu.Lock()
	_, ok := s.media[id]
	delete(s.media, id)
	s.mu.Unlock()
	if !ok {
		writeUnknownObject(w, r, id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

func writeUnknownObject(w http.ResponseWriter, r *http.Request, id string) {
	writeGraphError(w, http.StatusBadRequest, graphErr{Code: 100, Subcode: 33,
		Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", r.Method, id)})
}

// webhookSHA256 is the checksum as inbound webhooks carry it (base64).
func webhookSHA256(obj *mediaObject) string {
	return base64.StdEncoding.EncodeToString(obj.sum[:])
}
