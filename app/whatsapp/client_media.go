package whatsapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
)

// MaxMediaBytes is the largest media WhatsApp carries (documents, 100 MB); it
// is the limit when a caller passes none.
const MaxMediaBytes = 100 << 20

// MediaInfo is the answer of GET /{media-id}.
type MediaInfo struct {
	ID       string
	URL      string
	MimeType string
	// SHA256 is the checksum as Meta sent it (hex or base64).
	SHA256   string
	FileSize int64
}

type wireMediaInfo struct {
	ID       flexString `json:"id"`
	URL      flexString `json:"url"`
	MimeType flexString `json:"mime_type"`
	SHA256   flexString `json:"sha256"`
	FileSize flexInt    `json:"file_size"`
}

// MediaInfo asks where media can be downloaded. The URL it returns expires
// after about five minutes.
func (c *Client) MediaInfo(ctx context.Context, mediaID string) (MediaInfo, error) {
	if err := c.configured(false); err != nil {
		return MediaInfo{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint(mediaID), nil)
	if err != nil {
		return MediaInfo{}, fmt.Errorf("whatsapp: media info: %w", err)
	}
	var w wireMediaInfo
	if err := c.doJSON(req, &w); err != nil {
		return MediaInfo{}, err
	}
	if w.URL == "" {
		return MediaInfo{}, fmt.Errorf("%w: media %s has no url", ErrUnexpectedResponse, mediaID)
	}
	return MediaInfo{
		ID: firstNonEmpty(string(w.ID), mediaID), URL: string(w.URL), MimeType: string(w.MimeType),
		SHA256: string(w.SHA256), FileSize: int64(w.FileSize),
	}, nil
}

// Download fetches media bytes from a URL MediaInfo returned, sending the
// access token; never pass it a URL from elsewhere, or the token leaks there.
// More than maxBytes (MaxMediaBytes when zero or less) gives ErrTooLarge; an
// expired URL gives an *APIError with HTTPStatus 404.
func (c *Client) Download(ctx context.Context, url string, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = MaxMediaBytes
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: download: %w", err)
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > maxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, resp.ContentLength, maxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("whatsapp: download: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBytes)
	}
	return data, nil
}

// FetchMedia downloads media by id: it asks MediaInfo for a URL, downloads it,
// and when the URL has already expired (404) asks once more. It refuses media
// over maxBytes before downloading when the size is announced, and checks the
// SHA-256 when Meta gave one (hex or base64), returning ErrChecksum on a mismatch.
func (c *Client) FetchMedia(ctx context.Context, mediaID string, maxBytes int64) (MediaInfo, []byte, error) {
	if maxBytes <= 0 {
		maxBytes = MaxMediaBytes
	}
	var (
		info MediaInfo
		data []byte
		err  error
	)
	for attempt := 0; attempt < 2; attempt++ {
		if info, err = c.MediaInfo(ctx, mediaID); err != nil {
			return info, nil, err
		}
		if info.FileSize > maxBytes {
			return info, nil, fmt.Errorf("%w: media %s has %d bytes, limit %d", ErrTooLarge, mediaID, info.FileSize, maxBytes)
		}
		data, err = c.Download(ctx, info.URL, maxBytes)
		var ae *APIError
		if err == nil || !errors.As(err, &ae) || ae.HTTPStatus != http.StatusNotFound {
			break
		}
	}
	if err != nil {
		return info, nil, err
	}
	if !ChecksumMatches(info.SHA256, data) {
		return info, nil, fmt.Errorf("%w: media %s", ErrChecksum, mediaID)
	}
	return info, data, nil
}

// ChecksumMatches compares data's SHA-256 with want written in hex or in
// (standard or URL-safe, padded or not) base64, as webhooks and the media
// endpoint carry either. An empty or unreadable want is not evidence of
// corruption and passes.
func ChecksumMatches(want string, data []byte) bool {
	want = strings.TrimSpace(want)
	if want == "" {
		return true
	}
	sum := sha256.Sum256(data)
	if b, err := hex.DecodeString(want); err == nil && len(b) == sha256.Size {
		return bytes.Equal(b, sum[:])
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(want); err == nil && len(b) == sha256.Size {
			return bytes.Equal(b, sum[:])
		}
	}
	return true
}

// quoteEscaper makes a file name safe inside a quoted Content-Disposition value.
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "")

// UploadMedia uploads data (of the given MIME type) to /{phone-number-id}/media
// and returns the media id to send it with.
func (c *Client) UploadMedia(ctx context.Context, mimeType, filename string, data []byte) (string, error) {
	if err := c.configured(true); err != nil {
		return "", err
	}
	if filename == "" {
		// The Graph API refuses a file part without a name.
		filename = "arquivo"
		if exts, _ := mime.ExtensionsByType(mimeType); len(exts) > 0 {
			filename += exts[0]
		}
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("messaging_product", MessagingProduct)
	_ = mw.WriteField("type", mimeType)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+quoteEscaper.Replace(filename)+`"`)
	h.Set("Content-Type", mimeType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return "", fmt.Errorf("whatsapp: upload: %w", err)
	}
	_, _ = part.Write(data)
	if err := mw.Close(); err != nil {
		return "", fmt.Errorf("whatsapp: upload: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(c.PhoneNumberID, "media"), &body)
	if err != nil {
		return "", fmt.Errorf("whatsapp: upload: %w", err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var w struct {
		ID flexString `json:"id"`
	}
	if err := c.doJSON(req, &w); err != nil {
		return "", err
	}
	if w.ID == "" {
		return "", fmt.Errorf("%w: upload answered without an id", ErrUnexpectedResponse)
	}
	return string(w.ID), nil
}
