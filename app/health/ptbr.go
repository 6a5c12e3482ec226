package health

import (
	"fmt"
	"strings"
)

// Everything in this file is read by clerks and administrators: keep it
// Portuguese (pt-BR), short, and in this one place so it can be reviewed.

// DiskBanner is the panel's warning about the disk, or "" when all is well;
// it suits web.Server.AddBanner.
func (m *Monitor) DiskBanner() string {
	d := m.Disk()
	if d.Problem != NoProblem {
		return ProblemText(d.Problem, d.Path)
	}
	if d.Low() {
		return fmt.Sprintf("O disco do servidor está quase cheio: restam %s livres de %s. Avise a equipe de TI para liberar espaço antes que o balcão pare de gravar mensagens.",
			FormatBytes(d.Free), FormatBytes(d.Total))
	}
	return ""
}

// ProblemText says in pt-BR what a disk problem means for the people using
// the panel, naming the data folder for IT staff.
func ProblemText(p Problem, dataDir string) string {
	const retry = " O WhatsApp guarda as mensagens dos cidadãos e as reenvia quando a gravação voltar."
	switch p {
	case Full:
		return "O disco do servidor está cheio: o balcão não consegue gravar mensagens novas." + retry +
			" Avise a equipe de TI para liberar espaço (pasta " + dataDir + ")."
	case ReadOnly:
		return "O disco do servidor está somente leitura: o balcão não consegue gravar mensagens novas." + retry +
			" Avise a equipe de TI (pasta " + dataDir + ")."
	case IOError:
		return "O disco do servidor está com erro de gravação: o balcão pode não conseguir gravar mensagens novas." + retry +
			" Avise a equipe de TI (pasta " + dataDir + ")."
	}
	return ""
}

// BackupBanner is the panel's warning about the continuous backup, or "" when
// it works or is off; it suits web.Server.AddBanner.
func (m *Monitor) BackupBanner() string {
	b := m.Backup()
	var names []string
	for _, f := range b.Files {
		if f.Warning != "" {
			names = append(names, f.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "O backup contínuo está com problema (" + strings.Join(names, ", ") + "): as alterações mais recentes " +
		"podem não estar guardadas fora deste servidor. Veja Administração → Backup e avise a equipe de TI."
}

// FormatBytes writes a size for people, in the units a disk tool shows (1 GB = 2³⁰ bytes).
func FormatBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return strings.Replace(fmt.Sprintf("%.1f GB", float64(n)/(1<<30)), ".", ",", 1)
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
