package web

import (
	"net/http"

	"balcao/app/backup"
	"balcao/app/health"
	"balcao/views"
)

// adminBackup shows the continuous backup, asked for its state now, and the disk.
func (s *Server) adminBackup(w http.ResponseWriter, r *http.Request) error {
	d := views.BackupData{Enabled: s.cfg.Backup.URL != "", DataDir: s.cfg.DataDir}
	if d.Enabled {
		d.Target = backup.Redact(s.cfg.Backup.URL)
	}
	if s.health != nil {
		b := s.health.RefreshBackup(r.Context())
		d.CheckedAt = b.CheckedAt
		for _, f := range b.Files {
			d.Files = append(d.Files, backupFileView(f))
		}
		d.Disk = diskView(s.health.Disk())
	}
	return views.AdminBackupPage(s.page(r, "Backup", "admin"), d).Render(r.Context(), w)
}

func backupFileView(f backup.FileStatus) views.BackupFile {
	return views.BackupFile{Name: f.Name, Replica: f.ReplicaURL, InSync: f.InSync, LastSync: f.LastSync,
		Lag: f.Lag, LagTXID: f.LagTXID, LocalTXID: f.LocalTXID, ReplicaTXID: f.ReplicaTXID,
		Snapshots: f.Snapshots, OldestSnapshot: f.OldestSnapshot, LatestSnapshot: f.LatestSnapshot, Warning: f.Warning}
}

func diskView(d health.Disk) views.DiskData {
	v := views.DiskData{Path: d.Path, Measured: d.Total > 0, Low: d.Low(), Detail: d.Detail,
		Free: health.FormatBytes(d.Free), Total: health.FormatBytes(d.Total), MinFree: health.FormatBytes(d.MinFree)}
	if d.Problem != health.NoProblem {
		v.Problem = health.ProblemText(d.Problem, d.Path)
	}
	return v
}
