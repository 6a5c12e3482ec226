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
	const tell = " Avise a equipe de TI"
	switch d.Problem {
	case Full:
		return "O disco do servidor está cheio: o balcão não consegue gravar mensagens novas. " +
			"O WhatsApp guarda as mensagens dos cidadãos e as reenvia quando houver espaço." +
			tell + " para liberar espaço na pasta " + d.Path + "."
	case ReadOnly:
		return "O disco do servidor está somente leitura: o balcão não consegue gravar mensagens novas. " +
			"O WhatsApp guarda as mensagens dos cidadãos e as reenvia quando a gravação voltar." +
			tell + " (pasta " + d.Path + ")."
	case IOError:
		return "O disco do servidor está com erro de gravação: o balcão pode não conseguir gravar mensagens novas." +
			tell + " (pasta " + d.Path + ")."
	}
	if d.Low() {
		return fmt.Sprintf("O disco do servidor está quase cheio: restam %s livres de %s.%s para liberar espaço antes que o balcão pare de gravar mensagens.",
			FormatBytes(d.Free), FormatBytes(d.Total), tell)
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
