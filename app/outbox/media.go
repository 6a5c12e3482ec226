package outbox

import (
	"context"
	"errors"
	"fmt"

	"balcao/app/store"
	"balcao/app/whatsapp"
)

// errMediaMissing means a payload names a media.db file that is not there.
var errMediaMissing = errors.New("outbox: attached file not found")

// localMedia says which media.db file a send used, and whether its WhatsApp
// id came from the cache (and may have expired).
type localMedia struct {
	id        int64
	usedCache bool
}

// resolveMedia replaces a "media:<id>" reference in m (store.LocalMediaRef)
// by WhatsApp's media id, uploading the file from media.db unless an earlier
// upload's id is cached. Other messages are left alone.
func (w *Worker) resolveMedia(ctx context.Context, m *whatsapp.OutMessage) (localMedia, error) {
	var ref *whatsapp.MediaContent
	for _, c := range []*whatsapp.MediaContent{m.Image, m.Document, m.Audio, m.Video} {
		if c != nil {
			ref = c
			break
		}
	}
	if ref == nil {
		return localMedia{}, nil
	}
	id, ok := store.ParseLocalMediaRef(ref.ID)
	if !ok {
		return localMedia{}, nil
	}
	f, err := w.store.Media.Media(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return localMedia{id: id}, fmt.Errorf("%w: media %d", errMediaMissing, id)
	}
	if err != nil {
		// A database hiccup, not the file's fault: worth another try.
		return localMedia{id: id}, fmt.Errorf("outbox: read media %d: %w", id, err)
	}
	if f.WAMediaID != "" {
		ref.ID = f.WAMediaID
		return localMedia{id: id, usedCache: true}, nil
	}
	waID, err := w.client.UploadMedia(ctx, f.MimeType, f.Filename, f.Data)
	if err != nil {
		return localMedia{id: id}, err
	}
	if err := w.store.Media.SetWAMediaID(ctx, id, waID); err != nil {
		w.log.Warn("uploaded media id not cached; the next send uploads again", "media", id, "err", err)
	}
	ref.ID = waID
	return localMedia{id: id}, nil
}
