package outbox_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"balcao/app/config"
	"balcao/app/server"
	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/whatsapp"
)

const testSecret = "app-secret-for-tests"

// appEnv is the configuration of a balcao that talks to the simulator at simURL.
func appEnv(dataDir, simURL, phoneID string) map[string]string {
	return map[string]string{
		"BALCAO_DATA":               dataDir,
		"BALCAO_WA_APP_SECRET":      testSecret,
		"BALCAO_WA_VERIFY_TOKEN":    "verify-token-for-tests",
		"BALCAO_WA_ACCESS_TOKEN":    testToken,
		"BALCAO_WA_PHONE_NUMBER_ID": phoneID,
		"BALCAO_WA_API_URL":         simURL,
		"BALCAO_LOG_LEVEL":          "error",
	}
}

// startServer starts the whole app as `balcao serve` would, from env.
func startServer(env map[string]string, log *slog.Logger) (*server.App, error) {
	cfg, _, err := config.Load("serve", nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		return nil, err
	}
	return server.Start(context.Background(), server.Options{Config: cfg, Log: log,
		Static: testutil.StaticFS(), Migrations: testutil.MigrationsFS()})
}

// world is balcao behind a real HTTP server and the simulator playing Meta,
// each calling the other over HTTP: sends one way, signed webhooks the other.
type world struct {
	app *server.App
	sim *simulator.Simulator
}

func newWorld(t *testing.T, simOpts simulator.Options) *world {
	t.Helper()
	simOpts.AppSecret, simOpts.AccessToken = testSecret, testToken
	sim := simulator.New(simOpts)
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	t.Cleanup(sim.Close)
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("BALCAO_TEST_LOG") != "" {
		log = testutil.Logger(t)
	}
	app, err := startServer(appEnv(t.TempDir(), simSrv.URL, sim.PhoneNumberID()), log)
	if err != nil {
		t.Fatal(err)
	}
	appSrv := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		appSrv.Close()
		app.Close()
	})
	sim.SetWebhookURL(appSrv.URL + "/webhook/whatsapp")
	return &world{app: app, sim: sim}
}

// citizenWrites sends a text from the citizen's phone and waits until balcao stored it.
func (w *world) citizenWrites(t *testing.T, waID, text string) string {
	t.Helper()
	wamid, err := w.sim.CitizenSend(context.Background(), simulator.CitizenMessage{From: waID, Name: "Maria", Body: text})
	if err != nil {
		t.Fatal(err)
	}
	return wamid
}

func (w *world) contactID(t *testing.T, waID string) int64 {
	t.Helper()
	var id int64
	if err := w.app.Store.R.QueryRow(`SELECT id FROM contacts WHERE wa_id = ?`, waID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func messageStatus(t *testing.T, st *store.Store, id int64) string {
	t.Helper()
	s, _, _ := message(t, st, id)
	return s
}

func TestRepliesFollowTheirStatusWebhooks(t *testing.T) {
	w := newWorld(t, simulator.Options{StatusDelay: 10 * time.Millisecond, ReadDelay: 30 * time.Millisecond, EnforceWindow: true})
	inWamid := w.citizenWrites(t, citizen, "Quero a segunda via da conta de água")
	c := w.contactID(t, citizen)

	// A reply goes out and its ticks advance to read through real status webhooks.
	reply := enqueueMessage(t, w.app.Store, w.app.Outbox, c, whatsapp.Text(citizen, "Segue a segunda via."), 0)
	waitFor(t, 5*time.Second, "the reply read", func() bool { return messageStatus(t, w.app.Store, reply.messageID) == "read" })

	// With status webhooks dropped, the message stays "accepted": balcao does not invent ticks.
	w.sim.SetFault(simulator.Fault{Kind: simulator.FaultDropStatuses, Count: 1})
	quiet := enqueueMessage(t, w.app.Store, w.app.Outbox, c, whatsapp.Text(citizen, "Mais alguma coisa?"), 0)
	waitFor(t, 5*time.Second, "the second reply accepted", func() bool {
		return messageStatus(t, w.app.Store, quiet.messageID) == "accepted"
	})
	time.Sleep(300 * time.Millisecond) // ten status delays: any status would have arrived
	if got := messageStatus(t, w.app.Store, quiet.messageID); got != "accepted" {
		t.Errorf("status %q with status webhooks dropped, want accepted", got)
	}

	// A read receipt is a row like any other: the citizen's phone shows blue ticks.
	payload := `{"messaging_product":"whatsapp","status":"read","message_id":"` + inWamid + `"}`
	if err := w.app.Store.EnqueueMarkRead(context.Background(), citizen, payload); err != nil {
		t.Fatal(err)
	}
	w.app.Outbox.Wake()
	waitFor(t, 5*time.Second, "the citizen's message shown read", func() bool {
		for _, m := range w.sim.Inbox(citizen) {
			if m.ID == inWamid {
				return m.Status == whatsapp.StatusRead
			}
		}
		return false
	})
}

func TestCitizenPhotoIsDownloaded(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	photo := append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 4096)...)
	wamid, err := w.sim.CitizenSend(context.Background(), simulator.CitizenMessage{From: citizen, Type: whatsapp.TypeImage,
		Media: photo, MimeType: "image/jpeg", Body: "buraco na rua"})
	if err != nil {
		t.Fatal(err)
	}
	var mediaID int64
	waitFor(t, 5*time.Second, "the photo downloaded", func() bool {
		var m *int64
		w.app.Store.R.QueryRow(`SELECT media_id FROM messages WHERE wamid = ?`, wamid).Scan(&m)
		if m != nil {
			mediaID = *m
		}
		return m != nil
	})
	f, err := w.app.Store.Media.Media(context.Background(), mediaID)
	if err != nil || string(f.Data) != string(photo) || f.MimeType != "image/jpeg" {
		t.Fatalf("stored %d bytes %q, err %v", len(f.Data), f.MimeType, err)
	}
}
